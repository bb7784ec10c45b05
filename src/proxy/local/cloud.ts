/**
 * The "cloud is back" signal offline watches end on, derived from the upstream pool's health
 * changes: one subscription to the pool, a fresh `AbortSignal` after each abort. It aborts at
 * every health change that leaves the pool online (an upstream healthy again, or a change while
 * still online), so a watch answered locally also ends then if it began while the pool still
 * counted as online (a request that found its upstream gone before the health checks did).
 * @module
 */
import type { UpstreamPool } from "../../upstream/pool.ts";
import type { CloudState } from "./context.ts";

/** Follows `pool`'s health; the returned state's `back` aborts whenever the pool comes online. */
export function followCloud(pool: Pick<UpstreamPool, "online" | "onHealthChange">): CloudState {
  let controller = new AbortController();
  pool.onHealthChange(() => {
    if (!pool.online) return;
    controller.abort();
    controller = new AbortController();
  });
  return {
    get online() {
      return pool.online;
    },
    get back() {
      return controller.signal;
    },
  };
}
