/**
 * The offline path: answering from the cache the way kube-apiserver would when no upstream is
 * healthy. {@linkcode createLocalAnswer} builds the {@linkcode LocalAnswer} the proxy handler
 * falls back to; each verb is answered by its own module (get, list, watch, writes, discovery).
 * @module
 */
import type { EventQueue } from "../../node/event_queue.ts";
import { type CacheStore, RecordDamaged } from "../../cache/store.ts";
import { internalError } from "../../kube/status.ts";
import type { UpstreamPool } from "../../upstream/pool.ts";
import type { Classified } from "../classify.ts";
import type { LocalAnswer } from "../handler.ts";
import { followCloud } from "./cloud.ts";
import type { LocalContext } from "./context.ts";
import { answerDiscovery } from "./discovery.ts";
import { answerGet } from "./get.ts";
import { othersOnly } from "./identity.ts";
import { answerList } from "./list.ts";
import { statusReply, unavailableReply } from "./reply.ts";
import { answerWatch } from "./watch.ts";
import { answerWrite } from "./writes.ts";

/** What the offline path needs; timings have kube-apiserver-like defaults. */
export interface LocalDeps {
  store: CacheStore;
  /** The queue offline event creates go to (deliver it with `deliverQueuedEvents` on reconnect). */
  events: EventQueue;
  /** The upstreams; offline watches end when they are healthy again. */
  pool: Pick<UpstreamPool, "online" | "onHealthChange">;
  /** Seconds clients are told to wait before retrying a 503 (default 5). */
  retryAfterSeconds?: number;
  /**
   * How long a request at a resourceVersion newer than the cache's waits for the cache to reach it
   * (default 3 s, as kube-apiserver's watch cache) before 504 "Too large resource version".
   */
  catchUpMs?: number;
  /** Interval of watch bookmarks (default 60 s, as kube-apiserver's watch cache). */
  bookmarkIntervalMs?: number;
  /** A watch without `timeoutSeconds` lasts this × random [1, 2) seconds (default 1800). */
  minWatchTimeoutSeconds?: number;
  /** A watch answered locally while an upstream counts as healthy ends after this (default 10 s). */
  onlineRecheckMs?: number;
  /** Told about requests that failed inside holdfast (they are answered 500). */
  onError?: (error: unknown, classified: Classified) => void;
}

/** Builds the offline answer over the cache in `deps.store`. */
export function createLocalAnswer(deps: LocalDeps): LocalAnswer {
  const context: LocalContext = {
    store: deps.store,
    kv: deps.store.kv,
    events: deps.events,
    cloud: followCloud(deps.pool),
    retryAfter: deps.retryAfterSeconds ?? 5,
    catchUpMs: deps.catchUpMs ?? 3000,
    bookmarkIntervalMs: deps.bookmarkIntervalMs ?? 60_000,
    minWatchTimeoutSeconds: deps.minWatchTimeoutSeconds ?? 1800,
    onlineRecheckMs: deps.onlineRecheckMs ?? 10_000,
  };
  return async (request, classified) => {
    const { info } = classified;
    try {
      const foreign = await othersOnly(context, classified);
      if (foreign) {
        await request.body?.cancel();
        return statusReply(request, foreign);
      }
      switch (classified.kind) {
        case "discovery":
          return await answerDiscovery(context, request, classified);
        case "get":
          return await answerGet(context, request, classified);
        case "list":
          return await answerList(context, request, classified);
        case "watch":
          return await answerWatch(context, request, classified);
        case "write":
          return await answerWrite(context, request, classified);
        case "invalid":
          return statusReply(request, classified.invalid);
      }
      await request.body?.cancel();
      return unavailableReply(
        request,
        `the cloud kube-apiserver is unreachable; holdfast cannot answer ${info.verb} ${info.path} offline`,
        context.retryAfter,
      );
    } catch (error) {
      if (error instanceof RecordDamaged) {
        await request.body?.cancel().catch(() => {});
        return unavailableReply(
          request,
          `holdfast's cached copy is damaged and the cloud is unreachable`,
          context.retryAfter,
        );
      }
      deps.onError?.(error, classified);
      return statusReply(request, internalError("holdfast could not answer from its cache"));
    }
  };
}
