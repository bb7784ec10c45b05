/** Test sources and sinks for the stream tools. */
/** A source of `count` chunks of `size` bytes (chunk i filled with i % 256), counting pulls. */
export function source(count: number, size: number) {
  const stats = { pulled: 0, cancelled: undefined as unknown };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (stats.pulled === count) return controller.close();
      controller.enqueue(new Uint8Array(size).fill(stats.pulled % 256));
      stats.pulled++;
    },
    cancel(reason) {
      stats.cancelled = reason ?? "cancelled";
    },
  }, { highWaterMark: 0 });
  return { stream, stats };
}

/** Every chunk of `stream`, in order. */
export async function drain(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
