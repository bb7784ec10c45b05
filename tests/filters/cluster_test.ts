import assert from "node:assert/strict";
import { clusterView, type JsonGet } from "../../src/filters/cluster.ts";
import type { JsonObject } from "../../src/filters/filter.ts";

/** A getter over fixed documents, recording each path asked for and asking for metadata. */
function documents(docs: Record<string, JsonObject>) {
  const asked: string[] = [];
  const get: JsonGet = (path, accept) => {
    asked.push(path);
    assert.match(
      accept,
      /^application\/json;as=PartialObjectMetadata(List)?;.*,application\/json$/,
    );
    return Promise.resolve(docs[path]);
  };
  return { get, asked };
}

const NODE = "/api/v1/nodes/edge-1";
const POOL_NODES = "/api/v1/nodes?labelSelector=apps.openyurt.io%2Fnodepool%3Dpool-a";
const SERVICES = "/api/v1/services";
const TOPOLOGY = "openyurt.io/topologyKeys";

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

Deno.test("cluster view: no label is no pool; an unreadable Node or Service is unknown", async () => {
  const unlabelled = clusterView({
    nodeName: "edge-1",
    get: documents({ [NODE]: { metadata: {} } }).get,
  });
  assert.equal(await unlabelled.nodePool(), "");
  const failing = clusterView({ nodeName: "edge-1", get: () => Promise.reject(new Error("down")) });
  assert.equal(await failing.nodePool(), undefined);
  assert.equal(await failing.serviceAnnotation("a", "b", TOPOLOGY), undefined);
  assert.equal(await failing.poolNodes("pool-a"), undefined);
});

Deno.test("cluster view: a pool's nodes", async () => {
  const view = clusterView({
    nodeName: "edge-1",
    get: documents({
      [POOL_NODES]: { items: [{ metadata: { name: "edge-1" } }, { metadata: { name: "edge-2" } }] },
    }).get,
  });
  assert.deepEqual(await view.poolNodes("pool-a"), new Set(["edge-1", "edge-2"]));
});

Deno.test("cluster view: Service annotations come from one list; a newer Service on its own", async () => {
  const { get, asked } = documents({
    [SERVICES]: {
      items: [
        {
          metadata: {
            namespace: "shop",
            name: "web",
            annotations: { [TOPOLOGY]: "openyurt.io/nodepool" },
          },
        },
        { metadata: { namespace: "shop", name: "db" } },
      ],
    },
    "/api/v1/namespaces/shop/services/new": {
      metadata: { annotations: { [TOPOLOGY]: "kubernetes.io/hostname" } },
    },
  });
  const view = clusterView({ nodeName: "edge-1", get });
  assert.equal(await view.serviceAnnotation("shop", "web", TOPOLOGY), "openyurt.io/nodepool");
  assert.equal(await view.serviceAnnotation("shop", "db", TOPOLOGY), null);
  assert.deepEqual(asked, [SERVICES]);
  assert.equal(await view.serviceAnnotation("shop", "new", TOPOLOGY), "kubernetes.io/hostname");
  assert.equal(await view.serviceAnnotation("shop", "gone", TOPOLOGY), undefined);
  assert.equal(await view.serviceAnnotation("shop", "new", TOPOLOGY), "kubernetes.io/hostname");
  assert.deepEqual(asked, [
    SERVICES,
    "/api/v1/namespaces/shop/services/new",
    "/api/v1/namespaces/shop/services/gone",
  ]);
});

Deno.test("cluster view: remembers at most maxEntries facts", async () => {
  const { get, asked } = documents({});
  const view = clusterView({ nodeName: "edge-1", get, maxEntries: 2 });
  for (const pool of ["a", "b", "c", "a"]) await view.poolNodes(pool);
  assert.equal(asked.length, 4); // "a" was forgotten when "c" came
  await view.poolNodes("c");
  assert.equal(asked.length, 4);
});
