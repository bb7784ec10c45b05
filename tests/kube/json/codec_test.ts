import { assert, assertEquals } from "../../assert.ts";
import { jsonCodec, LIST_CHUNK_BYTES } from "../../../src/kube/json/codec.ts";
import { expired, failure, notFound, serviceUnavailable } from "../../../src/kube/status.ts";
import type { ListMeta, ListPart, RawObject, WatchEvent } from "../../../src/kube/types.ts";
import { bytesOf, collect, replayBody, seededRandom, streamOf, textOf } from "./fixtures.ts";

const POD_LIST = "k8s-openapi-v1.36.pod-list.replay.json";
const DEPLOYMENT_LIST = "k8s-openapi-v1.36.deployment-list.replay.json";
const WATCH_LIST = "k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json";
const CRD_REPLAY = "k8s-openapi-v1.36.crd-custom-resources.replay.json";
const PATCH_REPLAY = "k8s-openapi-v1.36.patch-deployment.replay.json";

async function decodeList(body: string, resource: string) {
  const parts: ListPart[] = await collect(
    streamOf([bytesOf(body)]).pipeThrough(jsonCodec.listDecoder(resource)),
  );
  const meta = parts.find((part) => part.type === "meta")!.meta as ListMeta;
  const items = parts.flatMap((part) => part.type === "item" ? [part.object] : []);
  return { meta, items };
}

function decodeWatch(body: string, resource: string): Promise<WatchEvent[]> {
  return collect(streamOf([bytesOf(body)]).pipeThrough(jsonCodec.watchDecoder(resource)));
}

/** An object with its bytes as text, for comparing objects decoded from different bodies. */
function withText(object: RawObject) {
  return { ...object, bytes: textOf(object.bytes) };
}

function listText(meta: ListMeta, items: Iterable<RawObject>): string {
  return [...jsonCodec.encodeList(meta, items)].map(textOf).join("");
}

Deno.test("codec: media types are application/json for bodies and watches", () => {
  assertEquals(jsonCodec.mediaType, "application/json");
  assertEquals(jsonCodec.watchContentType, "application/json");
});

Deno.test("codec: captured Status bodies are re-encoded byte for byte", async () => {
  const bodies = [
    ...await Promise.all([9, 10, 11, 12, 13].map((i) => replayBody(CRD_REPLAY, i))),
    await replayBody(PATCH_REPLAY, 4),
  ];
  for (const body of bodies) {
    assert(body.startsWith('{"kind":"Status"'), body);
    assertEquals(textOf(jsonCodec.encodeStatus(JSON.parse(body))), body);
  }
});

Deno.test("codec: Status from the constructors in apiserver's field order", () => {
  assertEquals(
    textOf(jsonCodec.encodeStatus(notFound("", "pods", "x"))),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",' +
      '"message":"pods \\"x\\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},' +
      '"code":404}\n',
  );
  assertEquals(
    textOf(jsonCodec.encodeStatus(serviceUnavailable("offline", 3))),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"offline",' +
      '"reason":"ServiceUnavailable","details":{"retryAfterSeconds":3},"code":503}\n',
  );
  assertEquals(
    textOf(jsonCodec.encodeStatus(expired("too old"))),
    '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old",' +
      '"reason":"Expired","code":410}\n',
  );
});

Deno.test("codec: Status text is escaped as Go does (<, >, &, U+2028)", () => {
  const text = textOf(jsonCodec.encodeStatus(failure(400, "BadRequest", "a<b>&c\u2028")));
  assert(text.includes('"message":"a\\u003cb\\u003e\\u0026c\\u2028"'), text);
  assertEquals(JSON.parse(text).message, "a<b>&c\u2028");
});

Deno.test("codec: a decoded pod list re-encodes to the captured body byte for byte", async () => {
  for (const [file, resource] of [[POD_LIST, "pods"], [DEPLOYMENT_LIST, "deployments"]]) {
    const body = await replayBody(file);
    const { meta, items } = await decodeList(body, resource);
    assertEquals(listText(meta, items), body, file);
  }
});

Deno.test("codec: objects from watch events lose kind/apiVersion in a typed list", async () => {
  const list = await replayBody(POD_LIST);
  const events = await decodeWatch(await replayBody(WATCH_LIST), "pods");
  const added = events.filter((event) => event.type === "ADDED").map((event) => event.object);
  assertEquals(added[0].typeMeta.kind, "Pod");
  const { meta } = await decodeList(list, "pods");
  assertEquals(listText(meta, added), list);
});

Deno.test("codec: custom resources keep their own kind/apiVersion in a list", async () => {
  const body = await replayBody(CRD_REPLAY, 5);
  const { meta, items } = await decodeList(body, "foobars");
  const text = listText(meta, items);
  assert(text.startsWith('{"kind":"FooBarList","apiVersion":"k8s-openapi-tests-'), text);
  assert(text.includes('"metadata":{"resourceVersion":"623"},"items":[{"apiVersion"'), text);
  const again = await decodeList(text, "foobars");
  assertEquals(again.meta, meta);
  assertEquals(again.items.map(withText), items.map(withText));
  assertEquals(JSON.parse(text).items, JSON.parse(body).items);
});

