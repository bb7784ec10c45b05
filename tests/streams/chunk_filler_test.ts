import assert from "node:assert/strict";
import { ChunkFiller } from "../../src/streams/chunk_filler.ts";
import { seededRandom } from "../kube/json/fixtures.ts";

/** A varint as protobuf writes it, computed with bigints (independent of the filler's loop). */
function varintBytes(value: number): number[] {
  const out: number[] = [];
  let v = BigInt(value);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

function drain(filler: ChunkFiller): Uint8Array[] {
  return [...filler.take()];
}

Deno.test("ChunkFiller: generated writes come out in full chunks, in order, copied", () => {
  const random = seededRandom(20261206);
  for (let round = 0; round < 300; round++) {
    const chunkBytes = 1 + Math.floor(random() * (round % 3 === 0 ? 8 : 200));
    const filler = new ChunkFiller(chunkBytes);
    const expected: number[] = [];
    const pieces: Uint8Array[] = [];
    const chunks: Uint8Array[] = [];
    const steps = Math.floor(random() * 40);
    for (let step = 0; step < steps; step++) {
      const kind = random();
      if (kind < 0.5) {
        const length = Math.floor(random() * (random() < 0.2 ? 3 * chunkBytes + 5 : 20));
        const piece = Uint8Array.from({ length }, () => Math.floor(random() * 256));
        filler.write(piece);
        pieces.push(piece);
        expected.push(...piece);
      } else if (kind < 0.75) {
        const value = Math.floor(random() * 256);
        filler.byte(value);
        expected.push(value);
      } else {
        const value = Math.floor(random() * 2 ** (1 + Math.floor(random() * 53)));
        filler.varint(value);
        expected.push(...varintBytes(value));
      }
      if (random() < 0.3) chunks.push(...drain(filler));
    }
    chunks.push(...drain(filler));
    for (const chunk of chunks) assert.equal(chunk.length, chunkBytes);
    const [last, ...more] = filler.end();
    assert.equal(more.length, 0);
    if (last) {
      assert.ok(last.length > 0 && last.length < chunkBytes);
      chunks.push(last);
    }
    // The pieces are changed afterwards: the chunks hold copies.
    for (const piece of pieces) piece.fill(0xee);
    assert.deepEqual(chunks.flatMap((chunk) => [...chunk]), expected, `round ${round}`);
    for (const chunk of chunks) {
      assert.ok(pieces.every((piece) => piece.buffer !== chunk.buffer));
    }
  }
});

Deno.test("ChunkFiller: every full chunk is a fresh buffer; an empty filler has no rest", () => {
  const filler = new ChunkFiller(4);
  assert.deepEqual([...filler.end()], []);
  const again = new ChunkFiller(4);
  again.write(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9));
  const [a, b] = again.take();
  assert.notEqual(a.buffer, b.buffer);
  assert.deepEqual([...again.end()].map((chunk) => [...chunk]), [[9]]);
});

Deno.test("ChunkFiller: refuses a chunk size that is not a positive integer", () => {
  for (const size of [0, -1, 1.5, NaN]) assert.throws(() => new ChunkFiller(size), RangeError);
});
