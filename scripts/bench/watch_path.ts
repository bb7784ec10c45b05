/**
 * Watch path, caching on:
 * - throughput: pods mutated by the simulator as fast as asked (the flood rate); events/s read
 *   from a watch through holdfast vs a watch direct to the simulator, one after the other;
 * - added latency at a fixed rate: one watch direct and one through holdfast open together, each
 *   event matched by resourceVersion, added latency = arrival through holdfast − arrival direct;
 * - cache lag at that rate: when the agent's `holdfast_cache_objects_written_total` for the
 *   component's pods has counted an event, minus when that event reached the client (events are
 *   written in order, so the i-th counted write is the i-th event).
 * Targets: ≥ 20,000 events/s; added p99 ≤ 1 ms and cache lag p99 ≤ 100 ms at 1,000 events/s.
 * @module
 */
import { type AgentHandle, startAgent } from "./lib/agent.ts";
import { CACHED_COMPONENT } from "./lib/cache_status.ts";
import { clientHeaders, openWatch, parseEvent } from "./lib/kube_client.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { sumSamples } from "./lib/metrics_text.ts";
import { delay } from "./lib/processes.ts";
import { formatNumber } from "./lib/report.ts";
import { type SimulatorHandle, startSimulator } from "./lib/simulator.ts";
import { spread } from "./lib/stats.ts";

const WATCH_PODS = 1000;
const WRITES_METRIC = "holdfast_cache_objects_written_total";
const LAG_POLL_MS = 5;

function plan(ctx: BenchContext): RowPlan[] {
  const rate = formatNumber(ctx.sizes.watchLatencyRate);
  return [
    {
      id: "watch.throughput",
      metric: "watch events/s sustained, caching on",
      target: "≥ 20,000 events/s",
    },
    {
      id: "watch.added_latency",
      metric: `added watch latency at ${rate} events/s, p99`,
      target: "p99 ≤ 1 ms",
    },
    { id: "watch.cache_lag", metric: `cache lag at ${rate} events/s, p99`, target: "p99 ≤ 100 ms" },
  ];
}

