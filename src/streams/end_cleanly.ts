/**
 * A pass-through stream that ends cleanly instead of erroring, and ends early on a signal.
 * @module
 */

/**
 * Passes `source` through unchanged, but ends cleanly instead of erroring when `source` fails,
 * and ends (cancelling `source`) as soon as `signal` aborts. For watch streams, where a clean end
 * makes clients re-watch from the last event they saw.
 */
export function endCleanly(
  source: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let ended = false;
  const end = () => {
    if (ended) return false;
    ended = true;
    signal.removeEventListener("abort", onAbort);
    return true;
  };
  const onAbort = () => {
    if (!end()) return;
    controller.close();
    reader.cancel(signal.reason).catch(() => {});
  };
  return new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      if (signal.aborted) onAbort();
      else signal.addEventListener("abort", onAbort);
    },
    async pull() {
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch {
        result = { done: true, value: undefined };
      }
      if (ended) return;
      if (!result.done) return controller.enqueue(result.value);
      end();
      controller.close();
    },
    cancel(reason) {
      end();
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
