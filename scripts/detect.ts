/**
 * Detection and restart measurements (not a CI test), with holdfast as a subprocess in front of
 * the apiserver simulator:
 *
 * 1. Detection: from the moment the link is lost until (a) a LIST through holdfast is answered
 *    from the cache and (b) `/v1/status` says offline, repeated `--runs` times, for two kinds of
 *    loss — refused (`faults.linkDown()`: connections refused) and blackhole (every new request
 *    hangs) — with client traffic (a LIST issued every 100 ms, whose failures make holdfast
 *    probe at once) and idle. Compared with the bound interval × unhealthy threshold + timeout.
 * 2. Restart to serving: an agent started with the link down and `--objects` pods cached, from
 *    its spawn until its first successful offline LIST of all of them.
 *
 * ```sh
 * deno run -A scripts/detect.ts [--runs 5] [--health-interval-ms 1000] [--health-timeout-ms 500]
 *   [--unhealthy-threshold 3] [--healthy-threshold 2] [--objects 10000] [--restarts 5]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import { type Simulator, startSimulator } from "./apiserver-sim/mod.ts";
import { delay, stopAll } from "./bench/lib/processes.ts";
import {
  type AgentProcess,
  type HealthSettings,
  KUBELET,
  startAgentProcess,
  until,
} from "./flap.ts";

const PODS = "/api/v1/pods";

/** How the link is lost. */
type Loss = "refused" | "blackhole";

/** One detection measurement, in ms after the loss (null: not within the wait). */
interface Detection {
  loss: Loss;
  traffic: boolean;
  listFromCacheMs: number | null;
  offlineStatusMs: number | null;
}

/** Options of the measurements. */
export interface DetectOptions {
  runs: number;
  health: HealthSettings;
  objects: number;
  restarts: number;
}

/** Median (nearest rank) and maximum of `values`, ignoring nulls. */
function summary(values: (number | null)[]): { p50: number; max: number; missed: number } {
  const sorted = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  return {
    p50: sorted[Math.ceil(sorted.length / 2) - 1] ?? NaN,
    max: sorted.at(-1) ?? NaN,
    missed: values.length - sorted.length,
  };
}

async function loseLink(sim: Simulator, loss: Loss): Promise<void> {
  if (loss === "refused") await sim.faults.linkDown();
  else sim.faults.add({ kind: "hang" });
}

async function restoreLink(sim: Simulator, loss: Loss): Promise<void> {
  if (loss === "refused") await sim.faults.linkUp();
  else sim.faults.clear();
}

/** One loss: waits for the LIST answer (with traffic) and the offline status. */
async function detectOnce(
  sim: Simulator,
  agent: AgentProcess,
  loss: Loss,
  traffic: boolean,
  waitMs: number,
): Promise<Detection> {
  const result: Detection = { loss, traffic, listFromCacheMs: null, offlineStatusMs: null };
  const requests = new AbortController();
  await loseLink(sim, loss);
  const lost = performance.now();
  const lists: Promise<void>[] = [];
  const issuing = traffic
    ? (async () => {
      while (!requests.signal.aborted) {
        lists.push(
          fetch(`${agent.url}${PODS}`, {
            headers: { "user-agent": KUBELET },
            signal: requests.signal,
          }).then(async (response) => {
            await response.body?.cancel();
            if (response.ok) result.listFromCacheMs ??= performance.now() - lost;
          }).catch(() => {}),
        );
        await delay(100);
      }
    })()
    : Promise.resolve();
  await until(async () => {
    if (result.offlineStatusMs === null && await agent.mode() === "offline") {
      result.offlineStatusMs = performance.now() - lost;
    }
    return result.offlineStatusMs !== null && (!traffic || result.listFromCacheMs !== null);
  }, waitMs);
  requests.abort();
  await issuing;
  await Promise.all(lists);
  await restoreLink(sim, loss);
  return result;
}

