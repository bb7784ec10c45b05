/**
 * Benchmark of the cache's persistence: how long a 5,000-pod LIST takes to become durable in a
 * Deno KV file (first listing, then a replace of it), how fast it reads back, how many bytes the
 * KV file takes per object, and how fast watch events on it become durable. Pods are realistic
 * app pods of about 3 KB of JSON.
 *
 * Usage: `deno run -A scripts/bench/cache_persist_bench.ts [--pods N] [--rounds N]`
 * @module
 */
import { CacheStore } from "../../src/cache/store.ts";
import type { ListPart, RawObject, WatchEvent } from "../../src/kube/types.ts";
import { podsQuery } from "./lib/pod_lists.ts";

const encoder = new TextEncoder();

function option(name: string, fallback: number): number {
  const at = Deno.args.indexOf(name);
  return at === -1 ? fallback : Number(Deno.args[at + 1]);
}

/** A kubelet-visible app pod owned by a ReplicaSet, as kube-apiserver returns it (JSON). */
function appPod(i: number, resourceVersion: string): RawObject {
  const app = `app-${i % 97}`;
  const namespace = `team-${i % 13}`;
  const name = `${app}-7d9f8c6b5-${i.toString(36).padStart(5, "x")}`;
  const uid = crypto.randomUUID();
  const labels = { app, "pod-template-hash": "7d9f8c6b5", tier: i % 3 === 0 ? "web" : "backend" };
  const env = Array.from({ length: 2 + (i % 9) }, (_, e) => ({
    name: `SETTING_${e}`,
    value: `value-${e}-${app}`,
  }));
  const containers = [{
    name: app,
    image: `registry.example.com/${app}:1.${i % 20}.${i % 7}`,
    ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
    env,
    resources: {
      limits: { cpu: "500m", memory: "256Mi" },
      requests: { cpu: "100m", memory: "128Mi" },
    },
    readinessProbe: {
      httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" },
      periodSeconds: 10,
    },
    volumeMounts: [{
      name: "kube-api-access-abcde",
      readOnly: true,
      mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
    }],
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
    imagePullPolicy: "IfNotPresent",
  }];
  const nodeName = `node-${i % 50}`;
  const condition = (type: string) => ({
    type,
    status: "True",
    lastProbeTime: null,
    lastTransitionTime: "2026-11-20T08:15:00Z",
  });
  const body = {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name,
      generateName: `${app}-7d9f8c6b5-`,
      namespace,
      uid,
      resourceVersion,
      creationTimestamp: "2026-11-20T08:14:51Z",
      labels,
      ownerReferences: [{
        apiVersion: "apps/v1",
        kind: "ReplicaSet",
        name: `${app}-7d9f8c6b5`,
        uid: crypto.randomUUID(),
        controller: true,
        blockOwnerDeletion: true,
      }],
    },
    spec: {
      volumes: [{
        name: "kube-api-access-abcde",
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
            { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
          ],
          defaultMode: 420,
        },
      }],
      containers,
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      nodeName,
      securityContext: {},
      schedulerName: "default-scheduler",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      phase: "Running",
      conditions: [
        "PodReadyToStartContainers",
        "Initialized",
        "Ready",
        "ContainersReady",
        "PodScheduled",
      ]
        .map(condition),
      hostIP: `10.0.${i % 50}.1`,
      podIP: `10.244.${i % 250}.${i % 200}`,
      startTime: "2026-11-20T08:14:51Z",
      containerStatuses: [{
        name: app,
        state: { running: { startedAt: "2026-11-20T08:14:58Z" } },
        ready: true,
        restartCount: 0,
        image: containers[0].image,
        imageID: `registry.example.com/${app}@sha256:${"0123456789abcdef".repeat(4)}`,
        containerID: `containerd://${"fedcba9876543210".repeat(4)}`,
        started: true,
      }],
      qosClass: "Burstable",
    },
  };
  return {
    meta: { name, namespace, resourceVersion, uid, labels },
    fields: { "spec.nodeName": nodeName, "status.phase": "Running", "metadata.name": name },
    typeMeta: { apiVersion: "v1", kind: "Pod" },
    bytes: encoder.encode(JSON.stringify(body)),
  };
}

