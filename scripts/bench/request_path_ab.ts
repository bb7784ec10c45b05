/**
 * A/B of the small GET's request path (not part of the bench table; run by hand, before and after
 * a change): this checkout's agent and another checkout's (`--base=DIR`, e.g. an export of the
 * commit before the change), each with caching off and on, beside the bare Deno proxy and the
 * simulator direct, all in front of one simulator. Every round runs `wrk` once against each
 * target, in an order that rotates from round to round, so load from anything else on the machine
 * falls on both sides alike. It prints each target's median req/s and the medians of the per-round
 * ratios the bench table's targets read: caching off ÷ bare Deno proxy, caching on ÷ caching off;
 * and, for the bare proxy and each agent, its median CPU time per request (from `/proc`), which
 * other load on the machine moves less than the rates. Each side's agents run the bundle as a
 * gateway does, or, given `--base-source="FLAGS"` / `--new-source="FLAGS"`, that checkout's
 * `main.ts` under `deno run -A FLAGS` (to compare runtime flags on one checkout: `--base=.`).
 *
 * Usage: `deno run -A scripts/bench/request_path_ab.ts --base=DIR [--rounds 5]
 * [--duration 5] [--connections 8] [--out DIR] [--base-source="FLAGS"] [--new-source="FLAGS"]`
 * @module
 */
import { parseArgs } from "node:util";
import { CACHED_USER_AGENT, startAgent, UNCACHED_AGENTS } from "./lib/agent.ts";
import { clientHeaders, firstPodPath, timedOk } from "./lib/kube_client.ts";
import type { BenchContext } from "./lib/measure.ts";
import { startPlainProxy } from "./lib/plain_proxy.ts";
import { cpuMs, stopAll } from "./lib/processes.ts";
import { startSimulator } from "./lib/simulator.ts";
import { runWrk } from "./lib/wrk.ts";
import { inRotatingRounds } from "./lib/rounds.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    base: { type: "string" },
    rounds: { type: "string", default: "5" },
    duration: { type: "string", default: "5" },
    connections: { type: "string", default: "8" },
    out: { type: "string" },
    "base-source": { type: "string" },
    "new-source": { type: "string" },
  },
});
if (!values.base) throw new Error("--base=DIR (the checkout to compare against) is required");
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const here = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
const base = values.base.replace(/\/$/, "");
const runDir = values.out ?? await Deno.makeTempDir({ prefix: "holdfast-rp-ab-" });

function context(repoRoot: string): BenchContext {
  return {
    quick: true,
    profile: false,
    repoRoot,
    runDir,
    sizes: {
      listPods: 100,
      cachedObjects: 0,
      wrkDurationS: durationS,
      warmupS: 1,
      wrkRounds: rounds,
      wrkRoundS: durationS,
      smallConnections: connections,
      listConnections: 1,
      watchDurationS: 0,
      watchFloodRate: 0,
      watchLatencyRate: 0,
      workloadMinutes: 0,
      workloadSpeedup: 1,
      offlineRequests: 0,
      hubOfflineRequests: 0,
    },
  };
}

/** `deno run` flags given as one string, split at spaces; undefined runs the bundle. */
function sourceFlags(flags: string | undefined): string[] | undefined {
  return flags?.split(" ").filter((flag) => flag);
}

const headers = { "User-Agent": CACHED_USER_AGENT, Accept: "application/json" };

try {
  const ctx = context(here);
  const sim = await startSimulator(ctx, { pods: 100 });
  const plain = await startPlainProxy(ctx, sim.url);
  const targets: Record<string, string> = { direct: sim.url, deno: plain.url };
  /** The proxies' `/proc` stat files, by target name. */
  const stats: Record<string, string> = { deno: `/proc/${plain.proc.pid}/stat` };
  for (const [side, root] of [["base", base], ["new", here]]) {
    for (const [mode, agents] of [["off", UNCACHED_AGENTS], ["on", "*"]]) {
      const agent = await startAgent(context(root), {
        name: `agent-${side}-${mode}`,
        server: sim.url,
        cachePath: `${runDir}/${side}-${mode}.kv`,
        cacheAgents: agents,
        measure: "request-path-ab",
        sourceDenoArgs: sourceFlags(side === "base" ? values["base-source"] : values["new-source"]),
      });
      targets[`${side} ${mode}`] = agent.url;
      stats[`${side} ${mode}`] = `/proc/${agent.proc.pid}/stat`;
    }
  }
  const path = await firstPodPath(sim.url);
  const names = Object.keys(targets);
  for (const name of names) {
    await timedOk(`${targets[name]}${path}`, clientHeaders());
    await runWrk({ url: `${targets[name]}${path}`, connections, durationS: 1, headers });
  }
  const measured = await inRotatingRounds(names, rounds, async (name) => {
    const cpuBefore = stats[name] ? cpuMs(stats[name]) : 0;
    const result = await runWrk({
      url: `${targets[name]}${path}`,
      connections,
      durationS,
      headers,
    });
    if (result.errors > 0) console.error(`${name}: ${result.errors} errors`);
    const requests = result.requestsPerSec * durationS;
    const cpuUs = stats[name] ? (cpuMs(stats[name]) - cpuBefore) * 1000 / requests : NaN;
    return { rate: result.requestsPerSec, cpuUs };
  }, (results, round) =>
    console.error(
      `round ${round + 1}: ` +
        names.map((n) => `${n} ${results[n][round].rate.toFixed(0)}`).join(", "),
    ));
  const rates = (name: string) => measured[name].map((r) => r.rate);
  const cpuPerRequest = (name: string) => measured[name].map((r) => r.cpuUs);
  const ratio = (a: string, b: string) => median(rates(a).map((v, i) => v / rates(b)[i]));
  console.log(`small GET, wrk -c${connections} -d${durationS}s, ${rounds} rounds, medians:`);
  for (const name of names) {
    const cpu = stats[name] ? `, CPU ${median(cpuPerRequest(name)).toFixed(0)} µs/request` : "";
    console.log(`  ${name.padEnd(8)} ${median(rates(name)).toFixed(0)} req/s${cpu}`);
  }
  for (const side of ["base", "new"]) {
    console.log(
      `  ${side}: off ÷ deno ${ratio(`${side} off`, "deno").toFixed(3)}, ` +
        `on ÷ off ${ratio(`${side} on`, `${side} off`).toFixed(3)}, ` +
        `on ÷ deno ${ratio(`${side} on`, "deno").toFixed(3)}`,
    );
  }
  console.log(
    `  new ÷ base: off ${ratio("new off", "base off").toFixed(3)}, ` +
      `on ${ratio("new on", "base on").toFixed(3)}`,
  );
} finally {
  await stopAll();
}
