/**
 * The one decoding stage of every wire format: a transform stream whose error reaches the reader
 * only after every output produced before it. A plain `TransformStream` that throws discards the
 * outputs still queued, so the good events decoded from the same chunk as a bad frame (or queued
 * when a truncated body ends) would be lost. Here the decoder's failure travels as a marker behind
 * those outputs, and a second stage (read-paced, high-water mark 0) turns it into the stream error
 * once they have been read. A failure at the end of the input (the body stopped inside a value)
 * surfaces as {@linkcode TruncatedBody}, so readers can tell a cut from malformed content.
 * Pure: no I/O.
 * @module
 */

/**
 * A synchronous decoder: `push` a chunk, outputs go to `emit`; at the end of the input, `drain`
 * (optional) decodes what it held back waiting for more input, whose faults are the content's,
 * then `finish` emits what the end of the input completes and throws when the input ended inside
 * a value.
 */
export interface Decoder<I, O> {
  push(chunk: I, emit: (output: O) => void): void;
  drain?(emit: (output: O) => void): void;
  finish(emit: (output: O) => void): void;
}

/** The input ended before the value being decoded was complete (`cause` is the decoder's error). */
export class TruncatedBody extends Error {
  /** Wraps the decoder's end-of-input error, keeping its message. */
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = "TruncatedBody";
  }
}

class Failure {
  constructor(readonly error: unknown) {}
}

/** Runs `decoder` as a stream; the first error stops decoding and errors the readable in order. */
export function orderedTransform<I, O>(decoder: Decoder<I, O>): TransformStream<I, O> {
  let failed = false;
  const decode = new TransformStream<I, O | Failure>({
    transform(chunk, controller) {
      if (failed) return;
      try {
        decoder.push(chunk, (output) => controller.enqueue(output));
      } catch (error) {
        failed = true;
        controller.enqueue(new Failure(error));
      }
    },
    flush(controller) {
      if (failed) return;
      const emit = (output: O) => controller.enqueue(output);
      try {
        decoder.drain?.(emit);
      } catch (error) {
        controller.enqueue(new Failure(error));
        return;
      }
      try {
        decoder.finish(emit);
      } catch (error) {
        controller.enqueue(new Failure(new TruncatedBody(error)));
      }
    },
  });
  const surface = new TransformStream<O | Failure, O>({
    transform(item, controller) {
      if (item instanceof Failure) throw item.error;
      controller.enqueue(item);
    },
  });
  // Errors and cancellation propagate through the pipe; its own promise carries nothing new.
  decode.readable.pipeTo(surface.writable).catch(() => {});
  return { writable: decode.writable, readable: surface.readable };
}
