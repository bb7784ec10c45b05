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
import {
  badRequest,
  failure,
  notImplemented,
  serviceUnavailable,
  type Status,
  tooManyRequests,
  unauthorized,
} from "../kube/status.ts";
import type { AcceptedCallers } from "../cache/callers.ts";
import { releaseWhenDone, type Slots } from "./admission.ts";
import type { CacheAgents } from "../config/types.ts";
import { type Classified, classify } from "./classify.ts";
import { NODE_IDENTITY } from "../cache/partition.ts";
import { asCaller, type Caller, type CallerIdentities } from "./caller.ts";
import { type AnonymousPolicy, type ClientTls, type UpstreamAs, upstreamAs } from "./credential.ts";
import { forward, type ForwardDeps } from "./remote/forward.ts";
import { isUpgradeRequest } from "./remote/headers.ts";
import { withReplayableBody } from "./remote/request_body.ts";
import { clientResponse, type ResponseDeps } from "./remote/response.ts";
import { requestUrl } from "./request_target.ts";
import { statusResponse } from "./respond.ts";

/** Answers a request without the cloud (the offline path). */
export type LocalAnswer = (request: Request, classified: Classified) => Promise<Response>;

/** Everything the proxy handler needs. */
export interface ProxyDeps extends ForwardDeps, ResponseDeps {
  cacheAgents: CacheAgents;
  /** Which requests without a credential may act as the node. */
  anonymous: AnonymousPolicy;
  /**
   * Names each request's identity and remembers the tokens the cloud accepted; absent, every
   * admitted request reads and fills the node's cache (as before identities were recorded).
   */
  callers?: { identities: CallerIdentities; accepted: AcceptedCallers };
  /** Answers when no upstream is reachable; absent means a 503 `Status`. */
  local?: LocalAnswer;
  /** Bounds offline LISTs answered at once (unbounded when absent). */
  offlineLists?: Slots;
  /** Bounds watches served at once, online and offline (unbounded when absent). */
  watches?: Slots;
}

/**
 * The proxy's request handler, with the classification it made (for logs and metrics). `remote`
 * is the client's address; without it the client does not count as loopback. `tls` is set for
 * requests on the HTTPS listener.
 */
export type ProxyHandler = (
  request: Request,
  remote?: Deno.Addr,
  tls?: ClientTls,
) => Promise<{ response: Response; classified: Classified }>;

/** Where a refused request target is classified (never cached, never forwarded). */
const REFUSED_TARGET = new URL("http://localhost/");
const NO_AGENTS: CacheAgents = new Set();
const NODE: Caller = { identity: NODE_IDENTITY, vouched: true };

