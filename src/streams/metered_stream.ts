/**
 * A pass-through stream that reports the size of each chunk as it goes by.
 * @module
 */

/**
 * Passes `source` through unchanged, one chunk per client pull, reporting each chunk's size.
 * Without `onChunk` the source itself is returned.
 */
export function meteredStream(
  source: ReadableStream<Uint8Array>,
  onChunk?: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  if (!onChunk) return source;
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const result = await reader.read();
      if (result.done) return controller.close();
      onChunk(result.value.byteLength);
      controller.enqueue(result.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
