/**
 * Start-up: from spawning the agent (cache already holding a large pod LIST, upstream
 * unreachable) to the end of its first successful LIST answered from the cache, beside the time
 * a bare Deno proxy takes from spawn to its first answer. Target: ≤ 1 s with 10,000 objects.
 * YurtHub's cell: the same restart of YurtHub, its disk cache filled by one LIST through it and
 * its upstream (the HTTPS simulator) stopped, so the port it names is closed.
 * @module
 */
import { type AgentHandle, startAgent } from "./lib/agent.ts";
import { fillCache } from "./lib/cache_fill.ts";
import { clientHeaders, timedGet } from "./lib/kube_client.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { startPlainProxy } from "./lib/plain_proxy.ts";
import { delay, freePort } from "./lib/processes.ts";
import { formatNumber } from "./lib/report.ts";
import { startSimulator } from "./lib/simulator.ts";
import { percentile } from "./lib/stats.ts";
import {
  type HubHandle,
  measureHub,
  startHub,
  startHubSession,
  waitForHubCache,
} from "./lib/yurthub.ts";

const TARGET_MS = 1000;

function plan(ctx: BenchContext): RowPlan[] {
  return [{
    id: "startup.first_offline_list",
    metric: `start → first offline LIST, ${formatNumber(ctx.sizes.cachedObjects)} pods cached`,
    target: "≤ 1 s",
    peer: true,
  }];
}

async function prepareCache(ctx: BenchContext, cachePath: string): Promise<void> {
  const objects = ctx.sizes.cachedObjects;
  const sim = await startSimulator(ctx, { pods: objects });
  try {
    const agent = await startAgent(ctx, {
      name: "agent-startup-fill",
      server: sim.url,
      cachePath,
      cacheAgents: "*",
      measure: "startup",
    });
    try {
      await fillCache(agent, "/api/v1/pods", objects);
    } finally {
      await agent.stop();
    }
  } finally {
    await sim.stop();
  }
}

/** Polls `base` for a LIST of `expected` pods from the spawn of `proc`; returns ms to the first. */
async function timeFirstList(
  ctx: BenchContext,
  base: string,
  proc: { startedAt: number; exited: Promise<unknown> },
): Promise<number> {
  const deadline = proc.startedAt + 60_000;
  let exited = false;
  proc.exited.then(() => exited = true);
  while (performance.now() < deadline && !exited) {
    try {
      const timed = await timedGet(`${base}/api/v1/pods`, clientHeaders());
      if (timed.status === 200) {
        await verifyCount(base, ctx.sizes.cachedObjects);
        return timed.endedAt - proc.startedAt;
      }
    } catch {
      // not listening yet
    }
    await delay(5);
  }
  throw new Error(
    exited ? "it exited before answering" : "it never answered the LIST from its cache",
  );
}

/** Spawns an agent whose upstream is a closed port; returns ms to its first good LIST. */
async function timeStart(ctx: BenchContext, cachePath: string): Promise<number> {
  let agent: AgentHandle | undefined;
  try {
    agent = await startAgent(ctx, {
      name: "agent-startup",
      server: `http://127.0.0.1:${freePort()}`,
      cachePath,
      cacheAgents: "*",
      measure: "startup",
      waitReady: false,
    });
    return await timeFirstList(ctx, agent.url, agent.proc);
  } finally {
    await agent?.stop();
  }
}

async function verifyCount(base: string, expected: number): Promise<void> {
  const response = await fetch(`${base}/api/v1/pods`, { headers: clientHeaders() });
  const items = (await response.json()).items?.length ?? 0;
  if (items !== expected) throw new Error(`offline LIST had ${items} of ${expected} pods`);
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  const cachePath = `${ctx.runDir}/startup.kv`;
  await prepareCache(ctx, cachePath);
  const rounds = ctx.quick ? 1 : 3;
  const agentMs: number[] = [];
  for (let i = 0; i < rounds; i++) agentMs.push(await timeStart(ctx, cachePath));
  const floorMs: number[] = [];
  const sim = await startSimulator(ctx, { pods: 10 });
  try {
    for (let i = 0; i < rounds; i++) {
      const plain = await startPlainProxy(ctx, sim.url);
      floorMs.push(plain.readyAt - plain.proc.startedAt);
      await plain.stop();
    }
  } finally {
    await sim.stop();
  }
  const ms = percentile(agentMs, 50);
  const floor = percentile(floorMs, 50);
  record("startup.first_offline_list", {
    holdfast: { value: ms, unit: "ms" },
    baseline: { name: "bare Deno proxy, first answer", value: floor, unit: "ms" },
    ratio: ms / floor,
    met: ms <= TARGET_MS,
    note: `median of ${rounds} start(s): ${agentMs.map((v) => formatNumber(v)).join(", ")} ms; ` +
      "upstream is a closed port; polled every 5 ms",
  });
  await measureYurthub(ctx, record, rounds);
}

async function measureYurthub(ctx: BenchContext, record: RecordRow, rounds: number) {
  await measureHub(ctx, record, ["startup.first_offline_list"], async (binary, recordHub) => {
    const session = await startHubSession(ctx, binary, {
      name: "yurthub-startup",
      scale: { pods: ctx.sizes.cachedObjects },
    });
    try {
      await timedGet(`${session.hub.url}/api/v1/pods`, clientHeaders());
      await waitForHubCache(session, ctx.sizes.cachedObjects, 60_000);
      await session.hub.stop();
      await session.sim.stop();
      const hubMs: number[] = [];
      for (let i = 0; i < rounds; i++) {
        let hub: HubHandle | undefined;
        try {
          hub = await startHub(ctx, binary, {
            ...session.hubOptions,
            name: "yurthub-restart",
            waitReady: false,
          });
          hubMs.push(await timeFirstList(ctx, hub.url, hub.proc));
        } finally {
          await hub?.stop();
        }
      }
      recordHub("startup.first_offline_list", {
        value: percentile(hubMs, 50),
        unit: "ms",
        detail: { starts: hubMs.map((v) => `${formatNumber(v)} ms`).join(", ") },
      });
    } finally {
      await session.stop();
    }
  });
}

/** The start-up measurement. */
export const startup: Measure = { name: "startup", plan, run };
