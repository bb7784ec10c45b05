import assert from "node:assert/strict";
import { clusterView, type JsonGet } from "../../src/filters/cluster.ts";
import type { JsonObject } from "../../src/filters/filter.ts";

/** A getter over fixed documents, recording each path asked for. */
function documents(docs: Record<string, JsonObject>) {
  const asked: string[] = [];
  const get: JsonGet = (path) => {
    asked.push(path);
    return Promise.resolve(docs[path]);
  };
  return { get, asked };
}

const NODE = "/api/v1/nodes/edge-1";
const POOL_NODES = "/api/v1/nodes?labelSelector=apps.openyurt.io%2Fnodepool%3Dpool-a";

Deno.test("cluster view: the configured pool wins and nothing is fetched", async () => {
  const { get, asked } = documents({});
  const view = clusterView({ nodeName: "edge-1", nodePool: "pool-z", get });
  assert.equal(await view.nodePool(), "pool-z");
  assert.deepEqual(asked, []);
});

Deno.test("cluster view: the pool comes from the Node's label, remembered for the TTL", async () => {
  let now = 0;
  const { get, asked } = documents({
    [NODE]: { metadata: { labels: { "apps.openyurt.io/nodepool": "pool-a" } } },
  });
  const view = clusterView({ nodeName: "edge-1", get, ttlMs: 1000, now: () => now });
  assert.equal(await view.nodePool(), "pool-a");
  assert.equal(await view.nodePool(), "pool-a");
  assert.equal(asked.length, 1);
  now = 1000;
  assert.equal(await view.nodePool(), "pool-a");
  assert.equal(asked.length, 2);
});

Deno.test("cluster view: no label is no pool; an unreadable Node is unknown", async () => {
  const unlabelled = clusterView({
    nodeName: "edge-1",
    get: documents({ [NODE]: { metadata: {} } }).get,
  });
  assert.equal(await unlabelled.nodePool(), "");
  const failing = clusterView({ nodeName: "edge-1", get: () => Promise.reject(new Error("down")) });
  assert.equal(await failing.nodePool(), undefined);
  assert.equal(await failing.serviceAnnotations("a", "b"), undefined);
  assert.equal(await failing.poolNodes("pool-a"), undefined);
});

Deno.test("cluster view: a pool's nodes and a Service's annotations", async () => {
  const { get, asked } = documents({
    [POOL_NODES]: { items: [{ metadata: { name: "edge-1" } }, { metadata: { name: "edge-2" } }] },
    "/api/v1/namespaces/shop/services/web": {
      metadata: { annotations: { "openyurt.io/topologyKeys": "openyurt.io/nodepool" } },
    },
  });
  const view = clusterView({ nodeName: "edge-1", get });
  assert.deepEqual(await view.poolNodes("pool-a"), new Set(["edge-1", "edge-2"]));
  assert.deepEqual(await view.serviceAnnotations("shop", "web"), {
    "openyurt.io/topologyKeys": "openyurt.io/nodepool",
  });
  assert.equal(await view.serviceAnnotations("shop", "gone"), undefined);
  assert.deepEqual(asked, [
    POOL_NODES,
    "/api/v1/namespaces/shop/services/web",
    "/api/v1/namespaces/shop/services/gone",
  ]);
});

Deno.test("cluster view: remembers at most maxEntries facts", async () => {
  const { get, asked } = documents({});
  const view = clusterView({ nodeName: "edge-1", get, maxEntries: 2 });
  for (const name of ["a", "b", "c", "a"]) await view.serviceAnnotations("ns", name);
  assert.equal(asked.length, 4); // "a" was forgotten when "c" came
  await view.serviceAnnotations("ns", "c");
  assert.equal(asked.length, 4);
});
