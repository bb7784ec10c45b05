/**
 * What the agent's idle resident set goes to (not part of the bench table; run by hand, before
 * and after a change): each probe is a fresh `deno run` that sets up the runtime's listener and
 * KV file, imports one thing, waits and reads its own VmRSS; the last probes run the agent itself
 * (`main.ts run`, and the bundle `deno task bundle` makes, when `dist/holdfast.js` exists) idle in
 * front of a small simulator, plain and with the V8 flags given by `--v8-flags=…`, then with a
 * config file (which loads `yaml`) and restarted on a cache file it filled (which checks the file). Each figure is
 * the median of `--runs` processes (default 3), so it is meaningful only beside the others of the
 * same run.
 *
 * `--repo=DIR` measures another checkout (e.g. a worktree of `main`, as the baseline) with this
 * script.
 *
 * Usage: `deno run -A scripts/bench/idle_memory.ts [--runs N] [--v8-flags=FLAGS] [--repo=DIR]`
 * @module
 */
import { parseArgs } from "node:util";
import { startAgent } from "./lib/agent.ts";
import { clientHeaders, timedOk } from "./lib/kube_client.ts";
import type { BenchContext } from "./lib/measure.ts";
import { delay, readMemory, spawnProcess, stopAll } from "./lib/processes.ts";
import { startSimulator } from "./lib/simulator.ts";

const MB = 2 ** 20;
const SETTLE_MS = 3000;

/** One probe: a label and the statements it runs after the runtime's listener and KV are up. */
interface Probe {
  label: string;
  code: string;
  /** Without the listener and the KV file. */
  bare?: boolean;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    "v8-flags": { type: "string" },
    repo: { type: "string" },
  },
});
const repoRoot = values.repo?.replace(/\/$/, "") ??
  new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const src = (path: string) => JSON.stringify(`file://${repoRoot}/src/${path}`);

/** Imports measured one at a time on top of the runtime with a listener and a KV file open. */
const PROBES: Probe[] = [
  { label: "runtime: a timer only", code: "", bare: true },
  { label: "runtime: Deno.serve + Deno KV open", code: "" },
  { label: "+ commander (replaced by src/cli/args.ts)", code: `await import("commander");` },
  { label: "+ yaml (config and kubeconfig files)", code: `await import("yaml");` },
  { label: "+ @bufbuild/protobuf/wire", code: `await import("@bufbuild/protobuf/wire");` },
  { label: "+ node:crypto", code: `await import("node:crypto");` },
  { label: "+ node:path", code: `await import("node:path");` },
  { label: "+ node:https (the HTTPS listener)", code: `await import("node:https");` },
  {
    label: "+ node:sqlite (start on an existing cache file)",
    code: `await import("node:sqlite");`,
  },
  {
    label: "+ prom-client 15.1.3 (replaced)",
    code: `await import("npm:prom-client@15.1.3");`,
  },
  {
    label: "+ src/cli/main.ts (the CLI, agent not loaded)",
    code: `await import(${src("cli/main.ts")});`,
  },
  {
    label: "+ src/agent.ts (everything `run` loads)",
    code: `await import(${src("cli/main.ts")}); await import(${src("agent.ts")});`,
  },
];

function probeSource(probe: Probe, kvPath: string): string {
  const setup = probe.bare ? [] : [
    `Deno.serve({ port: 0, onListen() {} }, () => new Response("ok"));`,
    `await Deno.openKv(${JSON.stringify(kvPath)});`,
  ];
  return [
    ...setup,
    probe.code,
    `await new Promise((resolve) => setTimeout(resolve, ${SETTLE_MS}));`,
    `const status = Deno.readTextFileSync("/proc/self/status");`,
    `console.log(/VmRSS:\\s+(\\d+) kB/.exec(status)[1]);`,
    `Deno.exit(0);`,
  ].join("\n");
}

/** The median of `runs` measurements, taken one after the other. */
async function medianOf(runs: number, measure: (run: number) => Promise<number>): Promise<number> {
  const figures: number[] = [];
  for (let i = 0; i < runs; i++) figures.push(await measure(i));
  figures.sort((a, b) => a - b);
  return figures[Math.floor(figures.length / 2)];
}

