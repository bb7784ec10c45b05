/**
 * Upstream bytes: every byte crossing the upstream link (a counting TCP relay in front of the
 * simulator) during a scripted kubelet + kube-proxy workload (`node_workload.ts`, the B6 request
 * mix), time-compressed, run once direct and once through holdfast with caching on, each against
 * a fresh simulator changing pods at a steady compressed rate (so both see the same changes). No target: the figure is for
 * the README (YurtHub publishes 15–20 KB/s periodic traffic per node, yurthub.md §12).
 * @module
 */
import { type AgentHandle, startAgent } from "./lib/agent.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { spawnProcess } from "./lib/processes.ts";
import { startRelay } from "./lib/relay.ts";
import { formatNumber } from "./lib/report.ts";
import { type SimulatorHandle, startSimulator } from "./lib/simulator.ts";
import type { ObjectRef, WorkloadPlan, WorkloadSummary } from "./node_workload.ts";

const NODE = "node-0";
/** Pod changes per simulated second, cluster-wide (most on other nodes). */
const CHURN_PER_SIM_SECOND = 2;
const CLUSTER = { pods: 3000, nodes: 100 };

function plan(ctx: BenchContext): RowPlan[] {
  const { workloadMinutes: minutes, workloadSpeedup: speedup } = ctx.sizes;
  return [{
    id: "upstream.bytes",
    metric: `upstream bytes, ${minutes}-min kubelet + kube-proxy workload (${speedup}× compressed)`,
  }];
}

async function references(sim: SimulatorHandle, resource: string, count: number) {
  const response = await fetch(`${sim.url}/api/v1/${resource}?limit=${count}`);
  const list = await response.json();
  return (list.items as Array<{ metadata: ObjectRef }>).map((item) => ({
    namespace: item.metadata.namespace,
    name: item.metadata.name,
  }));
}

async function runWorkload(ctx: BenchContext, plan: WorkloadPlan): Promise<WorkloadSummary> {
  const proc = await spawnProcess({
    name: "node-workload",
    command: Deno.execPath(),
    args: [
      "run",
      "-A",
      new URL("./node_workload.ts", import.meta.url).pathname,
      JSON.stringify(plan),
    ],
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: ((plan.minutes * 60_000) / plan.speedup) + 60_000,
  });
  const status = await proc.exited;
  const lines = (await Deno.readTextFile(proc.logFile)).trim().split("\n");
  if (!status.success) throw new Error(`node workload failed: ${lines.slice(-10).join("\n")}`);
  return JSON.parse(lines.at(-1)!);
}

interface Phase {
  summary: WorkloadSummary;
  bytes: number;
}

/**
 * One run of the workload against a fresh simulator (so both runs see the same pod changes from
 * the same cluster) behind a counting relay, direct or through a fresh agent.
 */
async function phase(ctx: BenchContext, throughHoldfast: boolean): Promise<Phase> {
  const { workloadMinutes: minutes, workloadSpeedup: speedup } = ctx.sizes;
  // Upstream bytes are what the link carries: kube-apiserver gzips, so the simulator does too.
  const sim = await startSimulator(ctx, CLUSTER, { compression: true });
  const upstream = new URL(sim.url);
  const relay = startRelay({ hostname: upstream.hostname, port: Number(upstream.port) });
  let agent: AgentHandle | undefined;
  try {
    const plan = {
      node: NODE,
      minutes,
      speedup,
      configmaps: await references(sim, "configmaps", 3),
      secrets: await references(sim, "secrets", 2),
    };
    if (throughHoldfast) {
      agent = await startAgent(ctx, {
        name: "agent-upstream",
        server: relay.url,
        cachePath: `${ctx.runDir}/upstream.kv`,
        cacheAgents: "*",
        measure: "upstream-bytes",
      });
    }
    const before = relay.bytesUp + relay.bytesDown;
    await sim.mutate({ resource: "pods", rate: CHURN_PER_SIM_SECOND * speedup });
    const summary = await runWorkload(ctx, { ...plan, base: agent?.url ?? relay.url });
    return { summary, bytes: relay.bytesUp + relay.bytesDown - before };
  } finally {
    await agent?.stop();
    await relay.close();
    await sim.stop();
  }
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  const { workloadMinutes: minutes } = ctx.sizes;
  const { summary: direct, bytes: directBytes } = await phase(ctx, false);
  const { summary: proxied, bytes: proxiedBytes } = await phase(ctx, true);
  await Deno.writeTextFile(
    `${ctx.runDir}/upstream-workload.json`,
    JSON.stringify({ direct, proxied, directBytes, proxiedBytes }, null, 2),
  );
  const simSeconds = minutes * 60;
  const errors = [...direct.errors, ...proxied.errors];
  record("upstream.bytes", {
    holdfast: {
      value: proxiedBytes / 1024,
      unit: "KiB",
      detail: perSecond(proxiedBytes, simSeconds),
    },
    baseline: {
      name: "direct",
      value: directBytes / 1024,
      unit: "KiB",
      detail: perSecond(directBytes, simSeconds),
    },
    ratio: proxiedBytes / directBytes,
    note: `${minutes} simulated min in ${formatNumber(direct.realSeconds)} s; cluster of ` +
      `${CLUSTER.pods} pods on ${CLUSTER.nodes} nodes, ${CHURN_PER_SIM_SECOND} pod changes per ` +
      "simulated s; agent health checks at its defaults (not time-compressed); " +
      `requests ${direct.requests} direct / ${proxied.requests} via holdfast; watch events ` +
      `${direct.watchEvents} / ${proxied.watchEvents} (by reflector in upstream-workload.json); ` +
      "JSON, not protobuf" +
      (errors.length ? `; errors: ${errors.slice(0, 3).join(" | ")}` : ""),
  });
}

function perSecond(bytes: number, simSeconds: number): Record<string, string> {
  return { rate: `${formatNumber(bytes / 1024 / simSeconds)} KiB/s simulated` };
}

/** The upstream-bytes measurement. */
export const upstreamBytes: Measure = { name: "upstream-bytes", plan, run };
