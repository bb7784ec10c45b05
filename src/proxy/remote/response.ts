/**
 * The online response path: an upstream answer made the client's response, with the response
 * filters applied before the bounded tee, so the client and the cache see the same filtered view.
 *
 * Decision: a small body is buffered rather than teed. A cacheable 2xx body the cache reads whole
 * (one object, a discovery document, a Table; never a list or watch) that no filter touches is
 * read into memory first, up to {@linkcode MAX_SMALL_BODY_BYTES} or its declared `Content-Length`
 * when that is smaller; the client is answered with those bytes, and the same bytes go to the
 * cache only after the answer has been handed over (a timer), so decoding and storing never delay
 * or fail the client. An object at the resourceVersion the cache already holds is not written
 * again (`putSingle`). The limit, not a declared length, decides, because an upstream seldom
 * declares one: kube-apiserver writes an object in one write and Go's HTTP server declares its
 * length only when it fits the server's buffer (a few KiB), and the simulator sends its 9 KB pods
 * chunked. What this trades: the client's first byte waits for the body's last (kube clients
 * decode whole bodies anyway), and each such response holds at most 64 KiB (and one byte, or one
 * chunk) while it is read, less than the tee's cache queue may hold. What it buys: the tee's
 * stream machinery for each small GET; with caching on, 1,637 → 1,896 req/s (median of 7 rounds,
 * per-round ratio ×1.28; `scripts/bench/request_path_ab.ts`, shared 2-core machine, 2026-12-06).
 * A body past the limit without a declared length is replayed from its start through the tee as
 * before. One that fails while read, or ends other than at its declared length (shorter or
 * longer), reaches the client as read and as the upstream goes on, and the cache as cut: it is not
 * stored.
 * @module
 */
import { type ResponseFilter, responseTransforms } from "../../filters/chain.ts";
import { boundedTee, StreamCut } from "../../streams/bounded_tee.ts";
import { readPrefix } from "../../streams/read_prefix.ts";
import { meteredStream } from "../../streams/metered_stream.ts";
import { type Cacheable, type Classified, isCacheable } from "../classify.ts";
import type { CacheBranchSink } from "./cache_branch.ts";
import { stripForClient } from "./headers.ts";

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

/** The largest body the response path reads whole before answering (see the module doc). */
export const MAX_SMALL_BODY_BYTES = 64 * 1024;

/**
 * The length of a body `fetch` hands over exactly as sent (no `Content-Encoding` it would undo),
 * from its `Content-Length`; undefined when the length is not declared.
 */
function declaredLength(upstream: Response): number | undefined {
  const encoding = upstream.headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") return undefined;
  const length = upstream.headers.get("content-length");
  return length !== null && /^\d{1,15}$/.test(length) ? Number(length) : undefined;
}

/**
 * The client's response to `upstream`'s answer: hop-by-hop headers dropped, the body metered and
 * run through the response filters, and a cacheable 2xx body split by the bounded tee between the
 * client and the cache branch. A body no filter touches and nothing caches is handed to the
 * client as `fetch` gave it, so the runtime pipes it without JavaScript in the path; then only
 * a declared length is metered: a JavaScript stream counting the bytes of a small GET cost a
 * quarter of holdfast's uncached throughput (2,050 against 2,800 req/s, wrk, 2026-12-05).
 * A small body the cache reads whole is read before the answer (see the module doc).
 */
export async function clientResponse(
  upstream: Response,
  classified: Classified,
  deps: ResponseDeps,
): Promise<Response> {
  const answer = (body: BodyInit | null) => {
    const { status, statusText } = upstream;
    const response = new Response(body, { status, statusText, headers: upstream.headers });
    stripForClient(response.headers);
    return response;
  };
  if (!upstream.body) return answer(null);
  const transforms = responseTransforms(deps.filters, classified, upstream);
  const cached = deps.cache && upstream.ok && isCacheable(classified)
    ? { store: deps.cache, request: classified }
    : undefined;
  if (transforms.length === 0 && cached === undefined) {
    const length = declaredLength(upstream);
    if (length !== undefined) deps.onUpstreamBytes?.(length);
    return answer(upstream.body);
  }
  let source: ReadableStream<Uint8Array> = upstream.body;
  let metered = false;
  if (transforms.length === 0 && cached !== undefined && readsWhole(cached.request)) {
    const small = await answerSmall(upstream, upstream.body, answer, cached, deps.onUpstreamBytes);
    if (small instanceof Response) return small;
    if (small) [source, metered] = [small, true];
  }
  // Filters read the metered body; without filters the tee reads upstream and meters it itself.
  const body = transforms.reduce(
    (stream, transform) => stream.pipeThrough(transform),
    transforms.length > 0 ? meteredStream(source, deps.onUpstreamBytes) : source,
  );
  if (cached === undefined) return answer(body);
  const lag = cached.request.info.verb === "list"
    ? deps.maxListCacheLagBytes ?? deps.maxCacheLagBytes
    : deps.maxCacheLagBytes;
  const onChunk = transforms.length > 0 || metered ? undefined : deps.onUpstreamBytes;
  const branches = boundedTee(body, lag, onChunk);
  cached.store(cached.request, upstream, branches.cache, branches.cut);
  return answer(branches.client);
}

/**
 * The answer to a cacheable response the cache reads whole, when its body proves small (see the
 * module doc); otherwise the whole body to tee (the part read, then the rest, metered), or
 * `undefined` when its declared length is too large to read first (nothing read).
 */
async function answerSmall(
  upstream: Response,
  body: ReadableStream<Uint8Array>,
  answer: (body: BodyInit) => Response,
  cached: { store: CacheBranchSink; request: Cacheable },
  onUpstreamBytes?: (bytes: number) => void,
): Promise<Response | ReadableStream<Uint8Array> | undefined> {
  const declared = declaredLength(upstream);
  if (declared !== undefined && declared > MAX_SMALL_BODY_BYTES) return undefined;
  const prefix = await readPrefix(body, declared ?? MAX_SMALL_BODY_BYTES, onUpstreamBytes);
  const { bytes, stop } = prefix;
  if (stop === "over" && declared === undefined) return prefix.replay();
  let cut: StreamCut | undefined;
  if (stop === "failed") cut = new StreamCut(prefix.error);
  else if (stop === "over" || (declared !== undefined && bytes.byteLength !== declared)) {
    cut = new StreamCut(`the body does not end at its declared ${declared} bytes`);
  }
  // After the answer is handed over: the cache's work never delays it.
  afterAnswers(() => cached.store(cached.request, upstream, bytes, Promise.resolve(cut)));
  return answer(cut ? prefix.replay() : bytes as Uint8Array<ArrayBuffer>);
}

/** Hand-offs waiting for the answers now being returned (see {@linkcode afterAnswers}). */
const handOffs: Array<() => void> = [];

/**
 * Runs `handOff` in a later task than the answers being returned now, in order: one timer for all
 * the hand-offs queued meanwhile instead of one per response (a timer each cost ~2% of the agent's
 * CPU in a profile of repeated small GETs).
 */
function afterAnswers(handOff: () => void): void {
  if (handOffs.push(handOff) > 1) return;
  setTimeout(() => {
    for (const next of handOffs.splice(0)) next();
  });
}

/** Whether the cache reads `request`'s response whole: all but lists and watches. */
function readsWhole(request: Cacheable): boolean {
  return request.kind !== "list" && request.kind !== "watch";
}
