/**
 * Response filters: transformations applied to an upstream body before the tee, so the client and
 * the cache see the same filtered view (as YurtHub's filters do). Each filter looks at the
 * request (its Kubernetes request info and calling component) and either returns a
 * `TransformStream` for that response or nothing.
 * @module
 */
import type { RequestInfo } from "../kube/request_info.ts";

/** What a filter knows of the request; the proxy's classified request is one. */
export interface FilteredRequest {
  info: RequestInfo;
  /** The calling component (User-Agent before the first `/`, lower-cased). */
  component: string;
}

/** A response filter. */
export type ResponseFilter = (
  request: FilteredRequest,
  response: Response,
) => TransformStream<Uint8Array, Uint8Array> | undefined;

/** The transforms of the filters that apply to this response, in order (often none). */
export function responseTransforms(
  filters: readonly ResponseFilter[],
  request: FilteredRequest,
  response: Response,
): TransformStream<Uint8Array, Uint8Array>[] {
  const transforms: TransformStream<Uint8Array, Uint8Array>[] = [];
  for (const filter of filters) {
    const transform = filter(request, response);
    if (transform) transforms.push(transform);
  }
  return transforms;
}
