/**
 * A transform for responses that must be whole before they can be filtered (a single object, a
 * protobuf list whose envelope states its length up front): chunks are held until the body ends,
 * then `finish` gives the pieces to send, in chunks of {@link OUTPUT_CHUNK_BYTES} (views, no copy) so the
 * bounded tee behind it meets a stream, not one huge chunk. A body larger than `maxBytes` is not
 * filtered: what was held is sent and the rest passes straight through, so memory stays bounded.
 * @module
 */
import { concat } from "../streams/concat.ts";

/** Bodies up to this size are held for filtering: 64 MiB. */
export const MAX_HELD_BYTES = 64 * 1024 * 1024;

/** The size of the chunks a held body is sent in: 64 KiB. */
export const OUTPUT_CHUNK_BYTES = 64 * 1024;

/** Holds the body, then sends `finish(body)`; see the module doc. */
export function wholeBodyTransform(
  finish: (body: Uint8Array) => Promise<readonly Uint8Array[]>,
  maxBytes = MAX_HELD_BYTES,
  onGiveUp?: () => void,
): TransformStream<Uint8Array, Uint8Array> {
  let held: Uint8Array[] | undefined = [];
  let heldBytes = 0;
  return new TransformStream({
    transform(chunk, controller) {
      if (held === undefined) return controller.enqueue(chunk);
      held.push(chunk);
      heldBytes += chunk.length;
      if (heldBytes <= maxBytes) return;
      for (const piece of held) controller.enqueue(piece);
      held = undefined;
      onGiveUp?.();
    },
    async flush(controller) {
      if (held === undefined) return;
      const body = concat(held);
      held = undefined;
      for (const piece of await finish(body)) {
        for (let at = 0; at < piece.length; at += OUTPUT_CHUNK_BYTES) {
          controller.enqueue(piece.subarray(at, at + OUTPUT_CHUNK_BYTES));
        }
      }
    },
  });
}
