/**
 * `StatusReport`: what `GET /v1/status` answers and `holdfast status` prints.
 * @module
 */
import type { QueryView } from "../cache/inspect.ts";

/** One upstream server and its health as last checked. */
export interface UpstreamStatus {
  url: string;
  healthy: boolean;
  /** When it was last checked, as an ISO 8601 time. */
  lastCheck?: string;
  /** Why the last failed check failed. */
  lastError?: string;
}

/** What the cache holds for one component and resource. */
export interface CacheStatus {
  /** The client component, e.g. `kubelet`. */
  component: string;
  /** The resource, e.g. `pods` or `leases.coordination.k8s.io`. */
  resource: string;
  /** Objects stored. */
  objects: number;
  /** Bytes stored. */
  bytes: number;
  /** Stored list/watch queries (distinct selectors). */
  queries: number;
}

/**
 * Whole documents kept for offline answers: discovery (shared by every component) or one
 * component's kubectl Tables.
 */
export interface DocumentStatus {
  /** The component whose Tables these are; "" for discovery. */
  component: string;
  kind: "discovery" | "table";
  documents: number;
  bytes: number;
}

/** Event creates queued while offline, against the queue's bounds. */
export interface EventQueueStatus {
  queued: number;
  bytes: number;
  maxEvents: number;
  maxBytes: number;
}

/** A problem with the cache file; the agent goes on proxying regardless. */
export interface CacheFaultStatus {
  /**
   * `damaged`: the file was moved aside and the cache started empty; `incompatible`: the same, for
   * a file of another cache layout; `unwritable`: the cache is kept in memory only;
   * `writes-paused`: commits fail (disk full, I/O error), retried until they succeed;
   * `seal-key`: the seal key file is unusable (the cache is kept in memory only), or the cache's
   * sealed data was sealed under another key (that data was dropped and is fetched again).
   */
  kind: "damaged" | "incompatible" | "unwritable" | "writes-paused" | "seal-key";
  /** The cache file. */
  path: string;
  /** What failed. */
  error: string;
  /** Where a damaged file was moved. */
  movedTo?: string;
  /** Since when, as an ISO 8601 time. */
  since: string;
}

/** What the hot snapshots hold in memory (see the cache store's `hot.ts`). */
export interface CacheHotStatus {
  bytes: number;
  maxBytes: number;
  queries: number;
}

/** The agent's state at a glance. */
export interface StatusReport {
  version: string;
  /** `online` forwards to an upstream; `offline` answers from the cache. */
  mode: "online" | "offline";
  /** When the current mode began (the agent's start for its first mode), as an ISO 8601 time. */
  modeSince: string;
  nodeName: string;
  upstreams: UpstreamStatus[];
  cache: CacheStatus[];
  /** Every cached list/watch query: its last sync and freshness (as `cache ls` lists them). */
  queries: QueryView[];
  documents: DocumentStatus[];
  events: EventQueueStatus;
  /** The hot snapshots held in memory for offline answers: bytes and queries, and the budget. */
  cacheHot: CacheHotStatus;
  /** The cache's current fault, if it has one. */
  cacheFault?: CacheFaultStatus;
}
