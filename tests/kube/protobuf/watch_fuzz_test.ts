import assert from "node:assert/strict";
import { encodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { frameHeader } from "../../../src/kube/protobuf/frames.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { TruncatedBody } from "../../../src/streams/ordered_transform.ts";
import { readPb } from "./fixtures.ts";
import { decoderError, goFrame, join, runWatch, withLength } from "./watch_helpers.ts";

/** mulberry32: a small seeded PRNG, so every run checks the same cases. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MAX_FRAME = 4096;
const GOOD = [
  ["ADDED", readPb("core.v1.ConfigMap")],
  ["MODIFIED", readPb("coordination.k8s.io.v1.Lease")],
  ["ERROR", readPb("core.v1.Status")],
  ["BOOKMARK", readPb("core.v1.Secret")],
] as const;

type Bad = "truncated" | "oversized" | "garbage";

/** Splits `bytes` at random points into chunks of 1 to `maxChunk` bytes. */
function chunk(bytes: Uint8Array, random: () => number, maxChunk: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  return chunks;
}

function badFrame(kind: Bad, random: () => number): { bytes: Uint8Array; ends: boolean } {
  const int = (n: number) => Math.floor(random() * n);
  switch (kind) {
    case "truncated": {
      const [type, body] = GOOD[int(GOOD.length)];
      const frame = goFrame(type, body);
      return { bytes: frame.subarray(0, 1 + int(frame.length - 1)), ends: true };
    }
    case "oversized": {
      const length = MAX_FRAME + 1 + int(0xffffffff - MAX_FRAME);
      return { bytes: join([frameHeader(length), new Uint8Array(int(64))]), ends: false };
    }
    case "garbage": {
      const body = Uint8Array.from({ length: int(300) }, () => int(256));
      return { bytes: withLength(body), ends: false };
    }
  }
}

Deno.test("watch fuzz: 3000 seeded streams with a bad frame emit only the good events, then fail", async () => {
  const random = prng(0x5eed);
  const kinds: Bad[] = ["truncated", "oversized", "garbage"];
  const counts = { truncated: 0, oversized: 0, garbage: 0 };
  for (let i = 0; i < 3000; i++) {
    const good = Array.from(
      { length: Math.floor(random() * 4) },
      () => GOOD[Math.floor(random() * GOOD.length)],
    );
    const kind = kinds[i % kinds.length];
    const bad = badFrame(kind, random);
    const tail = bad.ends ? [] : [goFrame("ADDED", GOOD[0][1])];
    const bytes = join([...good.map(([type, body]) => goFrame(type, body)), bad.bytes, ...tail]);
    const run = await runWatch(chunk(bytes, random, 1 + Math.floor(random() * 700)), {
      maxFrameBytes: MAX_FRAME,
    });
    assert.ok(
      decoderError(run.error) instanceof ProtobufError,
      `case ${i} (${kind}): ${run.error}`,
    );
    assert.equal(run.error instanceof TruncatedBody, kind === "truncated", `case ${i} (${kind})`);
    assert.deepEqual(
      run.events.map((e) => [e.type, encodeEnvelope(e.object.typeMeta, e.object.bytes)]),
      good,
      `case ${i} (${kind})`,
    );
    counts[kind]++;
  }
  assert.deepEqual(counts, { truncated: 1000, oversized: 1000, garbage: 1000 });
});

Deno.test("watch fuzz: 2000 seeded random byte streams fail cleanly and emit nothing", async () => {
  const random = prng(0xbad);
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from(
      { length: 4 + Math.floor(random() * 400) },
      () => Math.floor(random() * 256),
    );
    if (i % 2 === 0) bytes.set(frameHeader(Math.floor(random() * 300)));
    const run = await runWatch(chunk(bytes, random, 64), { maxFrameBytes: MAX_FRAME });
    assert.ok(decoderError(run.error) instanceof ProtobufError, `case ${i}: ${run.error}`);
    assert.equal(run.events.length, 0, `case ${i}`);
  }
});

Deno.test("watch fuzz: 2000 seeded corruptions of one valid frame never yield a wrong event", async () => {
  const random = prng(0xf1f);
  const [type, body] = GOOD[0];
  const frame = goFrame(type, body);
  for (let i = 0; i < 2000; i++) {
    const corrupted = frame.slice();
    const flips = 1 + Math.floor(random() * 4);
    for (let f = 0; f < flips; f++) {
      corrupted[Math.floor(random() * corrupted.length)] = Math.floor(random() * 256);
    }
    const run = await runWatch(chunk(corrupted, random, 128), { maxFrameBytes: MAX_FRAME });
    if (run.error !== undefined) {
      assert.ok(decoderError(run.error) instanceof ProtobufError, `case ${i}: ${run.error}`);
    }
    // A flip inside a string can leave a valid frame: then exactly one event and no error.
    assert.ok(run.events.length <= 1, `case ${i}`);
    if (run.events.length === 1) assert.equal(run.error, undefined, `case ${i}`);
  }
});
