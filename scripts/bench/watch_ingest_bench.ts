/**
 * What caching a watch costs the proxy's JavaScript thread: a JSON pod watch of 100 captured-size
 * pods (about 9 KB each) changing in turn, as the bench's watch flood sends it, fed at a fixed
 * rate in chunks of up to 64 KiB through the cache ingest (line framing, sparse decoding, the
 * coalescing window, the watch sink, the KV batcher) into a fresh KV file. Prints the rate
 * reached, the JavaScript thread's CPU time per event (the thread the proxy forwards on; KV's
 * SQLite thread and GC helpers excluded) and the commits. `--window-ms 0` stores every event as
 * it comes (no coalescing), for comparison in the same run.
 *
 * Usage: `deno run -A scripts/bench/watch_ingest_bench.ts [--rate N] [--events N]
 * [--window-ms N] [--rounds N]`
 * @module
 */
import { parseArgs } from "node:util";
import { ingestWatch, WATCH_WINDOW } from "../../src/cache/ingest/watch.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { jsonCodec } from "../../src/kube/json/codec.ts";
import { concat } from "../../src/streams/concat.ts";
import { jsonPods, podsQuery } from "./lib/pod_lists.ts";
import { cpuMs } from "./lib/processes.ts";

const NAMES = 100;
const CHUNK_BYTES = 64 * 1024;

const query = podsQuery("kubelet");

/** CPU milliseconds the JavaScript (main) thread has used, from `/proc`. */
function mainThreadCpuMs(): number {
  return cpuMs(`/proc/self/task/${Deno.pid}/stat`);
}

/** One MODIFIED event line per change, pods in turn, resourceVersions rising from `first`. */
function eventLines(count: number, first: number): Uint8Array[] {
  const encoder = new TextEncoder();
  const pods = jsonPods(NAMES);
  return Array.from({ length: count }, (_, i) => {
    const pod = pods[i % NAMES].replace(
      /"resourceVersion":"\d+"/,
      `"resourceVersion":"${first + i}"`,
    );
    return encoder.encode(
      `{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1",${pod.slice(1)}}\n`,
    );
  });
}

/** The lines as a stream giving each line once its time has come at `rate` lines per second. */
function paced(lines: Uint8Array[], rate: number): ReadableStream<Uint8Array> {
  let next = 0;
  const started = performance.now();
  const due = () => Math.min(lines.length, Math.floor((performance.now() - started) * rate / 1000));
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (next === lines.length) return controller.close();
      while (due() <= next) await new Promise((resolve) => setTimeout(resolve, 1));
      const parts: Uint8Array[] = [];
      let size = 0;
      for (const end = due(); next < end && size < CHUNK_BYTES; next++) {
        parts.push(lines[next]);
        size += lines[next].byteLength;
      }
      controller.enqueue(concat(parts));
    },
  }, { highWaterMark: 0 });
}

const { values } = parseArgs({
  args: Deno.args,
  options: {
    rate: { type: "string", default: "15000" },
    events: { type: "string", default: "30000" },
    "window-ms": { type: "string" },
    rounds: { type: "string", default: "3" },
  },
});
const rate = Number(values.rate);
const first = 1_000;
const lines = eventLines(Number(values.events), first);
const windowMs = values["window-ms"] === undefined ? undefined : Number(values["window-ms"]);
const bounds = windowMs === undefined ? WATCH_WINDOW : { minMs: windowMs, maxMs: windowMs };
for (let round = 1; round <= Number(values.rounds); round++) {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-watch-ingest-" });
  let commits = 0;
  const store = await CacheStore.open(`${dir}/cache.kv`, { onCommit: () => commits++ });
  const started = performance.now();
  const cpuBefore = mainThreadCpuMs();
  const target = { query, initialEvents: false, since: `${first}` };
  await ingestWatch(store, target, jsonCodec, paced(lines, rate), bounds);
  await store.flush();
  const wallMs = performance.now() - started;
  const cpuUs = (mainThreadCpuMs() - cpuBefore) * 1000 / lines.length;
  console.log(
    `round ${round}: ${lines.length} events offered at ${rate}/s stored at ` +
      `${(lines.length / wallMs * 1000).toFixed(0)}/s; JavaScript thread ${cpuUs.toFixed(1)} µs ` +
      `per event; ${commits} commits (window ${bounds.minMs}–${bounds.maxMs} ms)`,
  );
  await store.close();
  await Deno.remove(dir, { recursive: true });
}
