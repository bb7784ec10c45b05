/**
 * What every offline answer works from: the cache, the local write stores, the timing settings,
 * and the signal that the cloud is reachable again.
 * @module
 */
import type { EventQueue } from "../../node/event_queue.ts";
import type { CacheStore } from "../../cache/store.ts";

/** Tells offline watches when the cloud is back, so their clients re-watch through it. */
export interface CloudState {
  /** True while at least one upstream is healthy. */
  readonly online: boolean;
  /** Aborts when the upstreams next become healthy (a fresh signal after each such change). */
  readonly back: AbortSignal;
}

/** The offline path's dependencies and settings. */
export interface LocalContext {
  store: CacheStore;
  /** The KV file the cache lives in (leases and discovery documents are kept beside it). */
  kv: Deno.Kv;
  events: EventQueue;
  cloud: CloudState;
  /** Seconds clients are told to wait before retrying a 503. */
  retryAfter: number;
  /**
   * How long a list or watch at a resourceVersion newer than the cache's waits for the cache to
   * reach it before answering 504 "Too large resource version".
   */
  catchUpMs: number;
  /** Interval of watch bookmarks (when the client allows them). */
  bookmarkIntervalMs: number;
  /** A watch without `timeoutSeconds` ends after this many seconds × a random factor in [1, 2). */
  minWatchTimeoutSeconds: number;
  /**
   * How long a watch answered offline while an upstream is marked healthy (it failed to reach it)
   * stays open before it ends, so the client tries the cloud again.
   */
  onlineRecheckMs: number;
}
