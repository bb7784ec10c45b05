/**
 * What the agent's idle resident set goes to (not part of the bench table; run by hand, before
 * and after a change): each probe is a fresh `deno run` that sets up the runtime's listener and
 * KV file, imports one thing (or runs one start-up step), waits and reads its own VmRSS, RssAnon
 * and RssFile; the start-up probes then run the agent's start in steps in one process (the run
 * command's modules and config, `startAgent`, its first health probe and proxied request) and
 * single pieces of it (fetch clients, a fetch, FFI, WebCrypto); the last probes run the agent
 * itself idle in front of a small simulator: `main.ts run` from source, plain and with the V8
 * flags given by `--v8-flags=…`, then with a config file (the checkout's `config.example.yaml`,
 * every setting it shares with the flags overridden by them) and restarted on a cache file it
 * filled (which checks the file), and the bundle as a gateway runs it (`scripts/build/bundle.ts`),
 * plain and with the config file; each start but the restart on a fresh cache file. Each figure is
 * the median of `--runs` processes (default 3), so it is meaningful only beside the others of the
 * same run. RssFile is mostly the deno binary's code and data touched so far: it never shrinks
 * once touched, so it shows what running a piece of code costs for good.
 *
 * `--repo=DIR` measures another checkout (e.g. a worktree of `main`, as the baseline) with this
 * script. `--agents-only` measures only the agent's rows (plain, with the config file, and the
 * bundle's, plain and with it), so that runs alternating two checkouts take little time.
 *
 * Usage: `deno run -A scripts/bench/idle_memory.ts [--runs N] [--v8-flags=FLAGS] [--repo=DIR]
 * [--agents-only]`
 * @module
 */
import { parseArgs } from "node:util";
import { startAgent } from "./lib/agent.ts";
import { clientHeaders, timedOk } from "./lib/kube_client.ts";
import type { BenchContext } from "./lib/measure.ts";
import { delay, stopAll } from "./lib/processes.ts";
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

/** A process's resident set: all of it, its anonymous part and its file-backed part (bytes). */
interface Resident {
  rss: number;
  anon: number;
  file: number;
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    runs: { type: "string", default: "3" },
    "v8-flags": { type: "string" },
    repo: { type: "string" },
    "agents-only": { type: "boolean", default: false },
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
  {
    label: "+ yaml (YAML the reader defers, check-config, install)",
    code: `await import("yaml");`,
  },
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

/**
 * The agent's start in steps, each probe one step further, in one process as `main.ts run` does
 * it (the run command's modules, the config from flags, `startAgent`), on the simulator at
 * `simUrl`. The statements share `dir`, a fresh folder for the cache file.
 */
function startupProbes(simUrl: string): Probe[] {
  const modules = `await import(${src("cli/main.ts")}); const agentModule = await import(${
    src("agent.ts")
  });`;
  const config = [
    `const { loadConfig } = await import(${src("config/load.ts")});`,
    `const { createLogger } = await import(${src("log/logger.ts")});`,
    `const config = await loadConfig({ flags: { servers: ${JSON.stringify(simUrl)},`,
    `  nodeName: "bench-node", listen: "127.0.0.1:0", adminListen: "127.0.0.1:0",`,
    `  cachePath: Deno.makeTempDirSync() + "/cache.kv", cacheAgents: "*", "log.level": "warn" } });`,
    `if (!("servers" in config)) throw new Error(String(config));`,
  ].join("\n");
  const start = `const agent = await agentModule.startAgent(config, createLogger(config.log));`;
  const request =
    `await (await fetch(\`http://127.0.0.1:\${agent.proxyAddress.port}/version\`)).text();`;
  const version = JSON.stringify(`${simUrl}/version`);
  return [
    { label: "+ start: run's modules imported, config from flags", code: `${modules}\n${config}` },
    {
      label: "+ start: + startAgent (cache, clients, listeners)",
      code: `${modules}\n${config}\n${start}`,
    },
    {
      label: "+ start: + its first proxied request",
      code: `${modules}\n${config}\n${start}\n${request}`,
    },
    {
      label: "+ piece: two Deno.createHttpClient",
      code: "Deno.createHttpClient({}); Deno.createHttpClient({});",
    },
    {
      label: "+ piece: one fetch (plain HTTP) through a client",
      code: `await (await fetch(${version}, { client: Deno.createHttpClient({}) })).text();`,
    },
    {
      label: "+ piece: FFI malloc_trim (src/process/memory_trim.ts)",
      code: `await import(${
        src("process/memory_trim.ts")
      }).then((m) => m.openMallocTrim()?.trim());`,
    },
    {
      label: "+ piece: WebCrypto HMAC key and one signature",
      code: [
        `const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);`,
        `await crypto.subtle.sign("HMAC", key, new Uint8Array(8));`,
      ].join("\n"),
    },
  ];
}

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
    `const kB = (name) => Number(new RegExp(name + ":\\\\s+(\\\\d+) kB").exec(status)[1]);`,
    `console.log(JSON.stringify([kB("VmRSS"), kB("RssAnon"), kB("RssFile")]));`,
    `Deno.exit(0);`,
  ].join("\n");
}

