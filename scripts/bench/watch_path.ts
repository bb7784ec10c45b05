/**
 * Watch path, caching on:
 * - throughput: a pod watch fed at the flood rate by `lib/watch_flood.ts` (the simulator cannot
 *   produce 20,000 changes/s here); events/s read through holdfast vs direct, one after the
 *   other, and whether the cache had stored every event the client read; then, for what the
 *   runtime and the request path cost on their own, the same through the bare Deno proxy and
 *   through holdfast with caching off;
 * - added latency at a fixed rate of simulator pod changes: one watch direct and one through
 *   holdfast open together, each event matched by resourceVersion, added latency = arrival through
 *   holdfast − arrival direct; then the same through the bare Deno proxy (the runtime's floor) in a
 *   run of its own;
 * - cache lag at that rate, in a run of its own (its polling of the agent's admin API every 5 ms
 *   added about 1 ms to the agent's p99 latency when both were measured in one run): when the pods
 *   query's resourceVersion in the agent's `/v1/cache/ls` (read from KV, so committed) first
 *   reaches an event's resourceVersion, minus when that event reached the client through holdfast.
 * Targets: ≥ 20,000 events/s; added p99 ≤ 1 ms and cache lag p99 ≤ 100 ms at 1,000 events/s.
 *
 * YurtHub's cells: the same two runs through YurtHub, which speaks only HTTPS upstream: the flood
 * source over HTTPS (forwarding the rest of the API YurtHub needs to a simulator) for throughput,
 * read directly over TLS too for comparison; an HTTPS simulator for the added latency.
 * @module
 */
import { type AgentHandle, startAgent, UNCACHED_AGENTS } from "./lib/agent.ts";
import { storedResourceVersion } from "./lib/cache_status.ts";
import { clientHeaders, openWatch, parseEvent } from "./lib/kube_client.ts";
import type { BenchContext, Measure, Measured, RecordRow, RowPlan } from "./lib/measure.ts";
import { startPlainProxy } from "./lib/plain_proxy.ts";
import { delay } from "./lib/processes.ts";
import { formatNumber } from "./lib/report.ts";
import { type SimulatorHandle, startSimulator } from "./lib/simulator.ts";
import { startFlood } from "./lib/watch_flood.ts";
import { spread } from "./lib/stats.ts";
import { type HubSession, measureHub, startHubSession } from "./lib/yurthub.ts";

const WATCH_PODS = 1000;
const LAG_POLL_MS = 5;

function plan(ctx: BenchContext): RowPlan[] {
  const rate = formatNumber(ctx.sizes.watchLatencyRate);
  return [
    {
      id: "watch.throughput",
      metric: "watch events/s sustained, caching on",
      target: "≥ 20,000 events/s",
      peer: true,
    },
    {
      id: "watch.added_latency",
      metric: `added watch latency at ${rate} events/s, p99`,
      target: "p99 ≤ 1 ms",
      peer: true,
    },
    { id: "watch.cache_lag", metric: `cache lag at ${rate} events/s, p99`, target: "p99 ≤ 100 ms" },
  ];
}

/** How to reach a server other than plainly: a TLS client and extra headers (credentials). */
interface Via {
  client?: Deno.HttpClient;
  headers?: Record<string, string>;
}

async function listRV(base: string, via: Via = {}): Promise<string> {
  const response = await fetch(`${base}/api/v1/pods?limit=1`, {
    headers: { ...clientHeaders(), ...via.headers },
    client: via.client,
  });
  if (!response.ok) throw new Error(`LIST pods: HTTP ${response.status}`);
  return (await response.json()).metadata.resourceVersion;
}

function watchUrl(base: string, rv: string): string {
  return `${base}/api/v1/pods?watch=1&resourceVersion=${rv}&timeoutSeconds=3600`;
}

interface Throughput {
  eventsPerSec: number;
  /** resourceVersion of the last event read in the window. */
  lastRV: number;
  /** Set when the stream ended before the window did. */
  endedEarly: boolean;
}

