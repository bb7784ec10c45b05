/**
 * Hostile conditions, a full disk under the KV file (a small tmpfs): the agent keeps proxying,
 * pauses caching and says so (`/v1/status` and a metric), stays ready, resumes caching by itself
 * once space returns, and never damages what it had stored: offline, and after a restart, the
 * snapshots from before the disk filled answer as they were.
 * @module
 */
import { assertEquals } from "../assert.ts";
import { startStack, waitFor } from "../harness.ts";
import { fillDisk, mountTmpfs } from "../cache/helpers.ts";
import {
  agentStatus,
  assertServed,
  CONFIGMAPS,
  goOffline,
  KUBELET,
  waitCached,
} from "./helpers.ts";

const NODE_PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";

Deno.test("hostile disk: a full disk pauses caching, never proxying; caching resumes; nothing stored is damaged", async () => {
  await using mount = await mountTmpfs("size=4m");
  if (!mount) return; // mountTmpfs printed why
  await using stack = await startStack({
    sim: { scale: { pods: 200, nodes: 2 } },
    config: { cachePath: `${mount.dir}/cache.kv` },
  });
  const list = async (path: string) => {
    const response = await fetch(`${stack.proxyUrl}${path}`, { headers: KUBELET });
    const text = await response.text();
    assertEquals(response.status, 200, text.slice(0, 300));
    return JSON.parse(text);
  };
  const before = await list(NODE_PODS);
  const configmaps = await list(CONFIGMAPS);
  await waitCached(stack, "kubelet", "pods");
  await waitCached(stack, "kubelet", "configmaps");

  await fillDisk(`${mount.dir}/filler`);
  // New queries need space: the commits fail, caching pauses; every answer is still proxied.
  let i = 0;
  await waitFor("caching paused", async () => {
    await list(`/api/v1/pods?labelSelector=hostile%21%3D${i++}`);
    return (await agentStatus(stack.adminUrl)).cacheFault?.kind === "writes-paused";
  }, 60_000);
  const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
  assertEquals(/holdfast_cache_fault\{kind="writes-paused"\} 1/.test(metrics), true, metrics);
  assertEquals((await fetch(`${stack.adminUrl}/v1/readyz`)).status, 200);
  await assertServed(stack.proxyUrl);

  await Deno.remove(`${mount.dir}/filler`);
  await waitFor(
    "caching resumed",
    async () => (await agentStatus(stack.adminUrl)).cacheFault === undefined,
    30_000,
  );
  await list("/api/v1/namespaces/kube-system/configmaps");
  await waitCached(stack, "kubelet", "configmaps", "kube-system");

  const names = (l: { items: { metadata: { name: string } }[] }) =>
    l.items.map((p) => p.metadata.name);
  const assertIntact = async () => {
    const pods = await list(NODE_PODS);
    assertEquals(pods.metadata.resourceVersion, before.metadata.resourceVersion);
    assertEquals(names(pods), names(before));
    await assertServed(stack.proxyUrl, names(configmaps));
  };
  await goOffline(stack);
  await assertIntact();
  await stack.stopAgent();
  // The shutdown's checkpoint may fill the small disk with the cache's own data; a restart on a
  // full disk is not what this checks (see the README): the file system grows first.
  const grown = await new Deno.Command("mount", {
    args: ["-o", "remount,size=32m", mount.dir],
  }).output();
  assertEquals(grown.success, true, new TextDecoder().decode(grown.stderr));
  await stack.restartAgent();
  assertEquals((await agentStatus(stack.adminUrl)).cacheFault, undefined, "the file was damaged");
  await waitFor(
    "the restarted agent offline",
    async () => (await agentStatus(stack.adminUrl)).mode === "offline",
  );
  await assertIntact();
});
