/**
 * The online response path: an upstream answer made the client's response, with the response
 * filters applied before the bounded tee, so the client and the cache see the same filtered view.
 * @module
 */
import { applyFilters, type ResponseFilter } from "../../filters/chain.ts";
import { boundedTee } from "../../streams/bounded_tee.ts";
import { meteredStream } from "../../streams/metered_stream.ts";
import { type Classified, isCacheable } from "../classify.ts";
import type { CacheBranchSink } from "./cache_branch.ts";
import { clientResponseHeaders } from "./headers.ts";

/** What the response path needs. */
export interface ResponseDeps {
  /** Response filters, applied before the tee (none yet). */
  filters: readonly ResponseFilter[];
  /** Bytes the cache branch may fall behind the client before it gives up on a response. */
  maxCacheLagBytes: number;
  /**
   * The same for LIST responses, which arrive in one burst that KV writes cannot match on a fast
   * link (default: `maxCacheLagBytes`).
   */
  maxListCacheLagBytes?: number;
  /** Stores the cache branch; absent when caching is off. */
  cache?: CacheBranchSink;
  /** Counts bytes received from upstream. */
  onUpstreamBytes?: (bytes: number) => void;
}

/**
 * The client's response to `upstream`'s answer: hop-by-hop headers dropped, the body metered and
 * run through the response filters, and a cacheable 2xx body split by the bounded tee between the
 * client and the cache branch.
 */
export function clientResponse(
  upstream: Response,
  classified: Classified,
  deps: ResponseDeps,
): Response {
  const headers = clientResponseHeaders(upstream.headers);
  const init = { status: upstream.status, statusText: upstream.statusText, headers };
  if (!upstream.body) return new Response(null, init);
  const metered = meteredStream(upstream.body, deps.onUpstreamBytes);
  const body = applyFilters(deps.filters, classified, upstream, metered);
  if (!deps.cache || !upstream.ok || !isCacheable(classified)) return new Response(body, init);
  const lag = classified.info.verb === "list"
    ? deps.maxListCacheLagBytes ?? deps.maxCacheLagBytes
    : deps.maxCacheLagBytes;
  const branches = boundedTee(body, lag);
  deps.cache(classified, upstream, branches.cache, branches.cut);
  return new Response(branches.client, init);
}
