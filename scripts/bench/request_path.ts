/**
 * Request path: a small GET (one pod) and a large LIST (every pod) under `wrk` at fixed
 * concurrency, direct to the simulator, through holdfast with caching off and on, through nginx
 * (the reference proxy) and through a bare Deno proxy (the runtime floor), all in one run.
 * Targets, each against a rate of the same run: the small GET with caching off at least 0.95× the
 * bare Deno proxy's, with caching on at least 0.9× caching off's; the LIST's ratio to direct at
 * least nginx's, caching on and off. Every target is measured in `wrkRounds` rounds of
 * `wrkRoundS` seconds, each round running `wrk` once against every target in an order that
 * rotates from round to round; a row gives the median of its rounds, and a ratio is the median of
 * the per-round ratios, so that load from anything else on the machine falls on both sides of a
 * ratio alike (one run of each in turn let the small GET's shares swing between 0.63 and 0.96 from
 * one full run to the next). The floor runs with V8's defaults; the same proxy with the agent's V8
 * flags runs beside it, so that each run shows what the flags (a small young generation, kept for
 * the resident set) cost apart from what holdfast's code does. YurtHub (caching on, as for
 * kubelet) is measured the same way in front of an HTTPS simulator, the only upstream it speaks
 * to, beside `wrk` direct to that simulator over TLS.
 * @module
 */
import { AGENT_V8_FLAGS_VALUE } from "../../src/process/v8_flags.ts";
import { type AgentHandle, CACHED_USER_AGENT, startAgent, UNCACHED_AGENTS } from "./lib/agent.ts";
import { clientHeaders, firstPodPath, timedOk } from "./lib/kube_client.ts";
import type { BenchContext, Measure, Measured, RecordRow, RowPlan } from "./lib/measure.ts";
import { nginxAvailable, type NginxHandle, startNginx } from "./lib/nginx.ts";
import { type PlainProxyHandle, startPlainProxy } from "./lib/plain_proxy.ts";
import { formatNumber } from "./lib/report.ts";
import { startSimulator } from "./lib/simulator.ts";
import { inRotatingRounds } from "./lib/rounds.ts";
import { median } from "./lib/stats.ts";
import { runWrk, wrkAvailable, type WrkResult } from "./lib/wrk.ts";
import { measureHub, startHubSession } from "./lib/yurthub.ts";

/** One request shape. */
interface Workload {
  key: "get" | "list";
  label: string;
  path: string;
  connections: number;
}

/** The small GET and the large LIST, with the pod to GET found through `base`. */
async function workloads(ctx: BenchContext, base: string): Promise<Workload[]> {
  const small = await firstPodPath(base);
  return [
    {
      key: "get",
      label: "small GET (1 pod)",
      path: small,
      connections: ctx.sizes.smallConnections,
    },
    {
      key: "list",
      label: `${formatNumber(ctx.sizes.listPods)}-pod LIST`,
      path: "/api/v1/pods",
      connections: ctx.sizes.listConnections,
    },
  ];
}

const wrkHeaders = (extra: Record<string, string> = {}) => ({
  "User-Agent": CACHED_USER_AGENT,
  Accept: "application/json",
  ...extra,
});

/** Warms `url` up for `ctx.sizes.warmupS`, then measures it for `ctx.sizes.wrkDurationS`. */
async function measureWrk(
  ctx: BenchContext,
  url: string,
  connections: number,
  extraHeaders: Record<string, string> = {},
): Promise<WrkResult> {
  const headers = wrkHeaders(extraHeaders);
  await runWrk({ url, connections, durationS: ctx.sizes.warmupS, headers });
  return await runWrk({ url, connections, durationS: ctx.sizes.wrkDurationS, headers });
}

/**
 * Each of `urls`' `wrk` results for `workload`, one per round: every target warmed up first, then
 * `ctx.sizes.wrkRounds` rounds, each target once per round in an order that rotates.
 */
async function measureRounds<Name extends string>(
  ctx: BenchContext,
  workload: Workload,
  urls: Record<Name, string>,
): Promise<Record<Name, WrkResult[]>> {
  const { connections, path } = workload;
  const headers = wrkHeaders();
  const names = Object.keys(urls) as Name[];
  for (const name of names) {
    const url = `${urls[name]}${path}`;
    await runWrk({ url, connections, durationS: ctx.sizes.warmupS, headers });
  }
  const durationS = ctx.sizes.wrkRoundS;
  return await inRotatingRounds(
    names,
    ctx.sizes.wrkRounds,
    (name) => runWrk({ url: `${urls[name]}${path}`, connections, durationS, headers }),
  );
}

