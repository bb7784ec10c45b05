/**
 * The upstream's resourceVersion goes backwards (the simulator is restored as etcd from a backup):
 * a later listing, though older than the cached snapshot, replaces it, as kube clients take a
 * LIST, and it is reported in the metrics (before, the newer-looking snapshot won and the cache
 * froze). A watch begun before the cached listing replays what the listing holds: that is old
 * news, not the upstream going backwards (before, it made the query stale).
 */
import { assert, assertEquals } from "./assert.ts";
import { PATIENT_HEALTH, type Stack, startStack, waitFor } from "./harness.ts";
import type { QueryView } from "../src/cache/inspect.ts";

const KUBELET = { "user-agent": "kubelet/v1.30.0 (linux/amd64) kubernetes/abc" };
const PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";

type Pod = { metadata: { name: string; namespace: string } };

async function list(stack: Stack): Promise<{ resourceVersion: string; names: string[] }> {
  const response = await fetch(`${stack.proxyUrl}${PODS}`, { headers: KUBELET });
  assertEquals(response.status, 200);
  const body = await response.json();
  const names = (body.items as Pod[]).map((pod) => pod.metadata.name).sort();
  return { resourceVersion: body.metadata.resourceVersion, names };
}

async function podQuery(stack: Stack): Promise<QueryView | undefined> {
  const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
  return ls.queries.find((q: QueryView) =>
    q.component === "kubelet" && q.fieldSelector === "spec.nodeName=node-0"
  );
}

function cachedAt(stack: Stack, resourceVersion: string) {
  return waitFor(`the cache at ${resourceVersion}`, async () => {
    const query = await podQuery(stack);
    return !!query?.complete && !query.stale && query.resourceVersion === resourceVersion;
  });
}

function createPod(stack: Stack, name: string) {
  stack.sim.objects.create("pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: "node-0", containers: [{ name: "c", image: "busybox" }] },
  });
}

async function backwardsCount(stack: Stack): Promise<number> {
  const text = await (await fetch(`${stack.adminUrl}/metrics`)).text();
  const line = text.split("\n").find((l) =>
    l.startsWith('holdfast_cache_anomalies_total{kind="resource-version-backwards"}')
  );
  return line ? Number(line.split(" ")[1]) : 0;
}

Deno.test("rv backwards: a listing after an etcd restore replaces the newer-looking snapshot", async () => {
  await using stack = await startStack({ config: { health: PATIENT_HEALTH } });
  const backup = await list(stack);
  await cachedAt(stack, backup.resourceVersion);
  createPod(stack, "lost-in-restore");
  createPod(stack, "also-lost");
  const before = await list(stack);
  assert(before.names.includes("lost-in-restore"));
  await cachedAt(stack, before.resourceVersion);

  stack.sim.restore(Number(backup.resourceVersion));
  createPod(stack, "made-after-restore");
  const after = await list(stack);
  assert(Number(after.resourceVersion) < Number(before.resourceVersion));
  await cachedAt(stack, after.resourceVersion);
  assertEquals(await backwardsCount(stack), 1);

  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => {
    return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode === "offline";
  });
  const offline = await list(stack);
  assertEquals(offline, after);
  assert(offline.names.includes("made-after-restore") && !offline.names.includes("also-lost"));
});

Deno.test("rv backwards: a watch begun before the cached listing (a client behind) leaves it fresh", async () => {
  await using stack = await startStack({ config: { health: PATIENT_HEALTH } });
  const first = await list(stack);
  createPod(stack, "seen-by-the-listing-1");
  createPod(stack, "seen-by-the-listing-2");
  const listed = await list(stack);
  await cachedAt(stack, listed.resourceVersion);

  // This watch replays the two creations the cached listing already holds, then a new one.
  const response = await fetch(
    `${stack.proxyUrl}${PODS}&watch=true&resourceVersion=${first.resourceVersion}`,
    { headers: KUBELET },
  );
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (text.split("\n").length < 3) text += (await reader.read()).value ?? "";
  createPod(stack, "made-while-watching");
  while (!text.includes("made-while-watching")) text += (await reader.read()).value ?? "";
  const newest = JSON.parse(text.trim().split("\n").at(-1)!).object.metadata.resourceVersion;
  await cachedAt(stack, newest);
  await reader.cancel();
  assertEquals(await backwardsCount(stack), 0);

  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => {
    return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode === "offline";
  });
  const offline = await list(stack);
  assertEquals(offline.resourceVersion, newest);
  assertEquals(offline.names, [...listed.names, "made-while-watching"].sort());
});
