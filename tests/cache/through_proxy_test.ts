/**
 * The cache through the whole proxy: kubelet-like and kube-proxy-like request sequences against the
 * simulator leave in Deno KV exactly what the server returned, and the cache stays equal to the
 * server's state through 10,000 watch events of mixed types.
 */
import { assert, assertEquals } from "../assert.ts";
import { type Stack, startStack } from "../harness.ts";
import { loadSealKey } from "../../src/cache/seal.ts";
import { CacheStore } from "../../src/cache/store.ts";
import type { QueryRecord } from "../../src/cache/query.ts";
import { matchesLabels, parseLabelSelector } from "../../src/kube/label_selector.ts";

const KUBELET = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
const KUBE_PROXY = "kube-proxy/v1.30.0 (linux/amd64) kubernetes/abc";
const COREDNS = "coredns/1.11.1";
const PROXY_SELECTOR = "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name";

// deno-lint-ignore no-explicit-any
type Json = any;

interface Informer {
  /** The newest resourceVersion seen (list, event or bookmark). */
  rv(): number;
  stop(): Promise<void>;
}

/** LIST then WATCH from the list's resourceVersion, as a reflector does, consuming every event. */
async function inform(stack: Stack, ua: string, path: string, query: string): Promise<Informer> {
  const headers = { "user-agent": ua, accept: "application/json" };
  const sep = query ? "&" : "";
  const list = await (await fetch(`${stack.proxyUrl}${path}?${query}`, { headers })).json();
  let rv = Number(list.metadata.resourceVersion);
  const controller = new AbortController();
  const response = await fetch(
    `${stack.proxyUrl}${path}?${query}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`,
    { headers, signal: controller.signal },
  );
  assertEquals(response.status, 200);
  const done = (async () => {
    let buffered = "";
    try {
      for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
        buffered += text;
        let newline;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const event = JSON.parse(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          rv = Math.max(rv, Number(event.object.metadata.resourceVersion));
        }
      }
    } catch {
      // aborted by stop()
    }
  })();
  return {
    rv: () => rv,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

async function get(stack: Stack, ua: string, path: string): Promise<Json> {
  const response = await fetch(`${stack.proxyUrl}${path}`, { headers: { "user-agent": ua } });
  assertEquals(response.status, 200);
  return await response.json();
}

/** name → resourceVersion of a cached query's objects. */
async function cachedQuery(store: CacheStore, record: QueryRecord): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const object of store.listObjects(record)) {
    const key = object.meta.namespace
      ? `${object.meta.namespace}/${object.meta.name}`
      : object.meta.name;
    objects.set(key, object.meta.resourceVersion);
  }
  return objects;
}

function serverState(objects: Json[], keep: (o: Json) => boolean): Map<string, string> {
  return new Map(
    objects.filter(keep).map((o) => [
      o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name,
      o.metadata.resourceVersion,
    ]),
  );
}

Deno.test("cache: kubelet and kube-proxy sequences through holdfast store exactly the server's state, through 10,000 watch events", async () => {
  await using stack = await startStack({
    sim: { scale: { pods: 300, nodes: 3, services: 6, configmaps: 4 }, bookmarkIntervalMs: 100 },
  });
  const sim = stack.sim;
  const informers = [
    await inform(stack, KUBELET, "/api/v1/nodes", "fieldSelector=metadata.name%3Dnode-0"),
    await inform(stack, KUBELET, "/api/v1/pods", "fieldSelector=spec.nodeName%3Dnode-0"),
    await inform(stack, KUBELET, "/api/v1/services", "fieldSelector=spec.clusterIP%21%3DNone"),
    await inform(
      stack,
      KUBE_PROXY,
      "/apis/discovery.k8s.io/v1/endpointslices",
      `labelSelector=${encodeURIComponent(PROXY_SELECTOR)}`,
    ),
    await inform(
      stack,
      KUBE_PROXY,
      "/api/v1/services",
      `labelSelector=${encodeURIComponent(PROXY_SELECTOR)}`,
    ),
    await inform(stack, COREDNS, "/api/v1/pods", ""),
  ];
  const configmap: Json = sim.objects.list("configmaps").find((c: Json) =>
    c.metadata.namespace !== "kube-system"
  );
  const secret: Json = sim.objects.list("secrets")[0];
  const ns = configmap.metadata.namespace;
  informers.push(
    await inform(
      stack,
      KUBELET,
      `/api/v1/namespaces/${ns}/configmaps`,
      `fieldSelector=metadata.name%3D${configmap.metadata.name}`,
    ),
  );
  await get(
    stack,
    KUBELET,
    `/api/v1/namespaces/${secret.metadata.namespace}/secrets/${secret.metadata.name}`,
  );

  const made = await sim.objects.churn({ resource: "pods", rate: 2500, count: 10_000, op: "mixed" })
    .done;
  assertEquals(made, 10_000);
  const finalRv = sim.resourceVersion;
  const deadline = Date.now() + 180_000; // a deadline, not a measurement: loaded CI machines are slow
  while (informers.some((i) => i.rv() < finalRv)) {
    assert(Date.now() < deadline, `watches did not reach resourceVersion ${finalRv}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  for (const informer of informers) await informer.stop();
  await stack.stopAgent(); // flushes the cache

  await using store = await CacheStore.open(stack.config.cachePath, {
    readOnly: true,
    sealer: await loadSealKey(`${stack.config.cachePath}.key`, false), // kubelet's secrets
  });
  const selector = parseLabelSelector(PROXY_SELECTOR);
  const expected: Record<string, Map<string, string>> = {
    "kubelet nodes metadata.name=node-0": serverState(
      sim.objects.list("nodes"),
      (n) => n.metadata.name === "node-0",
    ),
    "kubelet pods spec.nodeName=node-0": serverState(
      sim.objects.list("pods"),
      (p) => p.spec?.nodeName === "node-0",
    ),
    "kubelet services spec.clusterIP!=None": serverState(
      sim.objects.list("services"),
      (s) => s.spec?.clusterIP !== "None",
    ),
    [`kube-proxy endpointslices ${PROXY_SELECTOR}`]: serverState(
      sim.objects.list("endpointslices"),
      (e) => matchesLabels(selector, e.metadata.labels ?? {}),
    ),
    [`kube-proxy services ${PROXY_SELECTOR}`]: serverState(
      sim.objects.list("services"),
      (s) => matchesLabels(selector, s.metadata.labels ?? {}),
    ),
    "coredns pods ": serverState(sim.objects.list("pods"), () => true),
    [`kubelet configmaps metadata.name=${configmap.metadata.name}`]: serverState(
      [configmap],
      () => true,
    ),
  };
  const records = await store.queries();
  for (const [name, want] of Object.entries(expected)) {
    const record = records.find((r) =>
      `${r.component} ${r.resource} ${r.labelSelector || r.fieldSelector}` === name
    );
    assert(
      record,
      `no cached query ${name}; have ${records.map((r) => r.component + " " + r.resource)}`,
    );
    assert(
      record.complete && !record.stale,
      `${name}: complete=${record.complete} stale=${record.staleReason}`,
    );
    assertEquals(await cachedQuery(store, record), want, name);
  }
  const cachedSecret = await store.getObject(
    "kubelet",
    { group: "", version: "v1", resource: "secrets" },
    secret.metadata.namespace,
    secret.metadata.name,
  );
  assertEquals(cachedSecret?.meta.resourceVersion, secret.metadata.resourceVersion);
});
