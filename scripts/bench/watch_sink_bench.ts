/**
 * What storing one watch event costs, apart from decoding it: 20,000 MODIFIED events of 100
 * captured-size pods (about 9 KB each, cycling as the bench's watch flood does) written through
 * the cache's watch sink into a fresh KV file. Prints, per event, the CPU time of the JavaScript
 * thread (which the proxy shares) and of the whole process (KV's SQLite thread and GC helpers
 * included), and the commits it took. A floor for the watch-throughput row: the JavaScript thread
 * must also frame and decode each event, and forward it.
 *
 * Usage: `deno run -A scripts/bench/watch_sink_bench.ts [--events N] [--rounds N]`
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import { CacheStore } from "../../src/cache/store.ts";
import type { QueryIdentity } from "../../src/cache/query.ts";
import { rawObjectFromJson } from "../../src/kube/json/object.ts";
import type { WatchEvent } from "../../src/kube/types.ts";
import { jsonPods } from "./lib/pod_lists.ts";

const NAMES = 100;

const query: QueryIdentity = {
  component: "kubelet",
  group: "",
  version: "v1",
  resource: "pods",
  namespace: "",
  labelSelector: "",
  fieldSelector: "",
  transform: "",
};

/** CPU milliseconds the JavaScript (main) thread has used, from `/proc`. */
function mainThreadCpuMs(): number {
  const stat = Deno.readTextFileSync(`/proc/self/task/${Deno.pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (clock ticks of 10 ms)
  return ticks * 10;
}

function floodEvents(count: number): WatchEvent[] {
  const encoder = new TextEncoder();
  const pods = jsonPods(NAMES);
  return Array.from({ length: count }, (_, i) => {
    const text = pods[i % NAMES].replace(
      /"resourceVersion":"\d+"/,
      `"resourceVersion":"${100_000 + i}"`,
    );
    return { type: "MODIFIED", object: rawObjectFromJson(encoder.encode(text), "pods") };
  });
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    events: { type: "string", default: "20000" },
    rounds: { type: "string", default: "5" },
  },
});
const count = Number(values.events);
const events = floodEvents(count);
for (let round = 1; round <= Number(values.rounds); round++) {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-watch-sink-" });
  let commits = 0;
  const store = await CacheStore.open(`${dir}/cache.kv`, { onCommit: () => commits++ });
  const started = performance.now();
  const mainBefore = mainThreadCpuMs();
  const processBefore = process.cpuUsage();
  await ReadableStream.from(events).pipeTo(
    store.watchSink(query, "application/json", { since: "100000" }),
  );
  await store.flush();
  const wallMs = performance.now() - started;
  const mainUs = (mainThreadCpuMs() - mainBefore) * 1000 / count;
  const used = process.cpuUsage(processBefore);
  const processUs = (used.user + used.system) / count;
  console.log(
    `round ${round}: ${count} events stored in ${wallMs.toFixed(0)} ms ` +
      `(${(count / wallMs * 1000).toFixed(0)} events/s, ${commits} commits); CPU per event: ` +
      `JavaScript thread ${mainUs.toFixed(1)} µs, process ${processUs.toFixed(1)} µs`,
  );
  await store.close();
  await Deno.remove(dir, { recursive: true });
}