/** Builds the proxy's request handler. */
export function createProxyHandler(deps: ProxyDeps): ProxyHandler {
  const unavailable: LocalAnswer = (request, _classified) =>
    Promise.resolve(statusResponse(
      serviceUnavailable("the cloud kube-apiserver is unreachable and holdfast cannot answer this"),
      request.headers.get("accept"),
    ));
  const local = deps.local ?? unavailable;

  return async (request, remote, tls) => {
    const accept = request.headers.get("accept");
    const url = requestUrl(request);
    if (typeof url === "string") {
      return refuse(badRequest(url), accept, classify(request, REFUSED_TARGET, NO_AGENTS));
    }
    const authorization = request.headers.get("authorization");
    const classifiedAnyone = classify(request, url, deps.cacheAgents);
    const as = upstreamAs(authorization, classifiedAnyone.component, remote, deps.anonymous, tls);
    if (typeof as !== "string") return refuse(as, accept, classifiedAnyone);
    const caller = deps.callers ? await deps.callers.identities.of(as, authorization) : NODE;
    const classified = asCaller(classifiedAnyone, caller.identity);
    if (isUpgradeRequest(request.headers)) {
      const status = notImplemented(
        `holdfast cannot proxy connection upgrades (${
          classified.info.subresource || url.pathname
        })`,
      );
      return { response: statusResponse(status, accept), classified };
    }
    const watches = classified.info.verb === "watch" ? deps.watches : undefined;
    if (!watches) {
      return { response: await answer(request, url, classified, as, caller), classified };
    }
    const release = watches.tryTake();
    if (!release) return { response: tooMany("watches", watches, accept), classified };
    return {
      response: await holding(release, () => answer(request, url, classified, as, caller)),
      classified,
    };
  };

  async function answer(
    given: Request,
    url: URL,
    classified: Classified,
    as: UpstreamAs,
    caller: Caller,
  ): Promise<Response> {
    if (!deps.pool.online) return await answerLocally(given, classified, caller);
    const request = isSafeMethod(given.method) ? given : await withReplayableBody(given);
    if (!(request instanceof Request)) return statusResponse(request, given.headers.get("accept"));
    const result = await forward(request, url, deps, as, classified.info.verb === "watch");
    if (result.ok) {
      if (!caller.vouched && isAuthenticated(result.response.status)) {
        deps.callers?.accepted.accepted(caller.identity);
      }
      return clientResponse(result.response, classified, deps);
    }
    if (result.reachedUpstream && !isSafeMethod(request.method)) {
      // The write may have been applied upstream: answering it locally could apply it twice.
      return statusResponse(outcomeUnknown(result.reason), request.headers.get("accept"));
    }
    return await answerLocally(request, classified, caller);
  }

  async function answerLocally(
    request: Request,
    classified: Classified,
    caller: Caller,
  ): Promise<Response> {
    if (!caller.vouched && !await deps.callers?.accepted.isKnown(caller.identity)) {
      await request.body?.cancel();
      return statusResponse(unknownOffline(), request.headers.get("accept"));
    }
    if (classified.info.verb !== "list" || !deps.offlineLists) {
      return await local(request, classified);
    }
    const release = deps.offlineLists.tryTake();
    if (!release) return tooMany("offline lists", deps.offlineLists, request.headers.get("accept"));
    return await holding(release, () => local(request, classified));
  }
}

/** The response of `answer`, holding a slot until its body is done (or `answer` fails). */
async function holding(release: () => void, answer: () => Promise<Response>): Promise<Response> {
  try {
    return releaseWhenDone(await answer(), release);
  } catch (error) {
    release();
    throw error;
  }
}

function tooMany(what: string, slots: Slots, accept: string | null): Response {
  return statusResponse(
    tooManyRequests(`too many requests: holdfast serves at most ${slots.limit} ${what} at once`),
    accept,
  );
}

/**
 * Whether an upstream answer proves the apiserver authenticated the request's credential: it
 * authenticates before anything else, so any answer but 401 does (5xx may come from in between).
 */
function isAuthenticated(status: number): boolean {
  return status !== 401 && status < 500;
}

/** 401 for a token holdfast has never seen the cloud accept, while it cannot ask the cloud. */
function unknownOffline(): Status {
  return unauthorized(
    "the cloud kube-apiserver is unreachable and has never accepted this bearer token through " +
      "holdfast, so holdfast cannot tell who it is",
  );
}

/** GET and HEAD: the only methods that change nothing, so answering them locally is safe. */
function isSafeMethod(method: string): boolean {
  return method === "GET" || method === "HEAD";
}

/**
 * 504 Timeout, as kube-apiserver answers a request whose outcome it cannot tell: without
 * `Retry-After`, since client-go retries any 5xx carrying one by itself, writes included, which
 * could apply the write twice; the client decides (kubelet re-reads its lease first).
 */
function outcomeUnknown(reason: string): Status {
  return failure(
    504,
    "Timeout",
    `the request was sent to the cloud kube-apiserver but no answer came back (${reason}); ` +
      "it may or may not have been applied",
  );
}

function refuse(status: Status, accept: string | null, classified: Classified) {
  return { response: statusResponse(status, accept), classified };
}
