/**
 * Hostile input, many watches: 500 watches at once (the default `--max-watches`) are all served
 * and all see the same change; the 501st gets `429 TooManyRequests` with `Retry-After`; a
 * well-behaved client's LIST is served meanwhile; once watches end their slots come back. Offline,
 * the same from the cache. Through an agent subprocess, the memory 500 watches cost is bounded.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startStack, waitFor } from "../harness.ts";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import {
  assertServed,
  assertStatus,
  CONFIGMAPS,
  goOffline,
  KUBELET,
  rssMiB,
  startAgentProcess,
  waitCached,
} from "./helpers.ts";

const WATCHES = 500;

/** Reads `body` until its text includes `needle`. */
async function readUntil(body: ReadableStream<Uint8Array>, needle: string): Promise<void> {
  const decoder = new TextDecoder();
  let text = "";
  for await (const chunk of body) {
    text += decoder.decode(chunk, { stream: true });
    if (text.includes(needle)) return;
  }
  throw new Error(`the watch ended before "${needle}"`);
}

Deno.test("hostile watches: 500 at once are served, the 501st gets 429, others are served", async () => {
  await using stack = await startStack({
    config: { limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: WATCHES } },
  });
  const rv = (await (await fetch(`${stack.proxyUrl}${CONFIGMAPS}`, { headers: KUBELET })).json())
    .metadata.resourceVersion;
  const watch = () =>
    fetch(`${stack.proxyUrl}${CONFIGMAPS}?watch=true&resourceVersion=${rv}`, { headers: KUBELET });
  const open = await Promise.all(Array.from({ length: WATCHES }, watch));
  try {
    assertEquals(open.filter((r) => r.status !== 200).length, 0);
    const refused = await watch();
    assertEquals(refused.headers.get("retry-after"), "1");
    const message = await assertStatus(refused, 429, "TooManyRequests", "the 501st watch");
    assert(message.includes(`at most ${WATCHES} watches`), message);
    await assertServed(stack.proxyUrl);

    // Every one of the 500 is live: each sees the same new object.
    stack.sim.objects.create("configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "seen-by-all", namespace: "default" },
      data: { a: "b" },
    });
    await Promise.all(open.map((r) => readUntil(r.body!, "seen-by-all")));
  } finally {
    await Promise.all(open.map((r) => r.body?.cancel().catch(() => {})));
  }
  await waitFor("the watch slots given back", async () => {
    const again = await watch();
    await again.body?.cancel();
    return again.status === 200;
  });

  // Offline, answered from the cache, under the same bound.
  await waitCached(stack, "kubelet", "configmaps");
  await goOffline(stack);
  const offline = await Promise.all(Array.from({ length: WATCHES }, watch));
  try {
    assertEquals(offline.filter((r) => r.status !== 200).length, 0);
    await assertStatus(await watch(), 429, "TooManyRequests", "the 501st offline watch");
    await assertServed(stack.proxyUrl);
    await Promise.all(offline.map((r) => readUntil(r.body!, '"type":"')));
  } finally {
    await Promise.all(offline.map((r) => r.body?.cancel().catch(() => {})));
  }
});

Deno.test("hostile watches: 500 at once cost the agent (a subprocess) a bounded amount of memory", async () => {
  await using sim = await startSimulator({ scale: { pods: 20, nodes: 1 } });
  await using agent = await startAgentProcess(sim.url);
  const { proxy } = agent;
  const before = await rssMiB(agent.pid);
  const watch = () => fetch(`${proxy}${CONFIGMAPS}?watch=true`, { headers: KUBELET });
  const open = await Promise.all(Array.from({ length: WATCHES }, watch));
  try {
    assertEquals(open.filter((r) => r.status !== 200).length, 0);
    await assertStatus(await watch(), 429, "TooManyRequests", "the 501st watch");
    await assertServed(proxy);
    const grown = (await rssMiB(agent.pid)) - before;
    assert(grown < 400, `500 quiet watches grew the agent by ${grown.toFixed(0)} MiB`);
  } finally {
    await Promise.all(open.map((r) => r.body?.cancel().catch(() => {})));
  }
});
