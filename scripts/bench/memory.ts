/**
 * Memory: the agent's resident set (VmRSS from `/proc/<pid>/status`) idle, with a large pod LIST
 * cached, and its peak (VmHWM) after the request-path load, each beside a bare Deno proxy (the
 * runtime floor) in the same state. The agent is the bundle as a gateway runs it, like every
 * agent of the bench; idle, the same agent run from source is read too. The peak is also taken
 * phase by phase (the kernel's peak reset before each): the agent's cache fill against the floor's
 * one forwarded LIST, then each part of the load, so the note says which part sets it. Targets:
 * ≤ 50 MB idle, ≤ 120 MB with 10,000 objects cached and under load. YurtHub's resident set is read
 * the same way, in front of an HTTPS simulator of the same size.
 * @module
 */
import { AGENT_V8_FLAGS_VALUE } from "../../src/process/v8_flags.ts";
import { CACHED_USER_AGENT, startAgent } from "./lib/agent.ts";
import { fillCache } from "./lib/cache_fill.ts";
import { clientHeaders, firstPodPath, timedOk } from "./lib/kube_client.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { startPlainProxy } from "./lib/plain_proxy.ts";
import { delay, type Memory, readMemory, resetPeakMemory } from "./lib/processes.ts";
import { formatNumber } from "./lib/report.ts";
import { startSimulator } from "./lib/simulator.ts";
import { runWrk, wrkAvailable } from "./lib/wrk.ts";
import { measureHub, startHubSession, waitForHubCache } from "./lib/yurthub.ts";

const MB = 2 ** 20;

function plan(ctx: BenchContext): RowPlan[] {
  const objects = formatNumber(ctx.sizes.cachedObjects);
  return [
    { id: "memory.idle", metric: "agent RSS idle", target: "≤ 50 MB", peer: true },
    {
      id: "memory.cached",
      metric: `agent RSS with ${objects} pods cached`,
      target: "≤ 120 MB",
      peer: true,
    },
    {
      id: "memory.load_peak",
      metric: "agent peak RSS (VmHWM) under load",
      target: "≤ 120 MB",
      peer: true,
    },
  ];
}

/** One part of the request-path load, run against a proxy at `base`. */
interface LoadPhase {
  name: string;
  run(base: string): Promise<void>;
}

/** The request-path load: small GETs of `smallPath`, then LISTs of every pod. */
function loadPhases(ctx: BenchContext, smallPath: string): LoadPhase[] {
  const headers = { "User-Agent": CACHED_USER_AGENT, Accept: "application/json" };
  const durationS = ctx.sizes.wrkDurationS;
  const wrk = (path: string, connections: number) => async (base: string) =>
    void await runWrk({ url: `${base}${path}`, connections, durationS, headers });
  return [
    {
      name: `${durationS} s small GET (${ctx.sizes.smallConnections} connections)`,
      run: wrk(smallPath, ctx.sizes.smallConnections),
    },
    {
      name: `${durationS} s pod LIST (${ctx.sizes.listConnections} connections)`,
      run: wrk("/api/v1/pods", ctx.sizes.listConnections),
    },
  ];
}

/** Runs the request-path load against `base`, phase after phase. */
async function load(ctx: BenchContext, base: string, smallPath: string): Promise<void> {
  for (const phase of loadPhases(ctx, smallPath)) await phase.run(base);
}

/**
 * Runs the load against the proxy at `base` (process `pid`); returns its peak resident set over
 * its whole life, and, where the kernel lets the peak be reset, the peak of each phase alone.
 */
