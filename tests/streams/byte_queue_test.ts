import assert from "node:assert/strict";
import { ByteQueue } from "../../src/streams/byte_queue.ts";

function queueOf(...chunks: number[][]): ByteQueue {
  const queue = new ByteQueue();
  for (const chunk of chunks) queue.push(Uint8Array.from(chunk));
  return queue;
}

Deno.test("byte queue: a range inside one chunk is a view, not a copy", () => {
  const chunk = Uint8Array.of(1, 2, 3, 4);
  const queue = new ByteQueue();
  queue.push(chunk);
  const taken = queue.take(3);
  assert.equal(taken.buffer, chunk.buffer);
  assert.deepEqual([...taken], [1, 2, 3]);
  assert.equal(queue.length, 1);
});

Deno.test("byte queue: a range spanning chunks is joined", () => {
  const queue = queueOf([1, 2], [3], [4, 5, 6]);
  assert.deepEqual([...queue.peek(5)], [1, 2, 3, 4, 5]);
  assert.deepEqual([...queue.take(4)], [1, 2, 3, 4]);
  assert.deepEqual([...queue.take(2)], [5, 6]);
  assert.equal(queue.length, 0);
});

Deno.test("byte queue: discard drops at most what is queued", () => {
  const queue = queueOf([1, 2], [3]);
  assert.equal(queue.discard(10), 3);
  assert.equal(queue.length, 0);
  assert.equal(queue.discard(1), 0);
});

Deno.test("byte queue: discard across a chunk boundary keeps the rest", () => {
  const queue = queueOf([1, 2], [3, 4]);
  queue.discard(3);
  assert.deepEqual([...queue.take(1)], [4]);
});

Deno.test("byte queue: empty chunks are ignored and zero-length takes work", () => {
  const queue = queueOf([], [7]);
  assert.deepEqual([...queue.take(0)], []);
  assert.deepEqual([...queue.take(1)], [7]);
});

Deno.test("byte queue: peeking past the end throws", () => {
  assert.throws(() => queueOf([1]).peek(2), RangeError);
});
