import assert from "node:assert/strict";
import { jsonCodec } from "../../../src/kube/json/codec.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { findVarint } from "../../../src/kube/protobuf/message.ts";
import { readObjectMetaDetails } from "../../../src/kube/protobuf/object_meta.ts";
import { expired } from "../../../src/kube/status.ts";
import type { WireCodec } from "../../../src/kube/codec.ts";
import type { WatchEvent } from "../../../src/kube/types.ts";
import {
  bookmarkObject,
  INITIAL_EVENTS_END,
  statusObject,
} from "../../../src/proxy/local/watch_objects.ts";

const POD = { kind: "Pod", apiVersion: "v1" };

async function decodeEvents(codec: WireCodec, frame: Uint8Array): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const stream = ReadableStream.from([frame]).pipeThrough(codec.watchDecoder("pods"));
  for await (const event of stream) events.push(event);
  return events;
}

Deno.test("bookmark: JSON initial-events-end bookmark has the kind, RV and annotation", async () => {
  const object = bookmarkObject("application/json", POD, "550", true);
  const [event] = await decodeEvents(jsonCodec, jsonCodec.encodeWatchEvent("BOOKMARK", object));
  assert.deepEqual(event.type, "BOOKMARK");
  assert.deepEqual(event.object.meta.resourceVersion, "550");
  const json = JSON.parse(new TextDecoder().decode(event.object.bytes));
  assert.deepEqual(json.kind, "Pod");
  assert.deepEqual(json.apiVersion, "v1");
  assert.deepEqual(json.metadata.annotations, { [INITIAL_EVENTS_END]: "true" });
});

Deno.test("bookmark: a periodic JSON bookmark has no annotation", () => {
  const object = bookmarkObject("application/json", POD, "7", false);
  const json = JSON.parse(new TextDecoder().decode(object.bytes));
  assert.deepEqual(json.metadata, { resourceVersion: "7" });
});

Deno.test("bookmark: protobuf bookmark decodes with its RV, annotation and envelope type", async () => {
  const object = bookmarkObject("application/vnd.kubernetes.protobuf", POD, "550", true);
  const frame = protobufCodec.encodeWatchEvent("BOOKMARK", object);
  const [event] = await decodeEvents(protobufCodec, frame);
  assert.deepEqual(event.type, "BOOKMARK");
  assert.deepEqual(event.object.typeMeta, POD);
  assert.deepEqual(event.object.meta.resourceVersion, "550");
  assert.deepEqual(readObjectMetaDetails(event.object.bytes).annotations, {
    [INITIAL_EVENTS_END]: "true",
  });
});

for (const codec of [jsonCodec, protobufCodec]) {
  Deno.test(`error event: a 410 Status round-trips as an ERROR event (${codec.mediaType})`, async () => {
    const object = statusObject(codec, expired("too old resource version: 1 (5)"));
    const [event] = await decodeEvents(codec, codec.encodeWatchEvent("ERROR", object));
    assert.deepEqual(event.type, "ERROR");
    assert.deepEqual(event.object.typeMeta.kind, "Status");
    const code = codec === jsonCodec
      ? JSON.parse(new TextDecoder().decode(event.object.bytes)).code
      : Number(findVarint(event.object.bytes, 6));
    assert.deepEqual(code, 410);
  });
}
