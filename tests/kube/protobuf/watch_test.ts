import assert from "node:assert/strict";
import { decodeEnvelope, encodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { frameHeader, FrameSplitter } from "../../../src/kube/protobuf/frames.ts";
import { decodeStatusMessage } from "../../../src/kube/protobuf/status.ts";
import {
  decodeWatchFrame,
  encodeWatchFrame,
  parseWatchEvent,
} from "../../../src/kube/protobuf/watch.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { readPb } from "./fixtures.ts";
import { decoderError, goFrame, join, runWatch, withLength } from "./watch_helpers.ts";

const configMapBody = readPb("core.v1.ConfigMap");
const statusBody = readPb("core.v1.Status");
const leaseBody = readPb("coordination.k8s.io.v1.Lease");
const stream = join([
  goFrame("ADDED", configMapBody),
  goFrame("MODIFIED", leaseBody),
  goFrame("ERROR", statusBody),
  goFrame("DELETED", configMapBody),
]);
const expected = [
  ["ADDED", configMapBody],
  ["MODIFIED", leaseBody],
  ["ERROR", statusBody],
  ["DELETED", configMapBody],
] as const;

function assertEvents(run: Awaited<ReturnType<typeof runWatch>>) {
  assert.equal(run.error, undefined);
  assert.deepEqual(
    run.events.map((e) => [e.type, encodeEnvelope(e.object.typeMeta, e.object.bytes)]),
    expected,
  );
}

Deno.test("watch: encodeWatchFrame writes frames exactly as apimachinery does", () => {
  const pod = decodeEnvelope(readPb("core.v1.Pod"));
  assert.deepEqual(
    encodeWatchFrame("ADDED", pod, pod.raw),
    goFrame("ADDED", readPb("core.v1.Pod")),
  );
});

Deno.test("watch: frames carry a big-endian length and no magic before the WatchEvent", () => {
  const frame = goFrame("BOOKMARK", configMapBody);
  assert.deepEqual([...frame.subarray(0, 4)], [...frameHeader(frame.length - 4)]);
  assert.equal(frame[4], 0x0a, "WatchEvent field 1 (type) comes first");
  const event = parseWatchEvent(frame.subarray(4));
  assert.equal(event.type, "BOOKMARK");
  assert.deepEqual(event.raw, configMapBody, "object.raw holds the enveloped object");
});

Deno.test("watch: decoded events hold the object's own bytes and the envelope typeMeta", () => {
  const event = decodeWatchFrame(goFrame("ADDED", configMapBody).subarray(4));
  assert.equal(event.type, "ADDED");
  assert.deepEqual(event.object.typeMeta, { apiVersion: "v1", kind: "ConfigMap" });
  assert.deepEqual(event.object.bytes, decodeEnvelope(configMapBody).raw);
  assert.equal(event.object.meta.name, "nameValue");
});

Deno.test("watch: an ERROR event carries the Status, with empty metadata", () => {
  const event = decodeWatchFrame(goFrame("ERROR", statusBody).subarray(4));
  assert.equal(event.object.meta.name, "");
  assert.equal(decodeStatusMessage(event.object.bytes).reason, "reasonValue");
});

Deno.test("watch: one chunk decodes every event", async () => {
  assertEvents(await runWatch([stream]));
});

Deno.test("watch: every two-chunk split decodes the same events", async () => {
  for (let cut = 0; cut <= stream.length; cut++) {
    assertEvents(await runWatch([stream.subarray(0, cut), stream.subarray(cut)]));
  }
});

Deno.test("watch: one-byte chunks decode the same events", async () => {
  assertEvents(await runWatch(Array.from(stream, (b) => Uint8Array.of(b))));
});

Deno.test("watch: an empty stream ends cleanly with no events", async () => {
  assert.deepEqual(await runWatch([]), { events: [] });
});

async function assertFailsAfter(chunks: Uint8Array[], good: number, message: RegExp, max?: number) {
  const run = await runWatch(chunks, max === undefined ? {} : { maxFrameBytes: max });
  const error = decoderError(run.error);
  assert.ok(error instanceof ProtobufError, String(run.error));
  assert.match(error.message, message);
  assert.equal(run.events.length, good, "no event from the bad frame");
}

Deno.test("watch: a frame cut short fails at the end, after the good events only", async () => {
  const good = goFrame("ADDED", configMapBody);
  const bad = goFrame("MODIFIED", configMapBody);
  await assertFailsAfter([good, bad.subarray(0, 100)], 1, /truncated watch frame/);
});

Deno.test("watch: good events sharing a chunk with a bad frame are delivered first", async () => {
  const good = goFrame("ADDED", configMapBody);
  const garbage = withLength(Uint8Array.of(0xff, 0xff));
  await assertFailsAfter([join([good, good, garbage, good])], 2, /malformed/);
  await assertFailsAfter([join([good, good, good.subarray(0, 9)])], 2, /truncated/);
});

Deno.test("watch: a cut length prefix fails as a truncated header", async () => {
  await assertFailsAfter([Uint8Array.of(0, 0)], 0, /truncated watch frame header/);
});

Deno.test("watch: an oversized length fails as soon as the prefix arrives", async () => {
  const good = goFrame("ADDED", configMapBody);
  const huge = frameHeader(5000);
  await assertFailsAfter([good, huge, good], 1, /exceeds the 4096 byte limit/, 4096);
});

Deno.test("watch: a 4 GiB length without a limit allocates nothing and fails at the end", async () => {
  await assertFailsAfter([frameHeader(0xffffffff)], 0, /0 of 4294967295/, Infinity);
});

Deno.test("watch: an unknown event type is rejected", async () => {
  await assertFailsAfter([goFrame("SYNC", configMapBody)], 0, /unknown watch event type/);
});

Deno.test("watch: an event without an object is rejected", async () => {
  const frame = withLength(Uint8Array.of(0x0a, 0x05, ...new TextEncoder().encode("ADDED")));
  await assertFailsAfter([frame], 0, /carries no object/);
});

Deno.test("watch: an object without the k8s magic (JSON raw) is rejected", async () => {
  const { raw } = decodeEnvelope(readPb("core.v1.WatchEvent"));
  const json = parseWatchEvent(raw).raw;
  await assertFailsAfter([goFrame("ADDED", json)], 0, /magic prefix is missing/);
});

Deno.test("watch: an object with a contentType is rejected", async () => {
  const envelope = decodeEnvelope(configMapBody);
  const typed = encodeEnvelope(envelope, envelope.raw, "", "application/json");
  await assertFailsAfter([goFrame("ADDED", typed)], 0, /unsupported protobuf envelope content/);
});

Deno.test("watch: a zero-length frame is rejected", async () => {
  await assertFailsAfter([frameHeader(0)], 0, /unknown watch event type ""/);
});

Deno.test("watch: garbage bytes in a frame are rejected", async () => {
  const garbage = withLength(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f));
  await assertFailsAfter([goFrame("ADDED", configMapBody), garbage], 1, /malformed/);
});

Deno.test("watch: FrameSplitter hands out frames inside one chunk without copying", () => {
  const frames: Uint8Array[] = [];
  new FrameSplitter().push(stream, (frame) => frames.push(frame));
  assert.equal(frames.length, 4);
  for (const frame of frames) assert.equal(frame.buffer, stream.buffer);
});