function listOf(pods: RawObject[], resourceVersion: string): ListPart[] {
  return [
    { type: "meta", meta: { apiVersion: "v1", kind: "PodList", resourceVersion, continue: "" } },
    ...pods.map((object) => ({ type: "item" as const, object })),
  ];
}

const WATCH_EVENTS = 20_000;

/** MODIFIED events over `pods` (every tenth a DELETED), with versions from `firstVersion`. */
function watchEvents(pods: RawObject[], firstVersion: number): WatchEvent[] {
  return Array.from({ length: WATCH_EVENTS }, (_, i) => {
    const object = appPod(i % pods.length, `${firstVersion + i}`);
    return { type: i % 10 === 9 ? "DELETED" : "MODIFIED", object };
  });
}

async function fileBytes(path: string): Promise<number> {
  let total = 0;
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      total += (await Deno.stat(path + suffix)).size;
    } catch {
      // No such file (WAL checkpointed away).
    }
  }
  return total;
}

const query = podsQuery("kube-proxy");

const count = option("--pods", 5000);
const rounds = option("--rounds", 3);
const first = Array.from({ length: count }, (_, i) => appPod(i, `${1000 + i}`));
const second = Array.from({ length: count }, (_, i) => appPod(i, `${9000 + i}`));
const payload = first.reduce((sum, pod) => sum + pod.bytes.byteLength, 0);
const sizes = first.map((pod) => pod.bytes.byteLength).sort((a, b) => a - b);
console.log(
  `${count} pods: ${(payload / 1024 / 1024).toFixed(1)} MiB of JSON, ` +
    `${sizes[0]}–${sizes.at(-1)} B each (median ${sizes[count >> 1]} B)`,
);

for (let round = 1; round <= rounds; round++) {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-bench-" });
  const path = `${dir}/cache.kv`;
  let commits = 0;
  let store = await CacheStore.open(path, { onCommit: () => commits++ });
  let start = performance.now();
  await ReadableStream.from(listOf(first, "20000"))
    .pipeTo(store.listSink(query, "application/json", { continueToken: "" }));
  const firstMs = performance.now() - start;
  const firstCommits = commits;
  await store.close();
  const oneSnapshot = await fileBytes(path);

  store = await CacheStore.open(path);
  start = performance.now();
  await ReadableStream.from(listOf(second, "30000"))
    .pipeTo(store.listSink(query, "application/json", { continueToken: "" }));
  const replaceMs = performance.now() - start;
  await store.flush();
  const replaceWithGcMs = performance.now() - start;
  const [record] = await store.queries(query.component, query);
  start = performance.now();
  let read = 0;
  for await (const _ of store.listObjects(record)) read++;
  const readMs = performance.now() - start;
  await store.close();
  const afterReplace = await fileBytes(path);

  commits = 0;
  store = await CacheStore.open(path, { onCommit: () => commits++ });
  const events = watchEvents(second, 40000);
  start = performance.now();
  await ReadableStream.from(events).pipeTo(store.watchSink(query, "application/json"));
  const watchMs = performance.now() - start;
  await store.close();
  await Deno.remove(dir, { recursive: true });
  const perObject = (bytes: number) =>
    `${(bytes / 1024 / 1024).toFixed(1)} MiB = ${(bytes / count).toFixed(0)} B/object ` +
    `(${(bytes / payload).toFixed(2)}× the JSON)`;
  console.log(
    `round ${round}: first LIST durable in ${firstMs.toFixed(0)} ms ` +
      `(${(count / firstMs * 1000).toFixed(0)} objects/s, ${firstCommits} commits); ` +
      `replace ${replaceMs.toFixed(0)} ms (old generation deleted after ${
        replaceWithGcMs.toFixed(0)
      } ms); ` +
      `read back ${read} in ${readMs.toFixed(0)} ms\n` +
      `  KV file after the first LIST: ${perObject(oneSnapshot)}; ` +
      `after a replace (free pages kept, the file never shrinks): ${perObject(afterReplace)}\n` +
      `  ${WATCH_EVENTS} watch events (90% MODIFIED, 10% DELETED) durable in ${
        watchMs.toFixed(0)
      } ms ` +
      `(${(WATCH_EVENTS / watchMs * 1000).toFixed(0)} events/s, ${commits} commits)`,
  );
}
