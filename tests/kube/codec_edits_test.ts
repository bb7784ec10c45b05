import assert from "node:assert/strict";
import type { WireCodec } from "../../src/kube/codec.ts";
import { jsonCodec } from "../../src/kube/json/codec.ts";
import { protobufCodec } from "../../src/kube/protobuf/codec.ts";
import { readObjectMetaDetails } from "../../src/kube/protobuf/object_meta.ts";
import { messageField, stringField } from "../../src/kube/protobuf/wire.ts";
import { concat } from "../../src/streams/concat.ts";
import type { WatchEvent } from "../../src/kube/types.ts";
import { pendingGenerateName } from "../../src/kube/json/edits.ts";
import { endsInitialEvents, INITIAL_EVENTS_END } from "../../src/kube/watch_list.ts";
import { bytesOf, replayBody } from "./json/fixtures.ts";
import { readPb } from "./protobuf/fixtures.ts";

const POD = { kind: "Pod", apiVersion: "v1" };
const FIXTURES = new URL("../../../shared/fixtures/k8s-api-testdata/", import.meta.url);

async function decodeEvents(codec: WireCodec, frame: Uint8Array): Promise<WatchEvent[]> {
  const stream = ReadableStream.from([frame]).pipeThrough(codec.watchDecoder("pods"));
  return await Array.fromAsync(stream);
}

/** The annotations of an object in `codec`'s format. */
function annotationsOf(codec: WireCodec, bytes: Uint8Array): Record<string, string> | undefined {
  if (codec === protobufCodec) return readObjectMetaDetails(bytes).annotations;
  return JSON.parse(new TextDecoder().decode(bytes)).metadata.annotations;
}

/** The Lease fixture decoded with `codec`. */
function lease(codec: WireCodec) {
  const name = "coordination.k8s.io.v1.Lease";
  const body = codec === protobufCodec
    ? readPb(name)
    : Deno.readFileSync(new URL(`${name}.json`, FIXTURES));
  return codec.decodeObject(body, "leases");
}

for (const codec of [jsonCodec, protobufCodec]) {
  const format = codec.mediaType;

  Deno.test(`bookmark: the watch-list end marker round-trips with its kind and RV (${format})`, async () => {
    const object = codec.bookmark(POD, "550", true);
    assert.deepEqual(object.meta.resourceVersion, "550");
    assert.ok(endsInitialEvents(object));
    const [event] = await decodeEvents(codec, codec.encodeWatchEvent("BOOKMARK", object));
    assert.deepEqual(event.type, "BOOKMARK");
    assert.deepEqual(event.object.typeMeta, POD);
    assert.deepEqual(event.object.meta.resourceVersion, "550");
    assert.deepEqual(annotationsOf(codec, event.object.bytes), { [INITIAL_EVENTS_END]: "true" });
    assert.ok(endsInitialEvents(event.object));
  });

  Deno.test(`bookmark: a periodic bookmark has no annotation (${format})`, async () => {
    const object = codec.bookmark(POD, "7", false);
    assert.ok(!endsInitialEvents(object));
    const [event] = await decodeEvents(codec, codec.encodeWatchEvent("BOOKMARK", object));
    assert.deepEqual(event.object.meta.resourceVersion, "7");
    const annotations = annotationsOf(codec, event.object.bytes);
    assert.ok(annotations === undefined || Object.keys(annotations).length === 0);
  });

  Deno.test(`setMetadata: the Lease fixture gets namespace, uid and RV, all else kept (${format})`, () => {
    const original = lease(codec);
    const fields = { namespace: "kube-node-lease", uid: "u-1", resourceVersion: "42" };
    const bytes = codec.setMetadata(original.bytes, fields);
    const stamped = codec.decodeObject(codec.encodeObject({ ...original, bytes }), "leases");
    assert.deepEqual(stamped.meta, { ...original.meta, ...fields });
    assert.deepEqual(stamped.typeMeta, original.typeMeta);
    assert.deepEqual(stamped.fields["metadata.name"], original.fields["metadata.name"]);
    // Setting the values it already has gives the same object back.
    const same = codec.setMetadata(bytes, fields);
    if (codec === protobufCodec) assert.deepEqual(same, bytes);
    else {assert.deepEqual(
        JSON.parse(new TextDecoder().decode(same)),
        JSON.parse(new TextDecoder().decode(bytes)),
      );}
  });
}

