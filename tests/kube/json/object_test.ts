import { throws as assertThrows } from "node:assert/strict";
import { assertEquals } from "../../assert.ts";
import {
  jsonObjectMembers,
  leadingTypeMetaLength,
  rawObjectFromJson,
  trimJson,
  withTypeMeta,
} from "../../../src/kube/json/object.ts";
import { bytesOf, replayBody, textOf } from "./fixtures.ts";

const POD = { kind: "Pod", apiVersion: "v1" };

function joined(pieces: Uint8Array[]): string {
  return pieces.map(textOf).join("");
}

Deno.test("object: reads meta, labels, typeMeta and fields from a captured Deployment", async () => {
  const body = await replayBody("k8s-openapi-v1.36.patch-deployment.replay.json");
  const object = rawObjectFromJson(bytesOf(body), "deployments");
  assertEquals(object.typeMeta, { kind: "Deployment", apiVersion: "apps/v1" });
  assertEquals(object.meta, {
    name: "k8s-openapi-tests-patch-deployment",
    namespace: "default",
    uid: "0f361010-ec74-4df7-8013-e9241d4fc400",
    resourceVersion: object.meta.resourceVersion,
    labels: {},
  });
  assertEquals(object.meta.resourceVersion, JSON.parse(body).metadata.resourceVersion);
  assertEquals(object.fields, {
    "metadata.name": "k8s-openapi-tests-patch-deployment",
    "metadata.namespace": "default",
  });
});

Deno.test("object: bytes are the input without surrounding whitespace, as a view", () => {
  const input = bytesOf(' \n{"metadata":{"name":"a"}}\n');
  const object = rawObjectFromJson(input, "pods", POD);
  assertEquals(textOf(object.bytes), '{"metadata":{"name":"a"}}');
  assertEquals(object.bytes.buffer, input.buffer);
});

Deno.test("object: the given typeMeta fills in only what the object lacks", () => {
  const typed = rawObjectFromJson(bytesOf('{"kind":"FooBar","apiVersion":"x/v1"}'), "foobars", POD);
  assertEquals(typed.typeMeta, { kind: "FooBar", apiVersion: "x/v1" });
  const half = rawObjectFromJson(bytesOf('{"kind":"Node"}'), "nodes", POD);
  assertEquals(half.typeMeta, { kind: "Node", apiVersion: "v1" });
  const none = rawObjectFromJson(bytesOf("{}"), "pods");
  assertEquals(none.typeMeta, { kind: "", apiVersion: "" });
  assertEquals(none.meta, { name: "", namespace: "", uid: "", resourceVersion: "", labels: {} });
});

Deno.test("object: non-string label values are dropped", () => {
  const object = rawObjectFromJson(bytesOf('{"metadata":{"labels":{"a":"1","b":2}}}'), "pods");
  assertEquals(object.meta.labels, { a: "1" });
});

Deno.test("object: a body that is not one JSON object throws", () => {
  assertThrows(() => rawObjectFromJson(bytesOf("[1]"), "pods"), TypeError);
  assertThrows(() => rawObjectFromJson(bytesOf("null"), "pods"), TypeError);
  assertThrows(() => rawObjectFromJson(bytesOf('{"a":1'), "pods"), SyntaxError);
  assertThrows(() => rawObjectFromJson(bytesOf('{"a":1}{}'), "pods"), SyntaxError);
});

Deno.test("object: members are listed with the exact range of each value", () => {
  const text = '{ "kind" : "Pod", "a\\"b":{"x":[1,"}"]},"n":-2 ,"e":{} }';
  const bytes = bytesOf(text);
  const members = jsonObjectMembers(bytes).map((m) => [m.key, text.slice(m.start, m.end)]);
  assertEquals(members, [["kind", '"Pod"'], ['a"b', '{"x":[1,"}"]}'], ["n", "-2"], ["e", "{}"]]);
  assertEquals(jsonObjectMembers(bytesOf(" {} ")), []);
});

Deno.test("object: members of malformed objects throw", () => {
  for (const text of ["[]", "{", '{"a"}', '{"a":}', '{"a":1,}', '{"a":1 "b":2}', "{}x", "{1:2}"]) {
    assertThrows(() => jsonObjectMembers(bytesOf(text)), SyntaxError, text);
  }
});

Deno.test("object: withTypeMeta splices kind and apiVersion into a typed list item", () => {
  const item = bytesOf('{"metadata":{"name":"a"},"spec":{}}');
  const pieces = withTypeMeta(item, POD);
  assertEquals(
    joined(pieces),
    '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"},"spec":{}}',
  );
  assertEquals(pieces.at(-1)!.buffer, item.buffer, "the object itself is not copied");
});

Deno.test("object: withTypeMeta leaves an object that has both unchanged", () => {
  const leading = bytesOf('{"kind":"Pod","apiVersion":"v1","metadata":{}}');
  assertEquals(withTypeMeta(leading, POD), [leading]);
  const sorted = bytesOf('{"apiVersion":"x/v1","kind":"FooBar","metadata":{}}');
  assertEquals(withTypeMeta(sorted, { kind: "FooBar", apiVersion: "x/v1" }), [sorted]);
});

Deno.test("object: withTypeMeta adds only the missing one, and handles {}", () => {
  assertEquals(
    joined(withTypeMeta(bytesOf('{"kind":"Pod","a":1}'), POD)),
    '{"apiVersion":"v1","kind":"Pod","a":1}',
  );
  assertEquals(
    joined(withTypeMeta(bytesOf('{"apiVersion":"v1"}'), POD)),
    '{"kind":"Pod","apiVersion":"v1"}',
  );
  assertEquals(joined(withTypeMeta(bytesOf(" {} "), POD)), '{"kind":"Pod","apiVersion":"v1"}');
});

Deno.test("object: a nested kind does not count as the object's own", () => {
  const item = '{"metadata":{"ownerReferences":[{"kind":"Node","apiVersion":"v1"}]}}';
  assertEquals(
    joined(withTypeMeta(bytesOf(item), POD)),
    '{"kind":"Pod","apiVersion":"v1",' + item.slice(1),
  );
});

Deno.test("object: leadingTypeMetaLength finds only an exact leading kind/apiVersion pair", () => {
  const prefix = '"kind":"Pod","apiVersion":"v1",';
  assertEquals(leadingTypeMetaLength(bytesOf(`{${prefix}"metadata":{}}`), POD), prefix.length);
  assertEquals(leadingTypeMetaLength(bytesOf('{"kind":"Pod","apiVersion":"v1"}'), POD), 0);
  assertEquals(leadingTypeMetaLength(bytesOf(`{${prefix}"a":1}`), { ...POD, kind: "Node" }), 0);
  assertEquals(leadingTypeMetaLength(bytesOf('{"apiVersion":"v1","kind":"Pod","a":1}'), POD), 0);
});

Deno.test("object: trimJson removes only JSON whitespace", () => {
  assertEquals(textOf(trimJson(bytesOf("\t\r\n {} \n"))), "{}");
  assertEquals(textOf(trimJson(bytesOf("\u00a0{}"))), "\u00a0{}");
  assertEquals(trimJson(bytesOf("   ")).length, 0);
});
