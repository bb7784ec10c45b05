/**
 * The "cloud is back" signal offline watches end on, derived from the upstream pool's health
 * changes: one subscription to the pool, a fresh `AbortSignal` per offline period.
 * @module
 */
import type { UpstreamPool } from "../../upstream/pool.ts";
import type { CloudState } from "./context.ts";

/** Follows `pool`'s health; the returned state's `back` aborts whenever the pool comes online. */
export function followCloud(pool: Pick<UpstreamPool, "online" | "onHealthChange">): CloudState {
  let controller = new AbortController();
  pool.onHealthChange(() => {
    if (pool.online) controller.abort();
    else if (controller.signal.aborted) controller = new AbortController();
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
