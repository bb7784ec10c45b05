/**
 * Issue 15 (8), through the running agent: one malformed upstream LIST response does not make the
 * last good snapshot unservable, and is not stored either.
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";

const KUBELET = { "user-agent": "kubelet/v1.30.0 (linux/amd64) kubernetes/abc" };
const NODE_PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";

Deno.test("malformed upstream LIST: the previous snapshot still answers offline", async () => {
  await using stack = await startStack();
  const list = async () => await fetch(`${stack.proxyUrl}${NODE_PODS}`, { headers: KUBELET });
  const good = await (await list()).json();
  const names = (items: { metadata: { name: string } }[]) => items.map((p) => p.metadata.name);
  const poll = async (done: () => Promise<boolean>) => {
    while (!await done()) await new Promise((r) => setTimeout(r, 50));
  };
  const admin = async (path: string) => await fetch(`${stack.adminUrl}${path}`);
  const drops = async () => {
    const text = await (await admin("/metrics")).text();
    return [...text.matchAll(/^holdfast_cache_drops_total\{[^}]*\} (\d+)/gm)]
      .reduce((n, m) => n + Number(m[1]), 0);
  };
  // The cache branch runs behind the client: wait until the listing is stored.
  await poll(async () => {
    const ls = await (await admin("/v1/cache/ls")).json();
    return ls.queries.some((q: { component: string; complete: boolean }) =>
      q.component === "kubelet" && q.complete
    );
  });

  stack.sim.faults.add({ kind: "malformed", count: 1, match: { path: "/api/v1/pods" } });
  await (await list()).body?.cancel();
  await poll(async () => await drops() === 1); // the cache gave up on the malformed body
  await stack.sim.faults.linkDown();
  await poll(async () => (await (await admin("/v1/status")).json()).mode === "offline");
  const offline = await list();
  assertEquals(offline.status, 200);
  const cached = await offline.json();
  assertEquals(cached.metadata.resourceVersion, good.metadata.resourceVersion);
  assertEquals(names(cached.items), names(good.items));
});