/** The median over rounds of `a`'s rate ÷ `b`'s. */
function medianRatio(a: readonly WrkResult[], b: readonly WrkResult[]): number {
  return median(a.map((result, i) => result.requestsPerSec / b[i].requestsPerSec));
}

/** One result standing for the rounds: the median rate and percentiles, the errors summed. */
function medianOf(rounds: readonly WrkResult[]): WrkResult {
  const of = (pick: (result: WrkResult) => number) => median(rounds.map(pick));
  return {
    requestsPerSec: of((r) => r.requestsPerSec),
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    bytes: rounds.reduce((sum, r) => sum + r.bytes, 0),
    p50Ms: of((r) => r.p50Ms),
    p99Ms: of((r) => r.p99Ms),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

const roundsText = (rounds: number, seconds: number) =>
  rounds === 1 ? `one run of ${seconds} s` : `medians of ${rounds} rounds of ${seconds} s`;

const SUBJECTS = [
  { key: "cache_off", label: "holdfast, caching off" },
  { key: "cache_on", label: "holdfast, caching on" },
  { key: "nginx", label: "nginx (reference)" },
  { key: "deno", label: "bare Deno proxy (floor)" },
  { key: "deno_flags", label: "bare Deno proxy, the agent's V8 flags" },
] as const;

type Subject = typeof SUBJECTS[number]["key"];

/** A row's target: another subject of the same workload and run, and the least ratio to it. */
interface RowTarget {
  text: string;
  /** The subject compared against; absent: nginx's ratio to direct. */
  of?: { subject: Subject; label: string; least: number };
}

/** The target of `subject`'s row for `workload` (none for the references). */
function rowTarget(workload: Workload["key"], subject: Subject): RowTarget | undefined {
  if (subject !== "cache_off" && subject !== "cache_on") return undefined;
  if (workload === "list") return { text: "ratio ≥ nginx's ratio" };
  return subject === "cache_off"
    ? {
      text: "≥ 0.95× the bare Deno proxy",
      of: { subject: "deno", label: "the bare Deno proxy", least: 0.95 },
    }
    : {
      text: "≥ 0.9× caching off",
      of: { subject: "cache_off", label: "caching off", least: 0.9 },
    };
}

function planRows(ctx: BenchContext): RowPlan[] {
  const listLabel = `${formatNumber(ctx.sizes.listPods)}-pod LIST`;
  const labels = [["get", "small GET (1 pod)"], ["list", listLabel]] as const;
  return labels.flatMap(([key, label]) =>
    SUBJECTS.map((subject) => ({
      id: `request.${key}.${subject.key}`,
      metric: `${label} req/s, ${subject.label}`,
      target: rowTarget(key, subject.key)?.text,
      peer: subject.key === "cache_on",
    }))
  );
}

interface Targets {
  direct: string;
  subjects: Partial<Record<Subject, string>>;
  nginxMissing?: string;
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  if (!await wrkAvailable()) throw new Error("wrk is not installed (apt-get install wrk)");
  const sim = await startSimulator(ctx, { pods: ctx.sizes.listPods });
  const stops: Array<() => Promise<void>> = [() => sim.stop()];
  try {
    const off = await startAgent(ctx, {
      name: "agent-cache-off",
      server: sim.url,
      cachePath: `${ctx.runDir}/request-off.kv`,
      cacheAgents: UNCACHED_AGENTS,
      measure: "request-path",
    });
    stops.push(() => off.stop());
    const on = await startAgent(ctx, {
      name: "agent-cache-on",
      server: sim.url,
      cachePath: `${ctx.runDir}/request-on.kv`,
      cacheAgents: "*",
      measure: "request-path",
    });
    stops.push(() => on.stop());
    let nginx: NginxHandle | undefined;
    let nginxMissing: string | undefined;
    if (await nginxAvailable()) {
      nginx = await startNginx(ctx, sim.url);
      stops.push(() => nginx!.stop());
    } else {
      nginxMissing = "nginx is not installed (apt-get install nginx); no reference ratio";
    }
    const plain: PlainProxyHandle = await startPlainProxy(ctx, sim.url);
    stops.push(() => plain.stop());
    const flagged = await startPlainProxy(ctx, sim.url, AGENT_V8_FLAGS_VALUE);
    stops.push(() => flagged.stop());
    const targets: Targets = {
      direct: sim.url,
      subjects: {
        cache_off: off.url,
        cache_on: on.url,
        nginx: nginx?.url,
        deno: plain.url,
        deno_flags: flagged.url,
      },
      nginxMissing,
    };
    for (const workload of await workloads(ctx, sim.url)) {
      await measureWorkload(ctx, workload, targets, on, record);
    }
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
  await measureYurthub(ctx, record);
}

/** The caching-on rows' YurtHub cells: the same `wrk` runs through YurtHub. */
async function measureYurthub(ctx: BenchContext, record: RecordRow): Promise<void> {
  const ids = ["get", "list"].map((key) => `request.${key}.cache_on`);
  await measureHub(ctx, record, ids, async (binary, recordHub) => {
    const session = await startHubSession(ctx, binary, {
      name: "yurthub-request",
      scale: { pods: ctx.sizes.listPods },
    });
    try {
      const bearer = session.direct.headers;
      for (const workload of await workloads(ctx, session.hub.url)) {
        await timedOk(`${session.hub.url}${workload.path}`, clientHeaders());
        const direct = await measureWrk(
          ctx,
          `${session.direct.url}${workload.path}`,
          workload.connections,
          bearer,
        );
        const hub = await measureWrk(
          ctx,
          `${session.hub.url}${workload.path}`,
          workload.connections,
        );
        if (hub.requests === 0) {
          recordHub(
            `request.${workload.key}.cache_on`,
            `no request completed in ${ctx.sizes.wrkDurationS} s (c=${workload.connections})`,
          );
          continue;
        }
        const measured = rate(hub);
        measured.detail["÷ direct TLS"] = `${
          formatNumber(hub.requestsPerSec / direct.requestsPerSec)
        }×`;
        if (hub.errors > 0) measured.detail.errors = String(hub.errors);
        recordHub(`request.${workload.key}.cache_on`, measured);
      }
    } finally {
      await session.stop();
    }
  });
}

async function measureWorkload(
  ctx: BenchContext,
  workload: Workload,
  targets: Targets,
  cached: AgentHandle,
  record: RecordRow,
): Promise<void> {
  const urls: Partial<Record<Subject | "direct", string>> = { direct: targets.direct };
  for (const { key } of SUBJECTS) {
    if (targets.subjects[key]) urls[key] = targets.subjects[key];
  }
  // Prime every path once (and the cache, for the caching-on agent) before timing.
  for (const base of Object.values(urls)) await timedOk(`${base}${workload.path}`, clientHeaders());
  const rounds: Partial<Record<Subject | "direct", WrkResult[]>> = await measureRounds(
    ctx,
    workload,
    urls as Record<Subject | "direct", string>,
  );
  const direct = rounds.direct!;
  const memory = await cached.memory();
  const nginxRatio = rounds.nginx && medianRatio(rounds.nginx, direct);
  for (const { key } of SUBJECTS) {
    const id = `request.${workload.key}.${key}`;
    const results = rounds[key];
    if (!results) {
      record(id, { note: targets.nginxMissing ?? "not measured" });
      continue;
    }
    const ratio = medianRatio(results, direct);
    const target = rowTarget(workload.key, key);
    const result = medianOf(results);
    const notes = [
      `c=${workload.connections}, ${roundsText(results.length, ctx.sizes.wrkRoundS)}`,
    ];
    if (result.errors > 0) notes.push(`${result.errors} errors/non-2xx`);
    if (key === "cache_on") notes.push(`agent VmHWM ${formatNumber(memory.hwm / 2 ** 20)} MB`);
    let met: boolean | undefined;
    if (target?.of) {
      const other = rounds[target.of.subject];
      const share = other && medianRatio(results, other);
      if (share !== undefined) {
        notes.push(`${formatNumber(share)}× ${target.of.label} (target ≥ ${target.of.least})`);
        met = share >= target.of.least;
      }
      if (target.of.subject === "deno" && rounds.deno_flags) {
        const flagged = medianRatio(results, rounds.deno_flags);
        notes.push(`${formatNumber(flagged)}× the bare Deno proxy with the agent's V8 flags`);
      }
    } else if (target) {
      if (nginxRatio === undefined) notes.push(targets.nginxMissing ?? "no nginx ratio");
      else met = ratio >= nginxRatio;
    }
    record(id, {
      holdfast: rate(result),
      baseline: { name: "direct", ...rate(medianOf(direct)) },
      ratio,
      met,
      note: notes.join("; "),
    });
  }
}

function rate(result: WrkResult): Measured & { detail: Record<string, string> } {
  return {
    value: result.requestsPerSec,
    unit: "req/s",
    detail: { p50: `${formatNumber(result.p50Ms)} ms`, p99: `${formatNumber(result.p99Ms)} ms` },
  };
}

/** The request-path measurement. */
export const requestPath: Measure = { name: "request-path", plan: planRows, run };
