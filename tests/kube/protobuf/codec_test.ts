import assert from "node:assert/strict";
import type { ListPart, RawObject, WatchEvent } from "../../../src/kube/types.ts";
import { notFound } from "../../../src/kube/status.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { setName, setResourceVersion } from "../../../src/kube/protobuf/rewrite.ts";
import { decodeStatusMessage } from "../../../src/kube/protobuf/status.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { readPb } from "./fixtures.ts";

const pod = protobufCodec.decodeObject(readPb("core.v1.Pod"), "pods");

function variant(name: string, rv: string): RawObject {
  return protobufCodec.decodeObject(
    protobufCodec.encodeObject({ ...pod, bytes: setResourceVersion(setName(pod.bytes, name), rv) }),
    "pods",
  );
}

async function collect<T>(chunks: Iterable<Uint8Array>, decoder: TransformStream<Uint8Array, T>) {
  const out: T[] = [];
  for await (const item of ReadableStream.from(chunks).pipeThrough(decoder)) out.push(item);
  return out;
}

Deno.test("codec: media types", () => {
  assert.equal(protobufCodec.mediaType, "application/vnd.kubernetes.protobuf");
  assert.equal(
    protobufCodec.watchContentType,
    "application/vnd.kubernetes.protobuf;stream=watch",
  );
});

Deno.test("codec: decodeObject keeps the object's own bytes and reads its fields", () => {
  assert.deepEqual(pod.typeMeta, { apiVersion: "v1", kind: "Pod" });
  assert.equal(pod.meta.name, "nameValue");
  assert.equal(pod.fields["spec.nodeName"], "nodeNameValue");
  assert.deepEqual(protobufCodec.encodeObject(pod), readPb("core.v1.Pod"));
});

Deno.test("codec: decodeObject rejects a JSON body", () => {
  const json = new TextEncoder().encode('{"kind":"Pod","apiVersion":"v1"}');
  assert.throws(() => protobufCodec.decodeObject(json, "pods"), ProtobufError);
});

Deno.test("codec: encodeList output streams back through listDecoder", async () => {
  const objects = [variant("a", "1"), variant("b", "2"), variant("c", "3")];
  const meta = { apiVersion: "v1", kind: "PodList", resourceVersion: "3", continue: "" };
  const generated = (function* () {
    yield* objects;
  })();
  const parts = await collect(
    protobufCodec.encodeList(meta, generated),
    protobufCodec.listDecoder("pods"),
  );
  assert.deepEqual(parts, [
    { type: "meta", meta },
    ...objects.map((object): ListPart => ({
      type: "item",
      object,
    })),
  ]);
});

Deno.test("codec: encodeWatchEvent frames stream back through watchDecoder", async () => {
  const events: WatchEvent[] = [
    { type: "ADDED", object: variant("a", "1") },
    { type: "MODIFIED", object: variant("a", "2") },
    { type: "DELETED", object: variant("a", "3") },
  ];
  const frames = events.map((e) => protobufCodec.encodeWatchEvent(e.type, e.object));
  assert.deepEqual(await collect(frames, protobufCodec.watchDecoder("pods")), events);
});

Deno.test("codec: a Status body decodes to a Status object usable as an ERROR event", async () => {
  const body = protobufCodec.encodeStatus(notFound("", "pods", "gone"));
  const status = protobufCodec.decodeObject(body, "pods");
  assert.deepEqual(status.typeMeta, { apiVersion: "v1", kind: "Status" });
  assert.deepEqual(status.fields, {});
  const frame = protobufCodec.encodeWatchEvent("ERROR", status);
  const [event] = await collect([frame], protobufCodec.watchDecoder("pods"));
  assert.equal(event.type, "ERROR");
  assert.equal(decodeStatusMessage(event.object.bytes).code, 404);
});
