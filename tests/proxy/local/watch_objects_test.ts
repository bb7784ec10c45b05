import assert from "node:assert/strict";
import { jsonCodec } from "../../../src/kube/json/codec.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { findVarint } from "../../../src/kube/protobuf/message.ts";
import { expired } from "../../../src/kube/status.ts";
import type { WireCodec } from "../../../src/kube/codec.ts";
import type { WatchEvent } from "../../../src/kube/types.ts";
import { statusObject } from "../../../src/proxy/local/watch_objects.ts";

async function decodeEvents(codec: WireCodec, frame: Uint8Array): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const stream = ReadableStream.from([frame]).pipeThrough(codec.watchDecoder("pods"));
  for await (const event of stream) events.push(event);
  return events;
}

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
