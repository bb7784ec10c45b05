/**
 * The online path: send a request to an upstream server with `fetch` and hand back its response
 * unbuffered. A GET whose upstream could not be reached (no response byte yet) is retried once on
 * another healthy server; a connection failure marks the server suspect for an immediate probe.
 * A watch's upstream stream is ended when the agent goes offline, so that a watch on a link gone
 * silent (which would otherwise stall until its timeout) is re-made by its client and answered
 * from the cache.
 * @module
 */
import { describeFetchError } from "../../upstream/health.ts";
import type { UpstreamIdentity } from "../../upstream/identity.ts";
import type { UpstreamPool, UpstreamServer } from "../../upstream/pool.ts";
import { upstreamUrl } from "../../upstream/url.ts";
import type { UpstreamAs } from "../credential.ts";
import { sharedDeadlines } from "./deadlines.ts";
import { upstreamRequestHeaders } from "./headers.ts";

/** What the forwarder needs. */
export interface ForwardDeps {
  pool: UpstreamPool;
  /** The fetch clients and the node's token, current as of each request. */
  identity: UpstreamIdentity;
  /** Told when a request could not reach a server. */
  suspect(server: UpstreamServer): void;
  /** How long to wait for an upstream's response headers before giving up on it. */
  headerTimeoutMs: number;
}

/** The upstream answered (any status). */
export interface Forwarded {
  ok: true;
  response: Response;
  server: UpstreamServer;
}

/**
 * No upstream answered; `reason` says why. `reachedUpstream` is false only when the request
 * certainly never reached a server (no server, or the connection, DNS lookup or TLS handshake
 * failed before anything was sent); otherwise the outcome is unknown (timeout, offline while
 * waiting, a connection lost after sending), and a write may have been applied.
 */
export interface Unreachable {
  ok: false;
  reason: string;
  reachedUpstream: boolean;
}

/**
 * Forwards `request` (whose URL is `url`, its path already checked as normalized) upstream as
 * the node or with the client's own token (`watch` when it is a watch); never throws for
 * network failures.
 */
export async function forward(
  request: Request,
  url: URL,
  deps: ForwardDeps,
  as: UpstreamAs,
  watch = false,
): Promise<Forwarded | Unreachable> {
  const retriable = request.method === "GET" || request.method === "HEAD";
  const { identity } = deps;
  const headers = upstreamRequestHeaders(
    request.headers,
    as === "node" ? identity.nodeAuthorization : request.headers.get("authorization"),
    watch,
  );
  const deadlines = sharedDeadlines(deps.headerTimeoutMs);
  let server = deps.pool.pick();
  let reason = "no upstream server is healthy";
  let reachedUpstream = false;
  for (let attempt = 0; server && attempt < (retriable ? 2 : 1); attempt++) {
    const target = upstreamUrl(server.url, url.pathname, url.search);
    const waiting = new AbortController();
    const stopTimeout = deadlines.start(() => waiting.abort("timeout"));
    // Once every server is marked unhealthy, stop waiting: the cache answers instead.
    const wentOffline = () => waiting.abort("offline");
    deps.pool.events.addEventListener("offline", wentOffline);
    try {
      const response = await fetch(target, {
        method: request.method,
        headers,
        body: request.body,
        client: as === "node" ? identity.nodeClient : identity.plainClient,
        signal: watch
          ? AbortSignal.any([request.signal, waiting.signal, deps.pool.offlineSignal])
          : abortedWith(request.signal, waiting),
        redirect: "manual",
      });
      return { ok: true, response, server };
    } catch (error) {
      if (request.signal.aborted) {
        return { ok: false, reason: "client went away", reachedUpstream: true };
      }
      const why = !waiting.signal.aborted
        ? describeFetchError(error)
        : waiting.signal.reason === "offline"
        ? "every upstream server was marked unhealthy while waiting"
        : `no response within ${deps.headerTimeoutMs} ms`;
      reason = `${server.url.origin}: ${why}`;
      reachedUpstream ||= waiting.signal.aborted || !failedToConnect(error);
      deps.suspect(server);
      server = deps.pool.pick(server);
    } finally {
      stopTimeout();
      deps.pool.events.removeEventListener("offline", wentOffline);
    }
  }
  return { ok: false, reason, reachedUpstream };
}

/**
 * `waiting`'s signal, aborted also when the client's `request` signal aborts (the client went
 * away, before or after the response headers). It stands for `AbortSignal.any` where the listener
 * may stay (the request's signal lives only as long as the request): one controller and a
 * listener cost a tenth of what `AbortSignal.any` does (0.3 against 5.4 µs). A watch's signal,
 * which follows the pool's long-lived offline signal too, keeps `AbortSignal.any`, whose weak
 * references let the pool's signal forget ended watches.
 */
function abortedWith(request: AbortSignal, waiting: AbortController): AbortSignal {
  if (request.aborted) waiting.abort(request.reason);
  else request.addEventListener("abort", () => waiting.abort(request.reason), { once: true });
  return waiting.signal;
}

/**
 * Whether a fetch error happened while connecting (DNS, TCP connect, TLS handshake), before any
 * byte of the request was sent: the HTTP client reports those as `client error (Connect)`.
 */
export function failedToConnect(error: unknown): boolean {
  const messages: string[] = [];
  for (let e = error; e instanceof Error; e = e.cause) messages.push(e.message);
  return messages.some((m) => m.includes("client error (Connect)"));
}