Deno.test("codec: list metadata writes continue and remainingItemCount only when set", () => {
  const base = { kind: "PodList", apiVersion: "v1", resourceVersion: "", continue: "" };
  assertEquals(
    listText(base, []),
    '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[]}\n',
  );
  assertEquals(
    listText({ ...base, resourceVersion: "5", continue: "tok", remainingItemCount: 0 }, []),
    '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5","continue":"tok",' +
      '"remainingItemCount":0},"items":[]}\n',
  );
});

Deno.test("codec: a large list comes in 64 KiB fresh chunks, pulled lazily", async () => {
  const { meta, items } = await decodeList(await replayBody(POD_LIST), "pods");
  let pulled = 0;
  function* many(): Generator<RawObject> {
    for (let i = 0; i < 400; i++, pulled++) yield items[i % items.length];
  }
  const iterator = jsonCodec.encodeList(meta, many())[Symbol.iterator]();
  const first = iterator.next();
  assert(!first.done && pulled < 400, `pulled ${pulled} items for the first chunk`);
  const chunks = [first.value, ...{ [Symbol.iterator]: () => iterator }];
  assert(chunks.length > 10, `${chunks.length} chunks`);
  for (const chunk of chunks.slice(0, -1)) assertEquals(chunk.length, LIST_CHUNK_BYTES);
  for (const chunk of chunks) assert(items.every((item) => item.bytes.buffer !== chunk.buffer));
  const parsed = JSON.parse(chunks.map(textOf).join(""));
  assertEquals(parsed.items.length, 400);
  assertEquals(parsed.items[399], JSON.parse(textOf(items[399 % items.length].bytes)));
});

Deno.test("codec: generated lists drop exactly the leading typeMeta equal to the list's", () => {
  const random = seededRandom(1412);
  const heads = [
    '{"kind":"Pod","apiVersion":"v1",', // dropped
    '{"kind":"Pod","apiVersion":"v2",', // another version: kept
    '{"apiVersion":"v1","kind":"Pod",', // not Go's order: kept
    '{"kind":"Node","apiVersion":"v1",', // another kind: kept
    "{",
  ];
  for (let round = 0; round < 40; round++) {
    const count = Math.floor(random() * 30);
    const texts: string[] = [];
    const expected: string[] = [];
    for (let i = 0; i < count; i++) {
      const head = heads[Math.floor(random() * heads.length)];
      const pad = "x".repeat(Math.floor(random() * (random() < 0.2 ? 3 * LIST_CHUNK_BYTES : 300)));
      const text = `${head}"metadata":{"name":"p${i}"},"pad":"${pad}"}`;
      texts.push(text);
      expected.push(head === heads[0] ? "{" + text.slice(head.length) : text);
    }
    const meta = { kind: "PodList", apiVersion: "v1", resourceVersion: "9", continue: "" };
    const objects: RawObject[] = texts.map((text) => ({
      meta: { name: "", namespace: "", resourceVersion: "", uid: "", labels: {} },
      fields: {},
      typeMeta: { kind: "Pod", apiVersion: "v1" },
      bytes: bytesOf(text),
    }));
    assertEquals(
      listText(meta, objects),
      `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":[${
        expected.join(",")
      }]}\n`,
    );
  }
});

Deno.test("codec: encodeObject of a GET body is that body", async () => {
  for (const [file, index] of [[CRD_REPLAY, 1], [CRD_REPLAY, 6], [PATCH_REPLAY, 0]] as const) {
    const body = await replayBody(file, index);
    const object = jsonCodec.decodeObject(bytesOf(body), "foobars");
    assertEquals(textOf(jsonCodec.encodeObject(object)), body);
  }
});

Deno.test("codec: encodeObject adds kind/apiVersion to a list item", async () => {
  const { items } = await decodeList(await replayBody(DEPLOYMENT_LIST), "deployments");
  const text = textOf(jsonCodec.encodeObject(items[0]));
  assert(text.startsWith('{"kind":"Deployment","apiVersion":"apps/v1","metadata":{'), text);
  assert(text.endsWith("}\n"));
  const { kind: _k, apiVersion: _a, ...rest } = JSON.parse(text);
  assertEquals(rest, JSON.parse(textOf(items[0].bytes)));
});

Deno.test("codec: re-encoding decoded watch events gives the captured stream back", async () => {
  const body = await replayBody(WATCH_LIST);
  const events = await decodeWatch(body, "pods");
  const text = events.map((event) => textOf(jsonCodec.encodeWatchEvent(event.type, event.object)));
  assertEquals(text.join(""), body);
});

Deno.test("codec: a watch event of a list item gets kind/apiVersion and decodes back", async () => {
  const { items } = await decodeList(await replayBody(POD_LIST), "pods");
  const frame = jsonCodec.encodeWatchEvent("MODIFIED", items[0]);
  const text = textOf(frame);
  assert(text.startsWith('{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1",'), text);
  assert(text.endsWith("}}\n"));
  const [event] = await decodeWatch(text, "pods");
  assertEquals(event.type, "MODIFIED");
  assertEquals({ ...event.object, bytes: items[0].bytes }, items[0]);
});

Deno.test("codec: list → encodeList → listDecoder gives the same objects", async () => {
  const first = await decodeList(await replayBody(POD_LIST), "pods");
  const again = await decodeList(listText(first.meta, first.items), "pods");
  assertEquals(again.meta, first.meta);
  assertEquals(again.items.map(withText), first.items.map(withText));
});