async function listRV(base: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/pods?limit=1`, { headers: clientHeaders() });
  if (!response.ok) throw new Error(`LIST pods: HTTP ${response.status}`);
  return (await response.json()).metadata.resourceVersion;
}

function watchUrl(base: string, rv: string): string {
  return `${base}/api/v1/pods?watch=1&resourceVersion=${rv}&timeoutSeconds=3600`;
}

interface Throughput {
  eventsPerSec: number;
  /** Set when the stream ended before the window did. */
  endedEarly: boolean;
}

/** Floods pods at `rate` and counts the events a watch on `base` receives per second. */
async function throughput(
  ctx: BenchContext,
  sim: SimulatorHandle,
  base: string,
): Promise<Throughput> {
  const rv = await listRV(base);
  const window = { start: 0, end: Infinity, count: 0 };
  const watch = openWatch(watchUrl(base, rv), clientHeaders(), (_line, at) => {
    if (at >= window.start && at <= window.end) window.count++;
  });
  let ended = false;
  watch.done.then(() => ended = true, () => ended = true);
  try {
    await watch.ready;
    await sim.mutate({ resource: "pods", rate: ctx.sizes.watchFloodRate });
    await delay(1000);
    window.start = performance.now();
    await delay(ctx.sizes.watchDurationS * 1000);
    window.end = performance.now();
    const endedEarly = ended;
    await sim.mutate({ resource: "pods", rate: 0 });
    return { eventsPerSec: window.count / ((window.end - window.start) / 1000), endedEarly };
  } finally {
    watch.close();
    await watch.done.catch(() => undefined);
  }
}

interface LatencyRun {
  added: number[];
  direct: number;
  proxied: number;
  lag: number[];
  written: number;
}

/** Both watches at once at the latency rate; pairs events by resourceVersion. */
async function latency(
  ctx: BenchContext,
  sim: SimulatorHandle,
  agent: AgentHandle,
): Promise<LatencyRun> {
  const rv = await listRV(sim.url);
  const direct = new Map<string, number>();
  const proxied = new Map<string, number>();
  const proxiedOrder: number[] = [];
  const directWatch = openWatch(watchUrl(sim.url, rv), clientHeaders(), (line, at) => {
    direct.set(parseEvent(line).resourceVersion, at);
  });
  const proxiedWatch = openWatch(watchUrl(agent.url, rv), clientHeaders(), (line, at) => {
    proxied.set(parseEvent(line).resourceVersion, at);
    proxiedOrder.push(at);
  });
  const labels = { component: CACHED_COMPONENT, resource: "pods" };
  const written = async () => sumSamples(await agent.metrics(), WRITES_METRIC, labels);
  const polls: Array<{ at: number; written: number }> = [];
  try {
    await Promise.all([directWatch.ready, proxiedWatch.ready]);
    await delay(500);
    const before = await written();
    const duration = ctx.sizes.watchDurationS * 1000;
    await sim.mutate({ resource: "pods", rate: ctx.sizes.watchLatencyRate });
    const stopAt = performance.now() + duration;
    while (performance.now() < stopAt) {
      polls.push({ at: performance.now(), written: (await written()) - before });
      await delay(LAG_POLL_MS);
    }
    await sim.mutate({ resource: "pods", rate: 0 });
    const drainUntil = performance.now() + 2000;
    while (performance.now() < drainUntil) {
      const count = (await written()) - before;
      polls.push({ at: performance.now(), written: count });
      if (count >= proxiedOrder.length) break;
      await delay(LAG_POLL_MS);
    }
  } finally {
    directWatch.close();
    proxiedWatch.close();
    await Promise.all([directWatch.done, proxiedWatch.done].map((p) => p.catch(() => undefined)));
  }
  const added: number[] = [];
  for (const [key, at] of proxied) {
    const first = direct.get(key);
    if (first !== undefined) added.push(at - first);
  }
  const lag: number[] = [];
  let poll = 0;
  for (let i = 0; i < proxiedOrder.length; i++) {
    while (poll < polls.length && polls[poll].written < i + 1) poll++;
    if (poll === polls.length) break;
    lag.push(polls[poll].at - proxiedOrder[i]);
  }
  const last = polls.at(-1)?.written ?? 0;
  return { added, direct: direct.size, proxied: proxied.size, lag, written: last };
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
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
    const direct = await throughput(ctx, sim, sim.url);
    const proxied = await throughput(ctx, sim, agent.url);
    const notes = [
      `asked the simulator for ${formatNumber(ctx.sizes.watchFloodRate)} pod updates/s for ` +
      `${ctx.sizes.watchDurationS} s`,
    ];
    if (proxied.endedEarly) notes.push("the watch through holdfast ended before the window did");
    if (direct.endedEarly) notes.push("the direct watch ended before the window did");
    record("watch.throughput", {
      holdfast: { value: proxied.eventsPerSec, unit: "events/s" },
      baseline: { name: "direct", value: direct.eventsPerSec, unit: "events/s" },
      ratio: proxied.eventsPerSec / direct.eventsPerSec,
      met: proxied.eventsPerSec >= 20_000,
      note: notes.join("; "),
    });

    const run = await latency(ctx, sim, agent);
    const added = spread(run.added);
    record("watch.added_latency", {
      holdfast: {
        value: added.p99,
        unit: "ms",
        detail: { p50: `${formatNumber(added.p50)} ms` },
      },
      ratio: undefined,
      met: run.added.length > 0 ? added.p99 <= 1 : undefined,
      note: `${run.added.length} events paired by resourceVersion ` +
        `(${run.direct} direct, ${run.proxied} through holdfast)`,
    });
    if (run.lag.length === 0) {
      record("watch.cache_lag", {
        note: `no cache write counted: ${WRITES_METRIC}{component="${CACHED_COMPONENT}",` +
          `resource="pods"} stayed at ${run.written} while ${run.proxied} events arrived`,
      });
    } else {
      const lag = spread(run.lag);
      record("watch.cache_lag", {
        holdfast: { value: lag.p99, unit: "ms", detail: { p50: `${formatNumber(lag.p50)} ms` } },
        met: run.lag.length === run.proxied ? lag.p99 <= 100 : false,
        note: `${run.lag.length} of ${run.proxied} events counted written ` +
          `(metric polled every ${LAG_POLL_MS} ms; negative = stored before the client read it)`,
      });
    }
  } finally {
    await agent?.stop();
    await sim.stop();
  }
}

/** The watch-path measurement. */
export const watchPath: Measure = { name: "watch-path", plan, run };