/** Reads a pod watch on `base` (the flood source, or an agent in front of it) for the window. */
async function throughput(ctx: BenchContext, base: string, via: Via = {}): Promise<Throughput> {
  const rv = await listRV(base, via);
  const window = { start: Infinity, end: Infinity, count: 0, last: new Uint8Array() as Uint8Array };
  const headers = { ...clientHeaders(), ...via.headers };
  const watch = openWatch(watchUrl(base, rv), headers, (line, at) => {
    if (at < window.start || at > window.end) return;
    window.count++;
    window.last = line;
  }, via.client);
  let ended = false;
  watch.done.then(() => ended = true, () => ended = true);
  try {
    await watch.ready;
    await delay(1000);
    window.start = performance.now();
    await delay(ctx.sizes.watchDurationS * 1000);
    window.end = performance.now();
    return {
      eventsPerSec: window.count / ((window.end - window.start) / 1000),
      lastRV: window.count > 0 ? Number(parseEvent(window.last).resourceVersion) : 0,
      endedEarly: ended,
    };
  } finally {
    watch.close();
    await watch.done.catch(() => undefined);
  }
}

/** Polls the agent's stored pods resourceVersion for up to `ms`, until it reaches `rv`. */
async function storedBy(agent: AgentHandle, rv: number, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let stored = await storedResourceVersion(agent.adminUrl, "pods");
  while (stored < rv && performance.now() < deadline) {
    await delay(LAG_POLL_MS);
    stored = await storedResourceVersion(agent.adminUrl, "pods");
  }
  return stored;
}

async function measureThroughput(ctx: BenchContext, record: RecordRow): Promise<void> {
  const flood = await startFlood(ctx, ctx.sizes.watchFloodRate);
  let agent: AgentHandle | undefined;
  try {
    agent = await startAgent(ctx, {
      name: "agent-watch-flood",
      server: flood.url,
      cachePath: `${ctx.runDir}/watch-flood.kv`,
      cacheAgents: "*",
      measure: "watch-path",
    });
    const direct = await throughput(ctx, flood.url);
    const proxied = await throughput(ctx, agent.url);
    const stored = await storedBy(agent, proxied.lastRV, 1000);
    const behind = Math.max(0, proxied.lastRV - stored);
    const floors = await throughputFloors(ctx, flood.url);
    const notes = [
      `source: ${formatNumber(ctx.sizes.watchFloodRate)} pod MODIFIED events/s (~9 KB each, ` +
      `captured pods) for ${ctx.sizes.watchDurationS} s`,
      behind === 0
        ? "the cache had stored every event within 1 s"
        : `the cache was ${formatNumber(behind)} events behind 1 s after the window`,
    ];
    if (proxied.endedEarly) notes.push("the watch through holdfast ended before the window did");
    if (direct.endedEarly) notes.push("the direct watch ended before the window did");
    record("watch.throughput", {
      holdfast: { value: proxied.eventsPerSec, unit: "events/s", detail: floors },
      baseline: { name: "direct", value: direct.eventsPerSec, unit: "events/s" },
      ratio: proxied.eventsPerSec / direct.eventsPerSec,
      met: proxied.eventsPerSec >= 20_000 && behind === 0 && !proxied.endedEarly,
      note: notes.join("; "),
    });
  } finally {
    await agent?.stop();
    await flood.stop();
  }
}

/**
 * The same watch through the bare Deno proxy and through holdfast with caching off, each in a run
 * of its own: what the runtime and the request path cost before the cache does.
 */
async function throughputFloors(
  ctx: BenchContext,
  floodUrl: string,
): Promise<Record<string, string>> {
  const plain = await startPlainProxy(ctx, floodUrl);
  const bare = await throughput(ctx, plain.url).finally(() => plain.stop());
  const uncached = await startAgent(ctx, {
    name: "agent-watch-flood-uncached",
    server: floodUrl,
    cachePath: `${ctx.runDir}/watch-flood-uncached.kv`,
    cacheAgents: UNCACHED_AGENTS,
    measure: "watch-path",
  });
  const off = await throughput(ctx, uncached.url).finally(() => uncached.stop());
  return {
    "bare Deno proxy": `${formatNumber(bare.eventsPerSec)} events/s`,
    "caching off": `${formatNumber(off.eventsPerSec)} events/s`,
  };
}

interface LatencyRun {
  added: number[];
  direct: number;
  proxied: number;
  lag: number[];
  /** Events seen through holdfast whose resourceVersion the cache never reported stored. */
  unstored: number;
}

/**
 * Both watches at once at the latency rate, direct and through the proxy at `proxyUrl`; pairs
 * events by resourceVersion. With an agent's `adminUrl`, polls its stored resourceVersion
 * throughout, for the cache lag.
 */
