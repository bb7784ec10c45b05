/**
 * The cache branch never slows or stalls the client, and never buffers without bound: a client
 * reading a large list at full speed finishes while the cache side is stuck (as when KV writes are
 * slow), within a stated memory bound, and a client reading slowly holds the upstream back
 * instead of the agent buffering.
 */
import { assert } from "../assert.ts";
import { listUpstream, MiB, proxyWithStuckCache } from "./bounded_cache_fixture.ts";

/** The stated bound on RSS growth while 200 MB pass with the cache stuck (cap 8 MiB + buffers). */
const MEMORY_BOUND_MIB = 64;

Deno.test("cache: a full-speed client reads a 200 MB list to the end while the cache is stuck", async () => {
  const child = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      new URL("./bounded_cache_child.ts", import.meta.url).pathname,
    ],
    stdin: "null",
  }).output();
  const stderr = new TextDecoder().decode(child.stderr);
  assert(child.success, stderr);
  const result = JSON.parse(new TextDecoder().decode(child.stdout));
  assert(result.received > 200 * MiB, `client got ${result.received} bytes`);
  assert(result.overflow, "the cache side should have been given up (overflow)");
  assert(
    result.grewMiB < MEMORY_BOUND_MIB,
    `RSS grew ${result.grewMiB.toFixed(1)} MiB, bound ${MEMORY_BOUND_MIB} MiB`,
  );
});

Deno.test("cache: a slow client holds the upstream back instead of the agent buffering", async () => {
  const upstream = listUpstream(200 * MiB);
  const proxy = proxyWithStuckCache(upstream.url, 8 * MiB);
  const response = await fetch(proxy.url, { headers: { "user-agent": "kubelet/1.30" } });
  const reader = response.body!.getReader();
  let received = 0;
  for (let i = 0; i < 4; i++) received += (await reader.read()).value?.byteLength ?? 0;
  // Let every buffer on the way fill up, then see how far ahead the upstream got.
  await new Promise((r) => setTimeout(r, 300));
  const ahead = upstream.produced.bytes - received;
  // Socket buffers on two loopback connections may hold some megabytes; the agent holds none.
  assert(ahead < 48 * MiB, `upstream produced ${ahead} bytes ahead of a client that stopped`);
  await reader.cancel();
  await proxy.close();
  await upstream.server.shutdown();
});
