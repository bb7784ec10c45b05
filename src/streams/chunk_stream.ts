/**
 * A byte stream over an iterable of chunks, pulled one chunk at a time.
 * @module
 */

/** A default (not byte) stream pulling one chunk at a time from `chunks`. */
export function chunkStream(chunks: Iterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel() {
      iterator.return?.();
    },
  }, { highWaterMark: 0 });
}
