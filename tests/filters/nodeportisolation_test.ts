import assert from "node:assert/strict";
import { nodePortIsolationFilter, poolEnabled } from "../../src/filters/nodeportisolation.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { readObjectMeta } from "../../src/kube/protobuf/object_meta.ts";
import { filterGet, filterList, filterWatch, fixedCluster, service, TYPES } from "./objects.ts";

const LISTEN = "nodeport.openyurt.io/listen";
const twins = [
  service("shop", "here", "NodePort", { [LISTEN]: "pool-1" }),
  service("shop", "everywhere-but", "NodePort", { [LISTEN]: "-pool-1,*" }),
  service("shop", "star", "LoadBalancer", { [LISTEN]: "*" }),
  service("shop", "elsewhere", "NodePort", { [LISTEN]: "pool-2" }),
  service("shop", "cluster-ip", "ClusterIP", { [LISTEN]: "pool-2" }),
  service("shop", "unannotated", "NodePort"),
];
const LIST = { path: "/api/v1/services", component: "kube-proxy" };

function filterIn(pool: string | undefined) {
  return responseFilter([{
    filter: nodePortIsolationFilter(fixedCluster({ pool })),
    components: new Set(["kube-proxy"]),
  }]);
}

Deno.test("nodeportisolation: the listen annotation's grammar", () => {
  assert.equal(poolEnabled("pool-1", "pool-1"), true);
  assert.equal(poolEnabled("-pool-1,*", "pool-1"), false);
  assert.equal(poolEnabled("*", "pool-1"), true);
  assert.equal(poolEnabled("pool-2", "pool-1"), false);
  assert.equal(poolEnabled(" pool-1 , -pool-1", "pool-1"), true);
  assert.equal(poolEnabled("", "pool-1"), false);
});

Deno.test("nodeportisolation: lists keep the Services this node's pool listens for", async () => {
  const out = await filterList(filterIn("pool-1"), LIST, TYPES.services, twins);
  const expected = ["here", "star", "cluster-ip", "unannotated"];
  assert.deepEqual(out.json.map((s) => s.metadata.name), expected);
  assert.deepEqual(out.pb.map((item) => readObjectMeta(item).name), expected);
});

Deno.test("nodeportisolation: a node in no pool, or whose pool is unknown, keeps every Service", async () => {
  for (const pool of ["", undefined]) {
    const out = await filterList(filterIn(pool), LIST, TYPES.services, twins);
    assert.deepEqual(out.pb, twins.map((t) => t.pb));
    assert.deepEqual(out.json, twins.map((t) => t.json));
  }
});

Deno.test("nodeportisolation: watches turn a Service of another pool into DELETED", async () => {
  const [here, , , elsewhere] = twins;
  const out = await filterWatch(
    filterIn("pool-1"),
    { ...LIST, path: `${LIST.path}?watch=1` },
    TYPES.services,
    [["ADDED", here], ["MODIFIED", elsewhere]],
  );
  assert.deepEqual(out.json, [["ADDED", here.json], ["DELETED", elsewhere.json]]);
  assert.deepEqual(out.pb, [["ADDED", here.pb], ["DELETED", elsewhere.pb]]);
});

Deno.test("nodeportisolation: a GET is not filtered (list and watch only, as YurtHub)", async () => {
  const path = "/api/v1/namespaces/shop/services/elsewhere";
  const out = await filterGet(
    filterIn("pool-1"),
    { path, component: "kube-proxy" },
    TYPES.services,
    twins[3],
  );
  assert.equal(out.applied, false);
});