async function peaks(
  phases: LoadPhase[],
  pid: number,
  base: string,
): Promise<{ overall: number; byPhase: number[] | undefined; resetError?: string }> {
  let overall = (await readMemory(pid)).hwm;
  let byPhase: number[] | undefined = [];
  let resetError: string | undefined;
  for (const phase of phases) {
    if (byPhase) {
      try {
        await resetPeakMemory(pid);
      } catch (error) {
        resetError = error instanceof Error ? error.message : String(error);
        byPhase = undefined;
      }
    }
    await phase.run(base);
    const { hwm } = await readMemory(pid);
    overall = Math.max(overall, hwm);
    byPhase?.push(hwm);
  }
  return { overall, byPhase, resetError };
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  if (!await wrkAvailable()) throw new Error("wrk is not installed (apt-get install wrk)");
  const objects = ctx.sizes.cachedObjects;
  const settleMs = ctx.quick ? 1000 : 3000;
  const sim = await startSimulator(ctx, { pods: objects });
  const stops: Array<() => Promise<void>> = [() => sim.stop()];
  try {
    const common = { server: sim.url, cacheAgents: "*", measure: "memory" };
    const agent = await startAgent(ctx, {
      ...common,
      name: "agent-memory",
      cachePath: `${ctx.runDir}/memory.kv`,
    });
    stops.push(() => agent.stop());
    const plain = await startPlainProxy(ctx, sim.url);
    stops.push(() => plain.stop());
    const both = async () => ({
      agent: await readMemory(agent.proc.pid),
      floor: await readMemory(plain.proc.pid),
    });

    const source = await startAgent(ctx, {
      ...common,
      name: "agent-memory-source",
      cachePath: `${ctx.runDir}/memory-source.kv`,
      sourceDenoArgs: [`--v8-flags=${AGENT_V8_FLAGS_VALUE}`],
    });
    stops.push(() => source.stop());
    for (const base of [agent.url, plain.url, source.url]) {
      await timedOk(`${base}/version`, clientHeaders());
    }
    await delay(settleMs);
    const idle = await both();
    const fromSource = await readMemory(source.proc.pid);
    await source.stop();
    record(
      "memory.idle",
      row(
        idle.agent.rss,
        idle.floor.rss,
        50,
        `after one request; ${split(idle)}; the same agent from source (\`deno run main.ts\`, ` +
          `modules loaded one by one) ${mb(fromSource)} MB; YurtHub publishes 30–40 MB idle`,
      ),
    );

    await timedOk(`${plain.url}/api/v1/pods`, clientHeaders());
    const lists = await fillCache(agent, "/api/v1/pods", objects);
    await delay(settleMs);
    const cached = await both();
    const retried = lists > 1 ? `; the cache gave up on ${lists - 1} LIST(s) before one stuck` : "";
    record(
      "memory.cached",
      row(
        cached.agent.rss,
        cached.floor.rss,
        120,
        `floor forwarded the same LIST${retried}; ${split(cached)}`,
      ),
    );

    // The agent's peak so far is its cache fill's; the floor's, one forwarded LIST.
    const fill = await both();
    const phases = loadPhases(ctx, await firstPodPath(sim.url));
    const agentPeaks = await peaks(phases, agent.proc.pid, agent.url);
    const floorPeaks = await peaks(phases, plain.proc.pid, plain.url);
    const loaded = await both();
    const notes = [
      `VmHWM over the agent's life, after ${phases.map((phase) => phase.name).join(" + ")}`,
      `RSS now ${mb(loaded.agent)} MB`,
    ];
    if (agentPeaks.byPhase && floorPeaks.byPhase) {
      const inMb = (bytes: number) => `${formatNumber(bytes / MB)} MB`;
      const parts = [
        `cache fill ${inMb(fill.agent.hwm)} (one forwarded LIST ${inMb(fill.floor.hwm)})`,
        ...phases.map((phase, i) =>
          `${phase.name} ${inMb(agentPeaks.byPhase![i])} (${inMb(floorPeaks.byPhase![i])})`
        ),
      ];
      notes.push(`peak by phase, agent (bare Deno proxy): ${parts.join(", ")}`);
    } else {
      notes.push(`no peak by phase: ${agentPeaks.resetError ?? floorPeaks.resetError}`);
    }
    record(
      "memory.load_peak",
      row(agentPeaks.overall, floorPeaks.overall, 120, notes.join("; ")),
    );
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  await measureYurthub(ctx, record);
}

/** YurtHub's cells: the same three states, its LIST cache being its disk cache. */
async function measureYurthub(ctx: BenchContext, record: RecordRow): Promise<void> {
  const settleMs = ctx.quick ? 1000 : 3000;
  const ids = ["memory.idle", "memory.cached", "memory.load_peak"];
  await measureHub(ctx, record, ids, async (binary, recordHub) => {
    const session = await startHubSession(ctx, binary, {
      name: "yurthub-memory",
      scale: { pods: ctx.sizes.cachedObjects },
    });
    try {
      const { hub } = session;
      const inMb = (bytes: number) => ({ value: bytes / MB, unit: "MB" });
      await timedOk(`${hub.url}/version`, clientHeaders());
      await delay(settleMs);
      recordHub("memory.idle", inMb((await hub.memory()).rss));
      await timedOk(`${hub.url}/api/v1/pods`, clientHeaders());
      await waitForHubCache(session, ctx.sizes.cachedObjects, 60_000);
      await delay(settleMs);
      recordHub("memory.cached", inMb((await hub.memory()).rss));
      await load(ctx, hub.url, await firstPodPath(hub.url));
      const loaded = await hub.memory();
      recordHub("memory.load_peak", {
        ...inMb(loaded.hwm),
        detail: { "RSS now": `${mb(loaded)} MB` },
      });
    } finally {
      await session.stop();
    }
  });
}

/**
 * How both resident sets split into anonymous memory (the process's own heaps and buffers) and
 * file-backed pages (mostly the Deno executable's code and read-only data, shared and reclaimable).
 */
function split(both: { agent: Memory; floor: Memory }): string {
  const parts = (memory: Memory) =>
    `${formatNumber(memory.anon / MB)} MB anonymous + ${formatNumber(memory.file / MB)} MB file`;
  return `agent ${parts(both.agent)}, bare Deno proxy ${parts(both.floor)}`;
}

function mb(memory: Memory): string {
  return formatNumber(memory.rss / MB);
}

function row(agentBytes: number, floorBytes: number, targetMb: number, note: string) {
  return {
    holdfast: { value: agentBytes / MB, unit: "MB" },
    baseline: { name: "bare Deno proxy", value: floorBytes / MB, unit: "MB" },
    ratio: agentBytes / floorBytes,
    met: agentBytes / MB <= targetMb,
    note,
  };
}

/** The memory measurement. */
export const memory: Measure = { name: "memory", plan, run };
