/**
 * End to end through a real proxy listener in front of the apiserver simulator: clients fill the
 * cache online, the link goes down and the pool is marked unhealthy, and the same clients keep
 * working from the cache; queued events reach the simulator once it is back.
 * @module
 */
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { EventQueue } from "../../../src/node/event_queue.ts";
import { isServable } from "../../../src/cache/query.ts";
import { CacheStore } from "../../../src/cache/store.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { storeCacheBranch } from "../../../src/proxy/remote/cache_branch.ts";
import { createProxyHandler } from "../../../src/proxy/handler.ts";
import { createLocalAnswer } from "../../../src/proxy/local/mod.ts";
import { UpstreamPool } from "../../../src/upstream/pool.ts";
import { fixedIdentity, LOOPBACK_CLIENTS } from "../identity_fixture.ts";
import { readEvents } from "./harness.ts";

const KUBELET = "kubelet/v1.36.0 (linux/amd64) kubernetes/abc";

async function startStack() {
  const sim = await startSimulator({ scale: { pods: 40, nodes: 3 } });
  const store = await CacheStore.open(":memory:");
  const events = new EventQueue(store.kv);
  const pool = new UpstreamPool([new URL(sim.url)], "round-robin");
  const client = Deno.createHttpClient({});
  const logger = createLogger({ level: "error", format: "json" }, () => {});
  const handler = createProxyHandler({
    pool,
    identity: fixedIdentity(client),
    anonymous: LOOPBACK_CLIENTS,
    suspect: () => {},
    cacheAgents: "*",
    filters: [],
    maxCacheLagBytes: 8 << 20,
    headerTimeoutMs: 5000,
    cache: storeCacheBranch(store, logger, () => {}),
    local: createLocalAnswer({ store, events, pool, bookmarkIntervalMs: 100 }),
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (request, info) => (await handler(request, info.remoteAddr)).response,
  );
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    sim,
    store,
    events,
    url,
    /** The link to the cloud goes down and health checks notice. */
    async offline() {
      await sim.faults.linkDown();
      pool.setHealth(pool.servers[0], false);
    },
    async online() {
      await sim.faults.linkUp();
      pool.setHealth(pool.servers[0], true);
    },
    /** Waits until the cache holds a servable listing of `resource` for `component`. */
    async listed(component: string, resource: string) {
      for (let i = 0; i < 200; i++) {
        const records = await store.queries(component);
        if (records.some((r) => r.resource === resource && isServable(r))) return;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`${resource} never got listed for ${component}`);
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      client.close();
      await store.close();
      await sim.close();
    },
  };
}

function kubeconfig(server: string): k8s.KubeConfig {
  const config = new k8s.KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: "holdfast", server, skipTLSVerify: true }],
    users: [{ name: "none" }],
    contexts: [{ name: "holdfast", cluster: "holdfast", user: "none" }],
    currentContext: "holdfast",
  });
  return config;
}

function podInformer(config: k8s.KubeConfig, selector: string) {
  const api = config.makeApiClient(k8s.CoreV1Api);
  return new k8s.ListWatch<k8s.V1Pod>(
    "/api/v1/pods",
    new k8s.Watch(config),
    () => api.listPodForAllNamespaces({ fieldSelector: selector }),
    false,
    undefined,
    selector,
  );
}

Deno.test("offline e2e: a client-node informer (pods by spec.nodeName) syncs from the cache", async () => {
  await using stack = await startStack();
  const config = kubeconfig(stack.url);
  const selector = "spec.nodeName=node-1";
  const expected = stack.sim.objects.list("pods")
    .filter((p) => (p.spec as { nodeName?: string }).nodeName === "node-1").length;

  const online = podInformer(config, selector);
  await online.start();
  assert.equal(online.list().length, expected);
  await online.stop();
  await stack.listed("kubernetes-client-javascript", "pods");

  await stack.offline();
  const offline = podInformer(config, selector);
  try {
    await offline.start();
    assert.equal(offline.list().length, expected);
    assert.ok(offline.list().every((p) => p.spec?.nodeName === "node-1"));
  } finally {
    await offline.stop();
  }
});

