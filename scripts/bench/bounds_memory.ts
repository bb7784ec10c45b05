/**
 * Measures the agent's resident memory under the loads its bounds are about (not part of the
 * bench table; run by hand, before and after a change):
 *
 * - `lists`: a large pod LIST is cached, the link is cut, then `--concurrent` clients LIST it
 *   offline at once (each reading slowly); reports RSS before and the peak (VmHWM) after, and
 *   how many LISTs were refused with 429 by `--max-offline-lists`.
 * - `watches`: `--watches` pod watches are opened through the agent (online) and held, their
 *   clients reading every event (or none, with `--stalled`); each starts with every pod as an
 *   ADDED event (or, with `--small`, watches a single object); reports RSS before and once all are
 *   open, and how many were refused with 429 by `--max-watches`.
 *
 * Usage: `deno run -A scripts/bench/bounds_memory.ts lists|watches [--pods N] [--concurrent N]
 * [--watches N] [--stalled] [--small] [-- agent run flags…]`
 * @module
 */
import { CACHED_USER_AGENT, startAgent, waitForStatus } from "./lib/agent.ts";
import { fillCache } from "./lib/cache_fill.ts";
import { clientHeaders } from "./lib/kube_client.ts";
import type { BenchContext } from "./lib/measure.ts";
import { delay, stopAll } from "./lib/processes.ts";
import { startSimulator } from "./lib/simulator.ts";

const MB = 2 ** 20;
const split = Deno.args.indexOf("--");
const args = split === -1 ? Deno.args : Deno.args.slice(0, split);
const agentFlags = split === -1 ? [] : Deno.args.slice(split + 1);

function option(name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
}

const mode = args[0];
if (mode !== "lists" && mode !== "watches") {
  console.error("usage: bounds_memory.ts lists|watches [--pods N] [--concurrent N] [--watches N]");
  Deno.exit(2);
}
const pods = option("--pods", mode === "lists" ? 5000 : 200);
const repoRoot = new URL("../..", import.meta.url).pathname;
const runDir = await Deno.makeTempDir({ prefix: "holdfast-bounds-" });
const ctx = { quick: false, profile: false, repoRoot, runDir } as BenchContext;
const mb = (bytes: number) => `${(bytes / MB).toFixed(0)} MB`;

const sim = await startSimulator(ctx, { pods, nodes: 10 });
const agent = await startAgent(ctx, {
  name: "agent-bounds",
  server: sim.url,
  cachePath: `${runDir}/cache.kv`,
  cacheAgents: "*",
  healthIntervalMs: 200,
  measure: "bounds",
  extraArgs: agentFlags,
});
try {
  const podsPath = "/api/v1/pods";
  if (mode === "lists") {
    await fillCache(agent, podsPath, pods);
    await sim.setLink(false);
    await waitForStatus(agent, (s) => s.mode === "offline", 10_000);
    await delay(1000);
    const before = await agent.memory();
    const concurrent = option("--concurrent", 5);
    const codes = await Promise.all(Array.from({ length: concurrent }, async () => {
      const response = await fetch(`${agent.url}${podsPath}`, { headers: clientHeaders() });
      let bytes = 0;
      for await (const chunk of response.body ?? []) {
        bytes += chunk.byteLength;
        await delay(1); // a slow reader: the response is held while it is sent
      }
      return `${response.status} (${mb(bytes)})`;
    }));
    const after = await agent.memory();
    console.log(`${concurrent} concurrent offline LISTs of ${pods} pods: ${codes.join(", ")}`);
    console.log(`RSS before ${mb(before.rss)}, peak ${mb(after.hwm)}, after ${mb(after.rss)}`);
  } else {
    const count = option("--watches", 500);
    const stalled = args.includes("--stalled");
    const small = args.includes("--small");
    await delay(1000);
    const before = await agent.memory();
    const aborts: AbortController[] = [];
    const codes = new Map<number, number>();
    for (let i = 0; i < count; i++) {
      const abort = new AbortController();
      aborts.push(abort);
      // Each watch has a query of its own; it starts with every pod as an ADDED event, or (with
      // `--small`) watches one object that does not exist, as kubelet's per-object watches do.
      const query = `watch=true&allowWatchBookmarks=true`;
      const path = small
        ? `/api/v1/namespaces/default/configmaps?${query}&fieldSelector=metadata.name%3Dw${i}`
        : `/api/v1/pods?${query}&labelSelector=w!%3D${i}`;
      const response = await fetch(
        `${agent.url}${path}`,
        { headers: { ...clientHeaders(), "user-agent": CACHED_USER_AGENT }, signal: abort.signal },
      );
      codes.set(response.status, (codes.get(response.status) ?? 0) + 1);
      if (response.status !== 200) await response.body?.cancel();
      else if (!stalled) response.body?.pipeTo(new WritableStream()).catch(() => {});
    }
    await delay(3000);
    const after = await agent.memory();
    console.log(`${count} watches: HTTP codes ${JSON.stringify(Object.fromEntries(codes))}`);
    console.log(`RSS before ${mb(before.rss)}, with the watches open ${mb(after.rss)}`);
    console.log(`per watch ${((after.rss - before.rss) / count / 1024).toFixed(0)} KiB`);
    const metrics = await (await fetch(`${agent.adminUrl}/metrics`)).text();
    const shown = /^holdfast_(process_heap_used_bytes|cache_drops_total|inflight)[^\n]*/gm;
    console.log(metrics.match(shown)?.join("\n"));
    for (const abort of aborts) abort.abort();
  }
} finally {
  await stopAll();
  await Deno.remove(runDir, { recursive: true }).catch(() => {});
}
