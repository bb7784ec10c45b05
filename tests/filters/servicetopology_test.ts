import assert from "node:assert/strict";
import { responseFilter } from "../../src/filters/response.ts";
import { serviceTopologyFilter } from "../../src/filters/servicetopology.ts";
import { readStringField } from "../../src/kube/protobuf/repeated.ts";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import {
  endpointSlice,
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
  TYPES,
} from "./objects.ts";
import type { ClusterView } from "../../src/filters/cluster.ts";

const TOPOLOGY = "openyurt.io/topologyKeys";
const services = {
  "shop/by-node": { [TOPOLOGY]: "kubernetes.io/hostname" },
  "shop/by-pool": { [TOPOLOGY]: "openyurt.io/nodepool" },
  "shop/by-zone": { [TOPOLOGY]: "kubernetes.io/zone" },
  "shop/plain": {},
};
const NODES = ["node-a", "node-b", "node-c", undefined];
const slice = (service: string) => endpointSlice("shop", `${service}-x1`, service, NODES);
const LIST = "/apis/discovery.k8s.io/v1/endpointslices";

function filterOver(cluster: ClusterView) {
  return responseFilter([{
    filter: serviceTopologyFilter(cluster),
    components: new Set(["kube-proxy"]),
  }]);
}

/** The node names of a protobuf slice's endpoints. */
function pbNodes(message: Uint8Array): (string | undefined)[] {
  const nodes: (string | undefined)[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === 2) nodes.push(readStringField(reader.bytes(), 6));
    else reader.skip(wireType, no);
  }
  return nodes;
}

// deno-lint-ignore no-explicit-any
const jsonNodes = (object: any) => object.endpoints.map((e: any) => e.nodeName);

const inPool = fixedCluster({ pool: "pool-1", poolNodes: ["node-a", "node-b"], services });

Deno.test("servicetopology: lists keep the endpoints the Service's topology allows", async () => {
  const names = ["by-node", "by-pool", "by-zone", "plain", "unknown"];
  const filter = filterOver(inPool);
  const json = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: JSON_TYPE },
    jsonList(TYPES.endpointslices, names.map((name) => slice(name).json)),
  );
  // deno-lint-ignore no-explicit-any
  const items = parse(json.body).items as any[];
  const pb = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: PB_TYPE },
    pbList(TYPES.endpointslices, names.map((name) => slice(name).pb)),
  );
  const pbItems = pbListItems(pb.body);
  const expected = [["node-a"], ["node-a", "node-b"], ["node-a", "node-b"], NODES, NODES];
  assert.deepEqual(items.map(jsonNodes), expected);
  assert.deepEqual(pbItems.map(pbNodes), expected);
  assert.deepEqual(pbItems[3], slice("plain").pb);
  assert.deepEqual(items[4], slice("unknown").json);
});

Deno.test("servicetopology: a node in no pool falls back to its own endpoints; unknown pool leaves slices", async () => {
  const noPool = filterOver(fixedCluster({ pool: "", services }));
  const json = await run(
    noPool,
    { path: LIST, component: "kube-proxy", contentType: JSON_TYPE },
    jsonList(TYPES.endpointslices, [slice("by-pool").json]),
  );
  // deno-lint-ignore no-explicit-any
  assert.deepEqual((parse(json.body).items as any[]).map(jsonNodes), [["node-a"]]);
  const unknown = filterOver(fixedCluster({ pool: undefined, services }));
  const pb = await run(
    unknown,
    { path: LIST, component: "kube-proxy", contentType: PB_TYPE },
    pbList(TYPES.endpointslices, [slice("by-pool").pb]),
  );
  assert.deepEqual(pbListItems(pb.body), [slice("by-pool").pb]);
});

Deno.test("servicetopology: watches filter each event's endpoints; an emptied slice is kept", async () => {
  const filter = filterOver(fixedCluster({ nodeName: "node-z", services }));
  const json = await run(
    filter,
    { path: `${LIST}?watch=true`, component: "kube-proxy", contentType: JSON_TYPE },
    jsonWatch([["ADDED", slice("by-node").json], ["MODIFIED", slice("plain").json]]),
  );
  const events = jsonWatchEvents(json.body);
  assert.deepEqual(events.map(([type, object]) => [type, jsonNodes(object)]), [
    ["ADDED", []],
    ["MODIFIED", NODES],
  ]);
  const pb = await run(
    filterOver(inPool),
    { path: `${LIST}?watch=true`, component: "kube-proxy", contentType: PB_WATCH_TYPE },
    pbWatch(TYPES.endpointslices, [["ADDED", slice("by-pool").pb], [
      "BOOKMARK",
      slice("by-node").pb,
    ]]),
  );
  const frames = pbWatchEvents(pb.body);
  assert.deepEqual(frames.map(([type, object]) => [type, pbNodes(object)]), [
    ["ADDED", ["node-a", "node-b"]],
    ["BOOKMARK", NODES],
  ]);
});

Deno.test("servicetopology: a GET is not filtered (list and watch only, as YurtHub)", async () => {
  const out = await run(
    filterOver(inPool),
    {
      path: "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/by-node-x1",
      component: "kube-proxy",
      contentType: JSON_TYPE,
    },
    new TextEncoder().encode(JSON.stringify(slice("by-node").json)),
  );
  assert.equal(out.applied, false);
});