async function runProbe(dir: string, probe: Probe, runs: number): Promise<number> {
  const file = `${dir}/probe.ts`;
  await Deno.writeTextFile(file, probeSource(probe, `${dir}/probe.kv`));
  return await medianOf(runs, async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${repoRoot}/deno.json`, "--no-lock", file],
      cwd: repoRoot,
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`probe "${probe.label}" failed`);
    return Number(new TextDecoder().decode(output.stdout).trim()) * 1024;
  });
}

/** How an idle agent is started, beyond the bench's flags. */
interface IdleVariant {
  /** More `run` flags (e.g. `--config FILE`). */
  extraArgs?: string[];
  /** Start it on the cache file an agent already filled and stopped (a restart). */
  restart?: boolean;
}

/** The agent idle (one request answered) in front of a small simulator, as `deno run` starts it. */
async function runAgentIdle(
  ctx: BenchContext,
  simUrl: string,
  denoArgs: string[],
  runs: number,
  variant: IdleVariant = {},
): Promise<number> {
  return await medianOf(runs, async (i) => {
    const options = {
      name: "agent-idle",
      server: simUrl,
      cachePath: `${ctx.runDir}/idle-${variant.restart ? "restart-" : ""}${i}.kv`,
      cacheAgents: "*",
      measure: "idle",
      denoArgs,
      extraArgs: variant.extraArgs,
    };
    if (variant.restart) {
      const first = await startAgent(ctx, options);
      await timedOk(`${first.url}/api/v1/pods`, clientHeaders());
      await first.stop();
    }
    const agent = await startAgent(ctx, options);
    try {
      await timedOk(`${agent.url}/version`, clientHeaders());
      await delay(SETTLE_MS);
      return (await agent.memory()).rss;
    } finally {
      await agent.stop();
    }
  });
}

/** The bundle's agent idle, started as the README's gateway wrapper starts it. */
async function runBundleIdle(
  ctx: BenchContext,
  simUrl: string,
  v8Flags: string[],
  runs: number,
): Promise<number> {
  return await medianOf(runs, async (i) => {
    const proc = await spawnProcess({
      name: "bundle-idle",
      command: Deno.execPath(),
      args: [
        "run",
        "-A",
        "--unstable-kv",
        "--unstable-no-legacy-abort",
        "--no-config",
        ...v8Flags,
        `${repoRoot}/dist/holdfast.js`,
        "run",
        "--server",
        simUrl,
        "--node-name",
        "bench-node",
        "--listen",
        "127.0.0.1:0",
        "--admin-listen",
        "127.0.0.1:0",
        "--cache-path",
        `${ctx.runDir}/bundle-${i}.kv`,
        "--log-level",
        "warn",
      ],
      logDir: `${ctx.runDir}/logs`,
      maxLifetimeMs: 60_000,
    });
    await delay(SETTLE_MS + 1000);
    const { rss } = await readMemory(proc.pid);
    await proc.stop(5000);
    return rss;
  });
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  const v8 = values["v8-flags"] ? [`--v8-flags=${values["v8-flags"]}`] : [];
  const runDir = await Deno.makeTempDir({ prefix: "holdfast-idle-" });
  const ctx = { quick: true, profile: false, repoRoot, runDir } as BenchContext;
  const rows: Array<[string, number]> = [];
  const show = (label: string, bytes: number) => {
    rows.push([label, bytes]);
    console.log(`${label.padEnd(60)} ${(bytes / MB).toFixed(1).padStart(6)} MB`);
  };
  try {
    show(PROBES[0].label, await runProbe(runDir, PROBES[0], runs));
    const base = await runProbe(runDir, PROBES[1], runs);
    show(PROBES[1].label, base);
    for (const probe of PROBES.slice(2)) {
      const rss = await runProbe(runDir, probe, runs);
      show(`${probe.label} (${sign((rss - base) / MB)} MB)`, rss);
    }
    const sim = await startSimulator(ctx, { pods: 10, nodes: 1 });
    show("agent idle, deno run main.ts", await runAgentIdle(ctx, sim.url, [], runs));
    if (v8.length > 0) {
      show(`agent idle, deno run ${v8[0]} main.ts`, await runAgentIdle(ctx, sim.url, v8, runs));
    }
    const configFile = `${runDir}/config.yaml`;
    await Deno.writeTextFile(configFile, "# every setting from flags\n");
    show(
      "agent idle, main.ts run --config FILE",
      await runAgentIdle(ctx, sim.url, [], runs, { extraArgs: ["--config", configFile] }),
    );
    show(
      "agent idle, restarted on its cache file",
      await runAgentIdle(ctx, sim.url, [], runs, { restart: true }),
    );
    const bundled = await Deno.stat(`${repoRoot}/dist/holdfast.js`).catch(() => undefined);
    if (bundled) {
      show("agent idle, bundle (dist/holdfast.js)", await runBundleIdle(ctx, sim.url, [], runs));
      if (v8.length > 0) {
        show(`agent idle, bundle ${v8[0]}`, await runBundleIdle(ctx, sim.url, v8, runs));
      }
    } else {
      console.log("(no dist/holdfast.js: run `deno task bundle` to measure the bundle)");
    }
  } finally {
    await stopAll();
    await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
}

function sign(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}

if (import.meta.main) await main();
