/**
 * Cache writes: how long after a large LIST response ends (through the agent, fresh cache) the
 * cache reports the whole LIST stored, and the KV file bytes per cached object; the baseline is
 * the Deno KV floor (the same items stored by a bare batched writer).
 * Target: a 5,000-pod LIST persisted in ≤ 1 s.
 * @module
 */
import { startAgent, waitForStatus } from "./lib/agent.ts";
import { fillCache } from "./lib/cache_fill.ts";
import { cachedObjects, listStored } from "./lib/cache_status.ts";
import { clientHeaders, timedOk } from "./lib/kube_client.ts";
import { fileBytes, runKvFloor } from "./lib/kv_floor.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { formatNumber } from "./lib/report.ts";
import { startSimulator } from "./lib/simulator.ts";

const PERSIST_TARGET_MS = 1000;
/** How long after the LIST ends the cache may take before the LIST counts as not stored. */
const STORE_WAIT_MS = 15_000;

function plan(ctx: BenchContext): RowPlan[] {
  const pods = formatNumber(ctx.sizes.listPods);
  return [
    {
      id: "cache.persist_list",
      metric: `${pods}-pod LIST persisted (response end → complete in cache)`,
      target: "≤ 1 s",
    },
    { id: "cache.bytes_per_object", metric: "KV file bytes per cached pod" },
  ];
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  const pods = ctx.sizes.listPods;
  const sim = await startSimulator(ctx, { pods });
  try {
    const cachePath = `${ctx.runDir}/cache-writes.kv`;
    const agent = await startAgent(ctx, {
      name: "agent-cache-writes",
      server: sim.url,
      cachePath,
      cacheAgents: "*",
      measure: "cache-writes",
    });
    const floor = await runKvFloor(ctx, `${sim.url}/api/v1/pods`, `${ctx.runDir}/kv-floor.kv`);
    const floorCell = { name: "KV floor", value: floor.persistMs, unit: "ms" };
    let stored: number;
    try {
      const list = await timedOk(`${agent.url}/api/v1/pods`, clientHeaders());
      const note = `LIST itself took ${formatNumber(list.ms)} ms through the agent`;
      try {
        const done = await waitForStatus(
          agent,
          (status) => listStored(status, "pods", pods),
          STORE_WAIT_MS,
        );
        const persistMs = done - list.endedAt;
        record("cache.persist_list", {
          holdfast: { value: persistMs, unit: "ms" },
          baseline: floorCell,
          ratio: persistMs / floor.persistMs,
          met: persistMs <= PERSIST_TARGET_MS,
          note,
        });
      } catch {
        const status = await agent.status();
        record("cache.persist_list", {
          baseline: floorCell,
          met: false,
          note: `${note}; not stored complete ${STORE_WAIT_MS / 1000} s later ` +
            `(/v1/status cache: ${JSON.stringify(status.cache)})`,
        });
        await fillCache(agent, "/api/v1/pods", pods);
      }
      stored = cachedObjects(await agent.status(), "pods");
    } finally {
      await agent.stop();
    }
    const bytesPerObject = (await fileBytes(cachePath)) / stored;
    record("cache.bytes_per_object", {
      holdfast: { value: bytesPerObject, unit: "B" },
      baseline: { name: "KV floor", value: floor.bytesPerObject, unit: "B" },
      ratio: bytesPerObject / floor.bytesPerObject,
      note: `${formatNumber(stored)} objects; KV file and WAL after a clean stop`,
    });
  } finally {
    await sim.stop();
  }
}

/** The cache-write measurement. */
export const cacheWrites: Measure = { name: "cache-writes", plan, run };
