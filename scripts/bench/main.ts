/**
 * `deno task bench`: runs every measurement (each with its baseline in the same run), prints the
 * table (metric, holdfast, baseline, ratio, target, met?) and writes it as JSON under
 * `bench-results/`. When a target is missed in a full run, the measurements that missed are run
 * again with the agent under `--cpu-prof` and the profiles' folder is named in the notes.
 *
 * Flags: `--quick` (smaller sizes, shorter runs: a smoke run under two minutes),
 * `--only=<name,…>` (measurement names), `--out=<dir>` (default `bench-results`),
 * `--profile` (profile the agent in the first pass already), `--yurthub-dir=<dir>` (where the
 * YurtHub binary is cached; default `~/.cache/holdfast/yurthub-<version>/`), `--no-yurthub` (leave
 * the YurtHub column out: for quick A/B runs of one measurement).
 *
 * The YurtHub column needs OpenYurt's YurtHub binary: a full run builds it once into that folder
 * (see `yurthub/build.ts`); `--quick` only uses one already built there.
 * @module
 */
import { parseArgs } from "node:util";
import { cacheWrites } from "./cache_writes.ts";
import { decode } from "./decode.ts";
import type { BenchContext, Measure, Row, Sizes } from "./lib/measure.ts";
import { stopAll } from "./lib/processes.ts";
import { describeMachine, renderTable, type RunDocument } from "./lib/report.ts";
import { memory } from "./memory.ts";
import { offlineList } from "./offline_list.ts";
import { requestPath } from "./request_path.ts";
import { startup } from "./startup.ts";
import { upstreamBytes } from "./upstream_bytes.ts";
import { watchPath } from "./watch_path.ts";
import { locateYurthub } from "./yurthub/build.ts";

/** Every measurement, in run order. */
export const MEASURES: readonly Measure[] = [
  requestPath,
  watchPath,
  offlineList,
  memory,
  startup,
  cacheWrites,
  upstreamBytes,
  decode,
];

/** Sizes of the full run (the targets are stated for these). */
export const FULL: Sizes = {
  listPods: 5000,
  cachedObjects: 10_000,
  wrkDurationS: 10,
  warmupS: 2,
  wrkRounds: 5,
  wrkRoundS: 3,
  smallConnections: 16,
  listConnections: 4,
  watchDurationS: 10,
  watchFloodRate: 25_000,
  watchLatencyRate: 1000,
  workloadMinutes: 10,
  workloadSpeedup: 10,
  offlineRequests: 30,
  hubOfflineRequests: 10,
};

/** Sizes of `--quick`: every row, small and short. */
export const QUICK: Sizes = {
  listPods: 500,
  cachedObjects: 1000,
  wrkDurationS: 1,
  warmupS: 1,
  wrkRounds: 1,
  wrkRoundS: 1,
  smallConnections: 8,
  listConnections: 2,
  watchDurationS: 2,
  watchFloodRate: 5000,
  watchLatencyRate: 1000,
  workloadMinutes: 2,
  workloadSpeedup: 30,
  offlineRequests: 3,
  hubOfflineRequests: 3,
};

/** The most one measurement may take before its processes are stopped. */
const QUICK_BUDGET_S = 60;
const FULL_BUDGET_S = 900;

/** Runs `measures` in order, returning every planned row (unfilled rows carry the failure). */
export async function runMeasures(
  ctx: BenchContext,
  measures: readonly Measure[],
  log: (line: string) => void,
): Promise<Row[]> {
  const rows: Row[] = [];
  for (const measure of measures) {
    const planned = new Map(
      measure.plan(ctx).map((plan) => [plan.id, { ...plan, measure: measure.name } as Row]),
    );
    const started = performance.now();
    log(`▶ ${measure.name}`);
    let failure: string | undefined;
    // The YurtHub cells run the same work again against YurtHub: twice the time.
    const hubFactor = ctx.yurthub && "path" in ctx.yurthub ? 2 : 1;
    const budgetS = (ctx.quick ? QUICK_BUDGET_S : FULL_BUDGET_S) * hubFactor;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const overrun = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`gave up after ${budgetS} s (processes stopped)`)),
        budgetS * 1000,
      );
    });
    try {
      const running = measure.run(ctx, (id, result) => {
        const row = planned.get(id);
        if (!row) throw new Error(`${measure.name} recorded an unplanned row ${id}`);
        Object.assign(row, result);
      });
      running.catch(() => undefined);
      await Promise.race([running, overrun]);
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
      log(`  ${measure.name} failed: ${failure}`);
    } finally {
      clearTimeout(timer);
      await stopAll();
    }
    const notMeasured = `not measured: ${firstLine(failure ?? "no result recorded")}`;
    const noHub = ctx.yurthub && "missing" in ctx.yurthub ? ctx.yurthub.missing : notMeasured;
    for (const row of planned.values()) {
      const measured = row.holdfast !== undefined || row.note !== undefined;
      if (!measured) row.note = notMeasured;
      if (row.peer && row.yurthub === undefined) row.yurthub = noHub;
    }
    log(`  ${measure.name} took ${((performance.now() - started) / 1000).toFixed(1)} s`);
    rows.push(...planned.values());
  }
  return rows;
}

