/**
 * The upstream's resourceVersion goes backwards (the simulator is restored as etcd from a backup):
 * a later listing, though older than the cached snapshot, replaces it, as kube clients take a
 * LIST; a watch event from before the cached listing makes the query stale. Both are reported
 * in the metrics. Before, the newer-looking snapshot won and the cache froze.
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

Deno.test("rv backwards: a watch event older than the cached listing makes the query stale", async () => {
  await using stack = await startStack({ config: { health: PATIENT_HEALTH } });
  const backup = await list(stack);
  createPod(stack, "lost-1");
  createPod(stack, "lost-2");
  const listed = await list(stack);
  await cachedAt(stack, listed.resourceVersion);

  stack.sim.restore(Number(backup.resourceVersion));
  createPod(stack, "made-after-restore"); // resourceVersion backup + 1: older than the listing
  const response = await fetch(
    `${stack.proxyUrl}${PODS}&watch=true&resourceVersion=${backup.resourceVersion}`,
    { headers: KUBELET },
  );
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) text += (await reader.read()).value ?? "";
  assertEquals(JSON.parse(text.split("\n")[0]).object.metadata.name, "made-after-restore");
  await waitFor("the query stale", async () => (await podQuery(stack))?.stale === true);
  assert((await podQuery(stack))!.staleReason.includes("went backwards"));
  await reader.cancel();
  assertEquals(await backwardsCount(stack), 1);

  // The next listing rebuilds the query.
  const relisted = await list(stack);
  await cachedAt(stack, relisted.resourceVersion);
  assert(relisted.names.includes("made-after-restore") && !relisted.names.includes("lost-1"));
});
