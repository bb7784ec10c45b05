import assert from "node:assert/strict";
import { nodePortIsolationFilter, poolEnabled } from "../../src/filters/nodeportisolation.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { readObjectMeta } from "../../src/kube/protobuf/object_meta.ts";
import {
  fixedCluster,
  JSON_TYPE,
  jsonList,
  jsonWatch,
  jsonWatchEvents,
  parse,
  PB_TYPE,
  PB_WATCH_TYPE,
  pbList,
  pbListItems,
  pbWatch,
  pbWatchEvents,
  run,
  service,
  TYPES,
} from "./objects.ts";

const LISTEN = "nodeport.openyurt.io/listen";
const twins = [
  service("shop", "here", "NodePort", { [LISTEN]: "pool-1" }),
  service("shop", "everywhere-but", "NodePort", { [LISTEN]: "-pool-1,*" }),
  service("shop", "star", "LoadBalancer", { [LISTEN]: "*" }),
  service("shop", "elsewhere", "NodePort", { [LISTEN]: "pool-2" }),
  service("shop", "cluster-ip", "ClusterIP", { [LISTEN]: "pool-2" }),
  service("shop", "unannotated", "NodePort"),
];
const LIST = "/api/v1/services";

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
  const filter = filterIn("pool-1");
  const json = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: JSON_TYPE },
    jsonList(TYPES.services, twins.map((t) => t.json)),
  );
  // deno-lint-ignore no-explicit-any
  const names = (parse(json.body).items as any[]).map((s) => s.metadata.name);
  const expected = ["here", "star", "cluster-ip", "unannotated"];
  assert.deepEqual(names, expected);
  const pb = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: PB_TYPE },
    pbList(TYPES.services, twins.map((t) => t.pb)),
  );
  assert.deepEqual(pbListItems(pb.body).map((item) => readObjectMeta(item).name), expected);
});

Deno.test("nodeportisolation: a node in no pool keeps every Service", async () => {
  const json = await run(
    filterIn(""),
    { path: LIST, component: "kube-proxy", contentType: JSON_TYPE },
    jsonList(TYPES.services, twins.map((t) => t.json)),
  );
  assert.equal((parse(json.body).items as unknown[]).length, twins.length);
});

Deno.test("nodeportisolation: watches turn a Service of another pool into DELETED", async () => {
  const [here, , , elsewhere] = twins;
  const json = await run(
    filterIn("pool-1"),
    { path: `${LIST}?watch=1`, component: "kube-proxy", contentType: JSON_TYPE },
    jsonWatch([["ADDED", here.json], ["MODIFIED", elsewhere.json]]),
  );
  assert.deepEqual(jsonWatchEvents(json.body), [["ADDED", here.json], ["DELETED", elsewhere.json]]);
  const pb = await run(
    filterIn("pool-1"),
    { path: `${LIST}?watch=1`, component: "kube-proxy", contentType: PB_WATCH_TYPE },
    pbWatch(TYPES.services, [["ADDED", here.pb], ["MODIFIED", elsewhere.pb]]),
  );
  assert.deepEqual(pbWatchEvents(pb.body), [["ADDED", here.pb], ["DELETED", elsewhere.pb]]);
});

Deno.test("nodeportisolation: a GET is not filtered (list and watch only, as YurtHub)", async () => {
  const out = await run(
    filterIn("pool-1"),
    {
      path: "/api/v1/namespaces/shop/services/elsewhere",
      component: "kube-proxy",
      contentType: PB_TYPE,
    },
    twins[3].pb,
  );
  assert.equal(out.applied, false);
});