async function latency(
  ctx: BenchContext,
  sim: SimulatorHandle,
  proxyUrl: string,
  adminUrl?: string,
): Promise<LatencyRun> {
  const pollCache = adminUrl !== undefined;
  const rv = await listRV(sim.url);
  const direct = new Map<number, number>();
  const proxied = new Map<number, number>();
  const directWatch = openWatch(watchUrl(sim.url, rv), clientHeaders(), (line, at) => {
    direct.set(Number(parseEvent(line).resourceVersion), at);
  });
  const proxiedWatch = openWatch(watchUrl(proxyUrl, rv), clientHeaders(), (line, at) => {
    proxied.set(Number(parseEvent(line).resourceVersion), at);
  });
  const polls: Array<{ at: number; rv: number }> = [];
  const poll = async () => {
    const stored = await storedResourceVersion(adminUrl!, "pods");
    polls.push({ at: performance.now(), rv: stored });
    return stored;
  };
  try {
    await Promise.all([directWatch.ready, proxiedWatch.ready]);
    await delay(500);
    await sim.mutate({ resource: "pods", rate: ctx.sizes.watchLatencyRate });
    const stopAt = performance.now() + ctx.sizes.watchDurationS * 1000;
    while (performance.now() < stopAt) {
      if (pollCache) await poll();
      await delay(LAG_POLL_MS);
    }
    await sim.mutate({ resource: "pods", rate: 0 });
    const drainUntil = performance.now() + 3000;
    // Until both watches have had nothing new for 200 ms (events still in flight when the
    // simulator stopped would otherwise arrive after the last poll and count as never stored),
    // polling meanwhile so that the last events' lag is measured as the others'...
    for (let seen = -1; performance.now() < drainUntil;) {
      const now = direct.size + proxied.size;
      if (now === seen) break;
      seen = now;
      const quietAt = performance.now() + 200;
      while (performance.now() < quietAt) {
        if (pollCache) await poll();
        await delay(LAG_POLL_MS);
      }
    }
    // ...then until the cache reports the newest event stored.
    while (pollCache && performance.now() < drainUntil) {
      const newest = Math.max(0, ...proxied.keys());
      if ((await poll()) >= newest && newest > 0) break;
      await delay(LAG_POLL_MS);
    }
  } finally {
    directWatch.close();
    proxiedWatch.close();
    await Promise.all([directWatch.done, proxiedWatch.done].map((p) => p.catch(() => undefined)));
  }
  const added = addedLatencies(direct, proxied);
  const lag: number[] = [];
  let unstored = 0;
  const arrivals = [...proxied].sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [eventRV, at] of arrivals) {
    while (next < polls.length && polls[next].rv < eventRV) next++;
    if (next === polls.length) unstored++;
    else lag.push(polls[next].at - at);
  }
  return { added, direct: direct.size, proxied: proxied.size, lag, unstored };
}

/** Arrival through the proxy minus direct arrival, for each resourceVersion seen by both. */
function addedLatencies(direct: Map<number, number>, proxied: Map<number, number>): number[] {
  const added: number[] = [];
  for (const [key, at] of proxied) {
    const first = direct.get(key);
    if (first !== undefined) added.push(at - first);
  }
  return added;
}

async function measureLatency(ctx: BenchContext, record: RecordRow): Promise<void> {
  const sim = await startSimulator(ctx, { pods: WATCH_PODS });
  let agent: AgentHandle | undefined;
  try {
    agent = await startAgent(ctx, {
      name: "agent-watch",
      server: sim.url,
      cachePath: `${ctx.runDir}/watch.kv`,
      cacheAgents: "*",
      measure: "watch-path",
    });
    await listRV(agent.url);
    const run = await latency(ctx, sim, agent.url);
    const added = spread(run.added);
    // The runtime's own floor: the bare Deno proxy, measured the same way in a run of its own.
    const plain = await startPlainProxy(ctx, sim.url);
    const floorRun = await latency(ctx, sim, plain.url).finally(() => plain.stop());
    const floor = spread(floorRun.added);
    record("watch.added_latency", {
      holdfast: {
        value: added.p99,
        unit: "ms",
        detail: { p50: `${formatNumber(added.p50)} ms` },
      },
      baseline: floorRun.added.length > 0
        ? {
          name: "bare Deno proxy",
          value: floor.p99,
          unit: "ms",
          detail: { p50: `${formatNumber(floor.p50)} ms` },
        }
        : undefined,
      ratio: floorRun.added.length > 0 && floor.p99 > 0 ? added.p99 / floor.p99 : undefined,
      met: run.added.length > 0 ? added.p99 <= 1 : undefined,
      note: `${run.added.length} simulator pod changes paired by resourceVersion ` +
        `(${run.direct} direct, ${run.proxied} through holdfast); the bare Deno proxy in a run ` +
        `of its own after (${floorRun.added.length} paired)`,
    });
    const lagRun = await latency(ctx, sim, agent.url, agent.adminUrl);
    if (lagRun.lag.length === 0) {
      record("watch.cache_lag", {
        note: `none of ${lagRun.proxied} events was reported stored by /v1/cache/ls`,
      });
    } else {
      const lag = spread(lagRun.lag);
      const notes = [
        `stored = the pods query's resourceVersion in /v1/cache/ls (committed KV state) ` +
        `reached the event's; polled every ${LAG_POLL_MS} ms plus the poll's own time, in a ` +
        `run after the latency's`,
      ];
      if (lagRun.unstored > 0) notes.push(`${lagRun.unstored} events never reported stored`);
      record("watch.cache_lag", {
        holdfast: { value: lag.p99, unit: "ms", detail: { p50: `${formatNumber(lag.p50)} ms` } },
        met: lagRun.unstored === 0 && lag.p99 <= 100,
        note: notes.join("; "),
      });
    }
  } finally {
    await agent?.stop();
    await sim.stop();
  }
}