Deno.test("setMetadata: JSON keeps every member and the metadata order, new ones last", () => {
  const original = lease(jsonCodec);
  const bytes = jsonCodec.setMetadata(original.bytes, { uid: "u-2", resourceVersion: "9" });
  const before = JSON.parse(new TextDecoder().decode(original.bytes));
  const after = JSON.parse(new TextDecoder().decode(bytes));
  assert.deepEqual(Object.keys(after), Object.keys(before));
  assert.deepEqual(Object.keys(after.metadata), Object.keys(before.metadata));
  assert.deepEqual(after, {
    ...before,
    metadata: { ...before.metadata, uid: "u-2", resourceVersion: "9" },
  });
  const bare = jsonCodec.setMetadata(bytesOf('{"kind":"Lease"}'), { namespace: "n" });
  assert.deepEqual(new TextDecoder().decode(bare), '{"kind":"Lease","metadata":{"namespace":"n"}}');
});

Deno.test("setMetadata: protobuf inserts absent fields in field order", () => {
  const bookmark = protobufCodec.bookmark(POD, "5", false); // ObjectMeta holds only field 6
  const stamped = protobufCodec.setMetadata(bookmark.bytes, { namespace: "n", uid: "u" });
  const meta = [stringField(3, "n"), stringField(5, "u"), stringField(6, "5")];
  assert.deepEqual(stamped, messageField(1, concat(meta)));
});

Deno.test("values: JSON objects decode to values and encode back to the same object", () => {
  assert.ok(jsonCodec.values);
  assert.equal(protobufCodec.values, undefined); // protobuf needs the type's schema
  for (const name of ["core.v1.Pod", "core.v1.Node", "coordination.k8s.io.v1.Lease"]) {
    const bytes = Deno.readFileSync(new URL(`${name}.json`, FIXTURES));
    const resource = name.split(".").at(-1)!.toLowerCase() + "s";
    const object = jsonCodec.decodeObject(bytes, resource);
    const value = jsonCodec.values.decode(object.bytes);
    assert.deepEqual(value, JSON.parse(new TextDecoder().decode(bytes)));
    const encoded = jsonCodec.values.encode(value, resource);
    assert.deepEqual([encoded.meta, encoded.fields, encoded.typeMeta], [
      object.meta,
      object.fields,
      object.typeMeta,
    ]);
  }
  assert.throws(() => jsonCodec.values!.decode(bytesOf("[1]")), TypeError);
  assert.throws(() => jsonCodec.values!.decode(bytesOf("{")), SyntaxError);
});

Deno.test("endsInitialEvents: the end marker of a captured watch-list, and no other event", async () => {
  const body = await replayBody("k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json");
  const events = await decodeEvents(jsonCodec, bytesOf(body));
  const ends = events.filter((event) => endsInitialEvents(event.object));
  assert.deepEqual(ends.map((event) => [event.type, event.object.meta.resourceVersion]), [
    ["BOOKMARK", "550"],
  ]);
});

Deno.test("pendingGenerateName: only a JSON object with generateName and no name has one", () => {
  const cases: [string, string | undefined][] = [
    ['{"kind":"Event","metadata":{"generateName":"node-0."}}', "node-0."],
    ['{"metadata":{"generateName":"a.","name":""}}', "a."],
    ['{"metadata":{"generateName":"a.","name":"b"}}', undefined],
    ['{"metadata":{"generateName":""}}', undefined],
    ['{"metadata":{"generateName":7}}', undefined],
    ['{"metadata":null}', undefined],
    ["null", undefined],
    ["[1]", undefined],
    ["{", undefined],
  ];
  for (const [text, expected] of cases) {
    assert.deepEqual([text, pendingGenerateName(bytesOf(text))], [text, expected]);
  }
  const named = jsonCodec.setMetadata(
    bytesOf('{"kind":"Event","metadata":{"generateName":"n."},"message":"m"}'),
    { name: "n.x" },
  );
  assert.deepEqual(
    new TextDecoder().decode(named),
    '{"kind":"Event","metadata":{"generateName":"n.","name":"n.x"},"message":"m"}',
  );
});

Deno.test("setMetadata: protobuf sets metadata.name too", () => {
  const original = lease(protobufCodec);
  const bytes = protobufCodec.setMetadata(original.bytes, { name: "renamed" });
  assert.deepEqual(readObjectMetaDetails(bytes).name, "renamed");
});
