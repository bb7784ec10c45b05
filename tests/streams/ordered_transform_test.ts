import assert from "node:assert/strict";
import { orderedTransform } from "../../src/streams/ordered_transform.ts";

/** A decoder emitting each byte as a number, failing on 0 and, optionally, at the end. */
function bytesDecoder(failAtEnd = false) {
  return orderedTransform<Uint8Array, number>({
    push(chunk, emit) {
      for (const byte of chunk) {
        if (byte === 0) throw new Error("zero");
        emit(byte);
      }
    },
    finish() {
      if (failAtEnd) throw new Error("end");
    },
  });
}

async function collect(chunks: number[][], failAtEnd = false) {
  const out: number[] = [];
  const stream = ReadableStream.from(chunks.map((c) => Uint8Array.from(c)))
    .pipeThrough(bytesDecoder(failAtEnd));
  try {
    for await (const n of stream) out.push(n);
    return { out };
  } catch (error) {
    return { out, error: (error as Error).message };
  }
}

Deno.test("ordered transform: outputs pass through in order", async () => {
  assert.deepEqual(await collect([[1, 2], [3]]), { out: [1, 2, 3] });
});

Deno.test("ordered transform: outputs from the failing chunk come before the error", async () => {
  assert.deepEqual(await collect([[1], [2, 3, 0, 4], [5]]), { out: [1, 2, 3], error: "zero" });
});

Deno.test("ordered transform: a failing finish comes after every output", async () => {
  assert.deepEqual(await collect([[1, 2, 3]], true), { out: [1, 2, 3], error: "end" });
});

Deno.test("ordered transform: an error cancels the source", async () => {
  let cancelled = false;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(Uint8Array.of(0));
    },
    cancel() {
      cancelled = true;
    },
  });
  await assert.rejects(source.pipeThrough(bytesDecoder()).pipeTo(new WritableStream()), /zero/);
  assert.equal(cancelled, true);
});

Deno.test("ordered transform: cancelling the reader cancels the source", async () => {
  const { promise: cancelled, resolve } = Promise.withResolvers<unknown>();
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(Uint8Array.of(1));
    },
    cancel: resolve,
  });
  const reader = source.pipeThrough(bytesDecoder()).getReader();
  assert.deepEqual(await reader.read(), { done: false, value: 1 });
  await reader.cancel("bye");
  assert.equal(await cancelled, "bye");
});
