/**
 * Starts the holdfast agent as a subprocess on free loopback ports, as a gateway runs it (the
 * bundle, made once per run from the measured checkout, with the wrapper's `deno run` flags: see
 * `scripts/build/bundle.ts`), and reads its admin listener's `/v1/status`.
 * @module
 */
import { bundleAgent, GATEWAY_RUN_ARGS, runDeno } from "../../build/bundle.ts";
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, freePort, readMemory, spawnProcess, waitForHttp } from "./processes.ts";

/** How to start one agent. */
export interface AgentOptions {
  /** Name for logs and profiles, e.g. `agent-cache-on`. */
  name: string;
  /** Upstream kube-apiserver URL. */
  server: string;
  /** The KV file. */
  cachePath: string;
  /** `--cache-agents` value: `*`, or a component the load generator does not send. */
  cacheAgents: string;
  /**
   * Milliseconds between upstream health checks, to notice a cut link quickly (timeout 80 % of
   * it, one success marks the upstream healthy). Absent: the agent's defaults.
   */
  healthIntervalMs?: number;
  /**
   * Failed probes in a row that mark the upstream unhealthy with `healthIntervalMs` (default 1).
   * More than one keeps a probe that a loaded machine answers late from flipping the agent
   * offline in the middle of an online measurement.
   */
  unhealthyThreshold?: number;
  /** Measurement name: profiles go to `<runDir>/profiles/<measure>/` when profiling. */
  measure: string;
  /** Wait for the admin listener before returning (default true). */
  waitReady?: boolean;
  /** More `run` flags, e.g. `["--max-watches", "600"]`. */
  extraArgs?: string[];
  /**
   * Run `main.ts` from source with these `deno run` flags instead of the bundle (to compare the
   * two: the module loader's cost).
   */
  sourceDenoArgs?: string[];
}

/** A running agent. */
export interface AgentHandle {
  proc: BenchProcess;
  /** Proxy base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Admin base URL. */
  adminUrl: string;
  /** `GET /v1/status` as JSON. */
  status(): Promise<AgentStatus>;
  /** VmRSS / VmHWM of the agent process. */
  memory(): ReturnType<typeof readMemory>;
  stop(): Promise<void>;
}

/** The parts of `/v1/status` the benchmarks read. */
export interface AgentStatus {
  mode: string;
  cache?: unknown;
  [key: string]: unknown;
}

/** The User-Agent the load generators send when caching should apply. */
export const CACHED_USER_AGENT = "kubelet/v1.33.0 (linux/amd64) kubernetes/bench";

/** A `--cache-agents` value that {@linkcode CACHED_USER_AGENT} does not match (caching off). */
export const UNCACHED_AGENTS = "holdfast-bench-nobody";

/** Starts an agent and (by default) waits until its admin listener answers. */
export async function startAgent(ctx: BenchContext, options: AgentOptions): Promise<AgentHandle> {
  const port = freePort();
  const adminPort = freePort();
  const [denoFlags, entry] = options.sourceDenoArgs
    ? [["run", "-A", ...options.sourceDenoArgs], "main.ts"]
    : [[...GATEWAY_RUN_ARGS], await agentBundle(ctx)];
  if (ctx.profile) {
    denoFlags.push("--cpu-prof", `--cpu-prof-dir=${ctx.runDir}/profiles/${options.measure}`);
  }
  const proc = await spawnProcess({
    name: options.name,
    command: Deno.execPath(),
    args: [
      ...denoFlags,
      entry,
      "run",
      "--server",
      options.server,
      "--node-name",
      "bench-node",
      "--listen",
      `127.0.0.1:${port}`,
      "--admin-listen",
      `127.0.0.1:${adminPort}`,
      "--cache-path",
      options.cachePath,
      "--cache-agents",
      options.cacheAgents,
      ...healthFlags(options.healthIntervalMs, options.unhealthyThreshold),
      "--log-level",
      "warn",
      ...options.extraArgs ?? [],
    ],
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 20 * 60_000,
  });
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const handle: AgentHandle = {
    proc,
    url: `http://127.0.0.1:${port}`,
    adminUrl,
    async status() {
      const response = await fetch(`${adminUrl}/v1/status`);
      if (!response.ok) throw new Error(`agent status: HTTP ${response.status}`);
      return await response.json();
    },
    memory: () => readMemory(proc.pid),
    async stop() {
      await proc.stop(5000);
    },
  };
  if (options.waitReady ?? true) await waitForHttp(`${adminUrl}/v1/status`, proc);
  return handle;
}

/** Bundles made, by checkout and run folder, and how many were begun (each file's number). */
const bundles = new Map<string, Promise<string>>();
let bundlesBegun = 0;

/**
 * The agent's bundle for `ctx`: made from `ctx.repoRoot` into its run folder on first use (one
 * file per checkout, since an A/B shares the folder), then run once (`version`) so that Deno's
 * analysis of a new file (~14 MB of the first start's resident set, freed seconds later) is
 * cached, as on a gateway after its first start.
 */
function agentBundle(ctx: BenchContext): Promise<string> {
  const key = `${ctx.repoRoot}\n${ctx.runDir}`;
  let made = bundles.get(key);
  if (!made) {
    const out = `${ctx.runDir}/holdfast-${++bundlesBegun}.js`;
    made = bundleAgent(out, ctx.repoRoot)
      .then(() => runDeno([...GATEWAY_RUN_ARGS, out, "version"], "the bundle", ctx.repoRoot))
      .then(() => out);
    made.catch(() => bundles.delete(key));
    bundles.set(key, made);
  }
  return made;
}

function healthFlags(intervalMs: number | undefined, unhealthyThreshold = 1): string[] {
  if (intervalMs === undefined) return [];
  return [
    "--health-interval",
    `${intervalMs}ms`,
    "--health-timeout",
    `${Math.floor(intervalMs * 0.8)}ms`,
    "--unhealthy-threshold",
    String(unhealthyThreshold),
    "--healthy-threshold",
    "1",
  ];
}

/** Polls the agent's status until `predicate` holds; returns the time it first held. */
export async function waitForStatus(
  agent: AgentHandle,
  predicate: (status: AgentStatus) => boolean,
  timeoutMs: number,
  intervalMs = 10,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let last: AgentStatus | undefined;
  while (performance.now() < deadline) {
    last = await agent.status();
    if (predicate(last)) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`agent status did not reach the expected state: ${JSON.stringify(last)}`);
}