function firstLine(text: string): string {
  return text.split("\n")[0];
}

/** Removes the KV files the measurements left in `dir` (they run to hundreds of MB). */
async function removeKvFiles(dir: string): Promise<void> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isFile && /\.kv(-wal|-shm)?$/.test(entry.name)) {
      await Deno.remove(`${dir}/${entry.name}`);
    }
  }
}

async function profileMisses(ctx: BenchContext, rows: Row[], log: (line: string) => void) {
  const missed = MEASURES.filter((m) => rows.some((r) => r.measure === m.name && r.met === false));
  if (missed.length === 0) return;
  log(`profiling the agent in: ${missed.map((m) => m.name).join(", ")}`);
  await runMeasures({ ...ctx, profile: true }, missed, log);
  for (const row of rows) {
    if (row.met !== false) continue;
    const where = `${ctx.runDir}/profiles/${row.measure}/`;
    row.note = `${row.note ? `${row.note}; ` : ""}CPU profile of the agent: ${where}`;
  }
}

async function main(args: string[]): Promise<number> {
  const { values: flags } = parseArgs({
    args,
    options: {
      quick: { type: "boolean", default: false },
      profile: { type: "boolean", default: false },
      only: { type: "string" },
      out: { type: "string", default: "bench-results" },
      "yurthub-dir": { type: "string" },
      "no-yurthub": { type: "boolean", default: false },
    },
  });
  const quick = flags.quick;
  const only = flags.only?.split(",").map((s) => s.trim()).filter(Boolean);
  const unknown = only?.filter((name) => !MEASURES.some((m) => m.name === name)) ?? [];
  if (unknown.length > 0) {
    console.error(`unknown measurement(s): ${unknown.join(", ")}`);
    console.error(`known: ${MEASURES.map((m) => m.name).join(", ")}`);
    return 2;
  }
  const measures = only ? MEASURES.filter((m) => only.includes(m.name)) : MEASURES;
  const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
  const outDir = flags.out.startsWith("/") ? flags.out : `${repoRoot}/${flags.out}`;
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const mode = quick ? "quick" : "full";
  const runDir = `${outDir}/${mode}-${stamp}`;
  await Deno.mkdir(runDir, { recursive: true });
  const ctx: BenchContext = {
    quick,
    profile: flags.profile,
    repoRoot,
    runDir,
    sizes: quick ? QUICK : FULL,
  };
  const log = (line: string) => console.error(line);
  ctx.yurthub = flags["no-yurthub"]
    ? { missing: "not run (--no-yurthub)" }
    : await locateYurthub({ build: !quick, log, cacheDir: flags["yurthub-dir"] });
  log(
    "missing" in ctx.yurthub
      ? `YurtHub column: ${ctx.yurthub.missing}`
      : `YurtHub: ${ctx.yurthub.path}`,
  );
  const onSignal = () => {
    stopAll().then(() => removeKvFiles(runDir)).finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", onSignal);
  Deno.addSignalListener("SIGTERM", onSignal);
  const machine = await describeMachine();
  log(`holdfast bench (${mode}) on ${machine.nproc} × ${machine.cpuModel}; logs in ${runDir}`);
  const started = performance.now();
  try {
    const rows = await runMeasures(ctx, measures, log);
    if (!quick && !ctx.profile) await profileMisses(ctx, rows, log);
    const doc: RunDocument = {
      mode,
      startedAt: startedAt.toISOString(),
      durationS: (performance.now() - started) / 1000,
      machine,
      sizes: ctx.sizes,
      rows,
    };
    const json = JSON.stringify(doc, null, 2);
    await Deno.writeTextFile(`${runDir}/results.json`, json);
    await Deno.writeTextFile(`${outDir}/latest-${mode}.json`, json);
    console.log(
      `holdfast bench, ${mode} run, ${machine.nproc} × ${machine.cpuModel}, ` +
        `Deno ${machine.deno}, ${doc.durationS.toFixed(0)} s` +
        (quick ? " (smoke run: smaller sizes than the targets assume)" : ""),
    );
    console.log(renderTable(rows));
    console.log(`\nJSON: ${runDir}/results.json`);
    return 0;
  } finally {
    Deno.removeSignalListener("SIGINT", onSignal);
    Deno.removeSignalListener("SIGTERM", onSignal);
    await stopAll();
    await removeKvFiles(runDir);
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
