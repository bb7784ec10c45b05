/**
 * Response filters: transformations applied to an upstream body before the tee, so the client and
 * the cache see the same filtered view (as YurtHub's filters do). Each filter looks at the
 * classified request and either returns a `TransformStream` for that response or nothing.
 * @module
 */
import type { Classified } from "../proxy/classify.ts";

/** A response filter. */
export type ResponseFilter = (
  classified: Classified,
  response: Response,
) => TransformStream<Uint8Array, Uint8Array> | undefined;

/** Runs `body` through every filter that applies to this response, in order. */
export function applyFilters(
  filters: readonly ResponseFilter[],
  classified: Classified,
  response: Response,
  body: ReadableStream<Uint8Array>,
): ReadableStream<Uint8Array> {
  let filtered = body;
  for (const filter of filters) {
    const transform = filter(classified, response);
    if (transform) filtered = filtered.pipeThrough(transform);
  }
  return filtered;
}
