/**
 * The request path, as composed functions over web-standard `Request` → `Response`:
 *
 * ```
 * request → classify ─┬─ online:  upstream fetch → filters → bounded tee ─┬→ client
 *                     │                                                    └→ decode → cache
 *                     └─ offline: local answer from the cache ───────────────→ client
 * ```
 * @module
 */
import { applyFilters, type ResponseFilter } from "../filters/chain.ts";
import { failure, notImplemented, serviceUnavailable, type Status } from "../kube/status.ts";
import { type CacheAgents, type Classified, classify } from "./classify.ts";
import { forward, type ForwardDeps } from "./forward.ts";
import { clientResponseHeaders, isUpgradeRequest } from "./headers.ts";
import { statusResponse } from "./respond.ts";
import { boundedTee, meteredStream } from "./tap.ts";

/**
 * Receives the cache branch of a cacheable 2xx response; settles (never rejects) once the
 * response is stored or given up on.
 */
export type CacheBranchSink = (
  classified: Classified,
  response: Response,
  body: ReadableStream<Uint8Array>,
) => Promise<void>;

/** Answers a request without the cloud (the offline path). */
export type LocalAnswer = (request: Request, classified: Classified) => Promise<Response>;

/** Everything the proxy handler needs. */
export interface ProxyDeps extends ForwardDeps {
  cacheAgents: CacheAgents;
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
  /** Answers when no upstream is reachable; absent means a 503 `Status`. */
  local?: LocalAnswer;
  /** Counts bytes received from upstream. */
  onUpstreamBytes?: (bytes: number) => void;
}

/** The proxy's request handler, with the classification it made (for logs and metrics). */
export type ProxyHandler = (
  request: Request,
) => Promise<{ response: Response; classified: Classified }>;

/** Builds the proxy's request handler. */
export function createProxyHandler(deps: ProxyDeps): ProxyHandler {
  const unavailable: LocalAnswer = (request, _classified) =>
    Promise.resolve(statusResponse(
      serviceUnavailable("the cloud kube-apiserver is unreachable and holdfast cannot answer this"),
      request.headers.get("accept"),
    ));
  const local = deps.local ?? unavailable;

  return async (request) => {
    const url = new URL(request.url);
    const classified = classify(request, url, deps.cacheAgents);
    const accept = request.headers.get("accept");
    if (isUpgradeRequest(request.headers)) {
      const status = notImplemented(
        `holdfast cannot proxy connection upgrades (${
          classified.info.subresource || url.pathname
        })`,
      );
      return { response: statusResponse(status, accept), classified };
    }
    if (!deps.pool.online) return { response: await local(request, classified), classified };
    const result = await forward(request, url, deps);
    if (!result.ok && result.reachedUpstream && !isSafeMethod(request.method)) {
      // The write may have been applied upstream: answering it locally could apply it twice.
      return { response: statusResponse(outcomeUnknown(result.reason), accept), classified };
    }
    if (!result.ok) return { response: await local(request, classified), classified };
    return { response: respond(result.response, classified, deps), classified };
  };
}

/** GET and HEAD: the only methods that change nothing, so answering them locally is safe. */
function isSafeMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/** 504 Timeout, as kube-apiserver answers a request whose outcome it cannot tell. */
function outcomeUnknown(reason: string): Status {
  return failure(
    504,
    "Timeout",
    `the request was sent to the cloud kube-apiserver but no answer came back (${reason}); ` +
      "it may or may not have been applied",
    { retryAfterSeconds: 1 },
  );
}

function respond(upstream: Response, classified: Classified, deps: ProxyDeps): Response {
  const headers = clientResponseHeaders(upstream.headers);
  const init = { status: upstream.status, statusText: upstream.statusText, headers };
  if (!upstream.body) return new Response(null, init);
  const metered = meteredStream(upstream.body, deps.onUpstreamBytes);
  const body = applyFilters(deps.filters, classified, upstream, metered);
  const cacheable = deps.cache && upstream.ok && (classified.query || classified.discovery);
  if (!cacheable) return new Response(body, init);
  const lag = classified.info.verb === "list"
    ? deps.maxListCacheLagBytes ?? deps.maxCacheLagBytes
    : deps.maxCacheLagBytes;
  const branches = boundedTee(body, lag);
  deps.cache!(classified, upstream, branches.cache);
  return new Response(branches.client, init);
}