/** The detection runs against one agent. */
async function measureDetection(options: DetectOptions): Promise<Detection[]> {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-detect-" });
  const sim = await startSimulator({ scale: { pods: 200, nodes: 10 } });
  try {
    const agent = await startAgentProcess({
      server: sim.url,
      cachePath: `${dir}/cache.kv`,
      logDir: dir,
      health: options.health,
    });
    await (await fetch(`${agent.url}${PODS}`, { headers: { "user-agent": KUBELET } })).text();
    const h = options.health;
    const waitMs = 4 * (h.intervalMs * h.unhealthyThreshold + h.timeoutMs);
    const detections: Detection[] = [];
    for (let run = 0; run < options.runs; run++) {
      for (const loss of ["refused", "blackhole"] as const) {
        for (const traffic of [true, false]) {
          if (!await until(async () => await agent.mode() === "online", 30_000)) {
            throw new Error("the agent did not come back online");
          }
          // Lose the link at a random phase of the health-check interval.
          await delay(h.intervalMs * (1 + Math.random()));
          detections.push(await detectOnce(sim, agent, loss, traffic, waitMs));
        }
      }
    }
    await agent.stop();
    return detections;
  } finally {
    await stopAll();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** One restart measurement, in ms after the spawn. */
interface Restart {
  adminReadyMs: number | null;
  firstOfflineListMs: number | null;
  /** Pods in that LIST. */
  items: number;
}

/** Restarts with the link down and `options.objects` pods cached. */
async function measureRestarts(options: DetectOptions): Promise<Restart[]> {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-restart-" });
  const sim = await startSimulator({ scale: { pods: options.objects, nodes: 50 } });
  const cachePath = `${dir}/cache.kv`;
  const start = (waitReady: boolean) =>
    startAgentProcess({
      server: sim.url,
      cachePath,
      logDir: dir,
      health: options.health,
      waitReady,
    });
  try {
    const filler = await start(true);
    const listed =
      await (await fetch(`${filler.url}${PODS}`, { headers: { "user-agent": KUBELET } }))
        .json();
    const count = listed.items.length as number;
    let queries: { resource: string; complete: boolean; objects: number }[] = [];
    const cached = await until(
      async () => {
        queries = (await (await fetch(`${filler.adminUrl}/v1/cache/ls`)).json()).queries;
        return queries.some((q) =>
          q.resource.startsWith("pods.") && q.complete && q.objects === count
        );
      },
      300_000,
      200,
    );
    if (!cached) throw new Error(`${count} pods not cached: ${JSON.stringify(queries)}`);
    await filler.stop();
    await sim.faults.linkDown();

    const restarts: Restart[] = [];
    for (let i = 0; i < options.restarts; i++) {
      const agent = await start(false);
      const spawned = agent.proc.startedAt;
      const restart: Restart = { adminReadyMs: null, firstOfflineListMs: null, items: 0 };
      await until(
        async () => {
          if (restart.adminReadyMs === null) {
            const status = await fetch(`${agent.adminUrl}/v1/status`);
            await status.body?.cancel();
            if (status.ok) restart.adminReadyMs = performance.now() - spawned;
          }
          const response = await fetch(`${agent.url}${PODS}`, {
            headers: { "user-agent": KUBELET },
          });
          if (!response.ok) {
            await response.body?.cancel();
            return false;
          }
          restart.items = (await response.json()).items.length;
          restart.firstOfflineListMs = performance.now() - spawned;
          return true;
        },
        120_000,
        20,
      );
      await agent.stop();
      if (restart.items !== count) {
        throw new Error(`the offline LIST had ${restart.items} of ${count} pods`);
      }
      restarts.push(restart);
    }
    return restarts;
  } finally {
    await stopAll();
    await sim.close();
    await Deno.remove(dir, { recursive: true });
  }
}

function fmt(ms: number): string {
  return Number.isNaN(ms) ? "-" : `${Math.round(ms)} ms`;
}

/** Runs both measurements and prints their results. */
async function main(options: DetectOptions): Promise<void> {
  const h = options.health;
  const bound = h.intervalMs * h.unhealthyThreshold + h.timeoutMs;
  console.log(
    `health: interval ${h.intervalMs} ms, timeout ${h.timeoutMs} ms, unhealthy threshold ` +
      `${h.unhealthyThreshold}, healthy threshold ${h.healthyThreshold}; bound for offline ` +
      `status = interval × threshold + timeout = ${bound} ms; ${options.runs} runs each`,
  );
  const detections = await measureDetection(options);
  console.log("\nloss       traffic  LIST from cache p50/max     /v1/status offline p50/max");
  for (const loss of ["refused", "blackhole"] as const) {
    for (const traffic of [true, false]) {
      const runs = detections.filter((d) => d.loss === loss && d.traffic === traffic);
      const list = summary(runs.map((d) => d.listFromCacheMs));
      const status = summary(runs.map((d) => d.offlineStatusMs));
      const missed = status.missed ? ` (${status.missed} not detected)` : "";
      console.log(
        `${loss.padEnd(10)} ${(traffic ? "yes" : "no").padEnd(8)} ` +
          `${(traffic ? `${fmt(list.p50)} / ${fmt(list.max)}` : "(idle)").padEnd(27)} ` +
          `${fmt(status.p50)} / ${fmt(status.max)}${missed}`,
      );
    }
  }

  if (options.restarts === 0) return;
  const restarts = await measureRestarts(options);
  const ready = summary(restarts.map((r) => r.adminReadyMs));
  const list = summary(restarts.map((r) => r.firstOfflineListMs));
  console.log(
    `\nrestart with the link down and ${options.objects} pods cached (${restarts.length} runs):` +
      `\n  spawn → admin listener answers: p50 ${fmt(ready.p50)}, max ${fmt(ready.max)}` +
      `\n  spawn → first offline LIST of all pods answered: p50 ${fmt(list.p50)}, ` +
      `max ${fmt(list.max)}${list.missed ? ` (${list.missed} never)` : ""}`,
  );
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      runs: { type: "string", default: "5" },
      "health-interval-ms": { type: "string", default: "1000" },
      "health-timeout-ms": { type: "string", default: "500" },
      "unhealthy-threshold": { type: "string", default: "3" },
      "healthy-threshold": { type: "string", default: "2" },
      objects: { type: "string", default: "10000" },
      restarts: { type: "string", default: "5" },
    },
  });
  await main({
    runs: Number(values.runs),
    health: {
      intervalMs: Number(values["health-interval-ms"]),
      timeoutMs: Number(values["health-timeout-ms"]),
      unhealthyThreshold: Number(values["unhealthy-threshold"]),
      healthyThreshold: Number(values["healthy-threshold"]),
    },
    objects: Number(values.objects),
    restarts: Number(values.restarts),
  });
}