/** YurtHub's events/s from the flood source, beside the flood read directly (over TLS). */
async function hubThroughput(ctx: BenchContext, session: HubSession): Promise<Measured> {
  const straight = await throughput(ctx, session.direct.url, session.direct);
  const proxied = await throughput(ctx, session.hub.url);
  const detail: Record<string, string> = {
    "direct TLS": `${formatNumber(straight.eventsPerSec)} events/s`,
  };
  if (proxied.endedEarly) detail.note = "the watch through YurtHub ended early";
  return { value: proxied.eventsPerSec, unit: "events/s", detail };
}

/** YurtHub's added latency: a direct (TLS) and a YurtHub pod watch open together. */
async function hubLatency(ctx: BenchContext, session: HubSession): Promise<Measured> {
  const { sim, hub, direct: via } = session;
  const rv = await listRV(via.url, via);
  const direct = new Map<number, number>();
  const proxied = new Map<number, number>();
  const arrivals = (into: Map<number, number>) => (line: Uint8Array, at: number) => {
    into.set(Number(parseEvent(line).resourceVersion), at);
  };
  const headers = { ...clientHeaders(), ...via.headers };
  const watches = [
    openWatch(watchUrl(via.url, rv), headers, arrivals(direct), via.client),
    openWatch(watchUrl(hub.url, rv), clientHeaders(), arrivals(proxied)),
  ];
  try {
    await Promise.all(watches.map((watch) => watch.ready));
    await delay(500);
    await sim.mutate({ resource: "pods", rate: ctx.sizes.watchLatencyRate });
    await delay(ctx.sizes.watchDurationS * 1000);
    await sim.mutate({ resource: "pods", rate: 0 });
    await delay(1000);
  } finally {
    for (const watch of watches) watch.close();
    await Promise.all(watches.map((watch) => watch.done.catch(() => undefined)));
  }
  const added = addedLatencies(direct, proxied);
  if (added.length === 0) throw new Error("no event reached both watches");
  const { p50, p99 } = spread(added);
  return {
    value: p99,
    unit: "ms",
    detail: { p50: `${formatNumber(p50)} ms`, paired: `${added.length} of ${direct.size}` },
  };
}

async function measureYurthub(ctx: BenchContext, record: RecordRow): Promise<void> {
  await measureHub(ctx, record, ["watch.throughput", "watch.added_latency"], async (
    binary,
    recordHub,
  ) => {
    const flooded = await startHubSession(ctx, binary, {
      name: "yurthub-watch-flood",
      scale: { pods: 10 },
      floodRate: ctx.sizes.watchFloodRate,
    });
    try {
      recordHub("watch.throughput", await hubThroughput(ctx, flooded));
    } finally {
      await flooded.stop();
    }
    const session = await startHubSession(ctx, binary, {
      name: "yurthub-watch",
      scale: { pods: WATCH_PODS },
    });
    try {
      recordHub("watch.added_latency", await hubLatency(ctx, session));
    } finally {
      await session.stop();
    }
  });
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  await measureThroughput(ctx, record);
  await measureLatency(ctx, record);
  await measureYurthub(ctx, record);
}

/** The watch-path measurement. */
export const watchPath: Measure = { name: "watch-path", plan, run };
