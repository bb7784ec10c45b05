/**
 * Child process of the bounded-cache memory test (run with `--v8-flags=--expose-gc`): proxies a
 * 200 MB list to a full-speed client while the cache side is stuck, collecting garbage as it
 * goes so RSS shows what is retained, and prints `{received, overflow, grewMiB}` as JSON.
 * @module
 */
import { CacheBranchOverflow } from "../../src/streams/bounded_tee.ts";
import { listUpstream, MiB, proxyWithStuckCache } from "./bounded_cache_fixture.ts";

const gc = (globalThis as unknown as { gc: () => void }).gc;
const upstream = listUpstream(200 * MiB);
const proxy = proxyWithStuckCache(upstream.url, 8 * MiB);
gc();
const rssBefore = Deno.memoryUsage().rss;
let peak = rssBefore;
const response = await fetch(proxy.url, { headers: { "user-agent": "kubelet/1.30" } });
let received = 0;
let sinceGc = 0;
for await (const chunk of response.body!) {
  received += chunk.byteLength;
  sinceGc += chunk.byteLength;
  if (sinceGc > 4 * MiB) {
    gc();
    sinceGc = 0;
    peak = Math.max(peak, Deno.memoryUsage().rss);
  }
}
const outcome = await proxy.cacheOutcome;
await proxy.close();
await upstream.server.shutdown();
console.log(JSON.stringify({
  received,
  overflow: outcome instanceof CacheBranchOverflow,
  grewMiB: (peak - rssBefore) / MiB,
}));