/** The medians (each part on its own) of `runs` measurements, taken one after the other. */
async function medianOf(
  runs: number,
  measure: (run: number) => Promise<Resident>,
): Promise<Resident> {
  const figures: Resident[] = [];
  for (let i = 0; i < runs; i++) figures.push(await measure(i));
  const median = (part: keyof Resident) =>
    figures.map((figure) => figure[part]).sort((a, b) => a - b)[Math.floor(figures.length / 2)];
  return { rss: median("rss"), anon: median("anon"), file: median("file") };
}

async function runProbe(dir: string, probe: Probe, runs: number): Promise<Resident> {
  const file = `${dir}/probe.ts`;
  await Deno.writeTextFile(file, probeSource(probe, `${dir}/probe.kv`));
  return await medianOf(runs, async () => {
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", `${repoRoot}/deno.json`, "--no-lock", file],
      cwd: repoRoot,
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`probe "${probe.label}" failed`);
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    const [rss, anon, fileBacked] = JSON.parse(lines[lines.length - 1]) as number[];
    return { rss: rss * 1024, anon: anon * 1024, file: fileBacked * 1024 };
  });
}

/** Agent starts so far: each (but a restart) gets a cache file of its own. */
let starts = 0;

/** How an idle agent is started, beyond the bench's flags. */
interface IdleVariant {
  /** More `run` flags (e.g. `--config FILE`). */
  extraArgs?: string[];
  /** Start it on the cache file an agent already filled and stopped (a restart). */
  restart?: boolean;
}

/**
 * The agent idle (one request answered) in front of a small simulator: the bundle as a gateway
 * runs it, or `main.ts` with `sourceDenoArgs`.
 */
async function runAgentIdle(
  ctx: BenchContext,
  simUrl: string,
  sourceDenoArgs: string[] | undefined,
  runs: number,
  variant: IdleVariant = {},
): Promise<Resident> {
  return await medianOf(runs, async () => {
    const options = {
      name: "agent-idle",
      server: simUrl,
      cachePath: `${ctx.runDir}/agent-${starts++}.kv`,
      cacheAgents: "*",
      measure: "idle",
      sourceDenoArgs,
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
      return await agent.memory();
    } finally {
      await agent.stop();
    }
  });
}

async function main(): Promise<void> {
  const runs = Number(values.runs);
  const v8 = values["v8-flags"] ? [`--v8-flags=${values["v8-flags"]}`] : [];
  const runDir = await Deno.makeTempDir({ prefix: "holdfast-idle-" });
  const ctx = { quick: true, profile: false, repoRoot, runDir } as BenchContext;
  const mb = (bytes: number) => (bytes / MB).toFixed(1).padStart(6);
  let base: Resident | undefined;
  const show = (label: string, memory: Resident) => {
    const delta = base && label.startsWith("+")
      ? ` (${sign((memory.rss - base.rss) / MB)} MB)`
      : "";
    console.log(
      `${(label + delta).padEnd(66)} ${mb(memory.rss)} ${mb(memory.anon)} ${mb(memory.file)}`,
    );
  };
  console.log(`${"(medians of " + runs + " processes, MB)".padEnd(66)}    rss   anon   file`);
  try {
    const sim = await startSimulator(ctx, { pods: 10, nodes: 1 });
    if (!values["agents-only"]) {
      show(PROBES[0].label, await runProbe(runDir, PROBES[0], runs));
      base = await runProbe(runDir, PROBES[1], runs);
      show(PROBES[1].label, base);
      for (const probe of [...PROBES.slice(2), ...startupProbes(sim.url)]) {
        show(probe.label, await runProbe(runDir, probe, runs));
      }
    }
    show("agent idle, deno run main.ts", await runAgentIdle(ctx, sim.url, [], runs));
    if (v8.length > 0) {
      show(`agent idle, deno run ${v8[0]} main.ts`, await runAgentIdle(ctx, sim.url, v8, runs));
    }
    const withConfig = { extraArgs: ["--config", `${repoRoot}/config.example.yaml`] };
    show(
      "agent idle, main.ts run --config FILE",
      await runAgentIdle(ctx, sim.url, [], runs, withConfig),
    );
    if (!values["agents-only"]) {
      show(
        "agent idle, restarted on its cache file",
        await runAgentIdle(ctx, sim.url, [], runs, { restart: true }),
      );
    }
    show(
      "agent idle, the bundle as a gateway runs it",
      await runAgentIdle(ctx, sim.url, undefined, runs),
    );
    show(
      "agent idle, the bundle, run --config FILE",
      await runAgentIdle(ctx, sim.url, undefined, runs, withConfig),
    );
  } finally {
    await stopAll();
    await Deno.remove(runDir, { recursive: true }).catch(() => {});
  }
}

function sign(value: number): string {
  return `${value >= 0 ? "+" : ""}${value.toFixed(1)}`;
}

if (import.meta.main) await main();