Deno.test("offline e2e: a raw watch-list request completes its initial sync from the cache", async () => {
  await using stack = await startStack();
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-2";
  const headers = { "user-agent": KUBELET };
  const listed = await (await fetch(stack.url + path, { headers })).json();
  await stack.listed("kubelet", "pods");
  await stack.offline();

  const response = await fetch(
    `${stack.url}${path}&watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan` +
      "&allowWatchBookmarks=true&timeoutSeconds=300",
    { headers },
  );
  assert.equal(response.status, 200);
  const events = await readEvents(response, listed.items.length + 1);
  assert.deepEqual(
    events.map((e) => e.type),
    [...listed.items.map(() => "ADDED"), "BOOKMARK"],
  );
  const end = events.at(-1)!.object.metadata as { resourceVersion: string; annotations: unknown };
  assert.equal(end.resourceVersion, listed.metadata.resourceVersion);
  assert.deepEqual(end.annotations, { "k8s.io/initial-events-end": "true" });
});

Deno.test("offline e2e: headers of an idle offline watch arrive before any event", async () => {
  await using stack = await startStack();
  const path = "/api/v1/namespaces/kube-system/pods";
  const headers = { "user-agent": KUBELET };
  const rv = (await (await fetch(stack.url + path, { headers })).json()).metadata.resourceVersion;
  await stack.listed("kubelet", "pods");
  await stack.offline();
  // No initial events, no bookmarks: fetch resolving proves the headers were flushed.
  const response = await fetch(`${stack.url}${path}?watch=1&resourceVersion=${rv}`, { headers });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  await response.body?.cancel();
});

Deno.test("offline e2e: a lease update loop and a node status patch through the listener", async () => {
  await using stack = await startStack();
  const headers = { "user-agent": KUBELET, "content-type": "application/json" };
  const leaseUrl =
    `${stack.url}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-0`;
  const lease = await (await fetch(leaseUrl, { headers })).json();
  const node = await fetch(`${stack.url}/api/v1/nodes?fieldSelector=metadata.name%3Dnode-0`, {
    headers,
  });
  await node.body?.cancel();
  await stack.listed("kubelet", "nodes");
  await stack.offline();

  let current = lease;
  for (let i = 0; i < 3; i++) {
    current.spec.renewTime = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
    const response = await fetch(leaseUrl, {
      method: "PUT",
      headers,
      body: JSON.stringify(current),
    });
    assert.equal(response.status, 200);
    const next = await response.json();
    assert.equal(
      BigInt(next.metadata.resourceVersion),
      BigInt(current.metadata.resourceVersion) + 1n,
    );
    current = next;
  }
  const patch = await fetch(`${stack.url}/api/v1/nodes/node-0/status`, {
    method: "PATCH",
    headers: { ...headers, "content-type": "application/strategic-merge-patch+json" },
    body: JSON.stringify({ status: { conditions: [{ type: "Ready", reason: "Offline" }] } }),
  });
  assert.equal(patch.status, 200);
  const conditions = (await patch.json()).status.conditions as { type: string; reason: string }[];
  assert.equal(conditions.find((c) => c.type === "Ready")?.reason, "Offline");
  assert.ok(conditions.length > 1);
});

Deno.test("offline e2e: events created offline are delivered in order on reconnect", async () => {
  await using stack = await startStack();
  await stack.offline();
  const headers = { "user-agent": KUBELET, "content-type": "application/json" };
  for (const name of ["offline-1", "offline-2"]) {
    const response = await fetch(`${stack.url}/api/v1/namespaces/default/events`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        apiVersion: "v1",
        kind: "Event",
        metadata: { name, namespace: "default" },
        involvedObject: { kind: "Node", name: "node-0" },
        reason: "NodeNotReady",
      }),
    });
    assert.equal(response.status, 201);
    await response.body?.cancel();
  }
  await stack.online();
  const report = await stack.events.deliverQueuedEvents(async (event) => {
    const response = await fetch(stack.sim.url + event.path, {
      method: "POST",
      headers: { "content-type": event.contentType, "user-agent": event.userAgent },
      body: event.body as BodyInit,
    });
    await response.body?.cancel();
    return response.status;
  });
  assert.deepEqual(report, { delivered: 2, rejected: 0, remaining: 0 });
  const rvOf = (name: string) => {
    const event = stack.sim.objects.get("events", name, "default");
    return Number((event?.metadata as { resourceVersion: string }).resourceVersion);
  };
  assert.ok(rvOf("offline-1") < rvOf("offline-2"));
});
