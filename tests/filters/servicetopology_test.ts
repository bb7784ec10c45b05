import assert from "node:assert/strict";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import type { ClusterView } from "../../src/filters/cluster.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { serviceTopologyFilter } from "../../src/filters/servicetopology.ts";
import { readStringField } from "../../src/kube/protobuf/repeated.ts";
import {
  endpointSlice,
  filterGet,
  filterList,
  filterWatch,
  fixedCluster,
  TYPES,
} from "./objects.ts";

const TOPOLOGY = "openyurt.io/topologyKeys";
const services = {
  "shop/by-node": { [TOPOLOGY]: "kubernetes.io/hostname" },
  "shop/by-pool": { [TOPOLOGY]: "openyurt.io/nodepool" },
  "shop/by-zone": { [TOPOLOGY]: "kubernetes.io/zone" },
  "shop/plain": {},
};
const NODES = ["node-a", "node-b", "node-c", undefined];
const slice = (service: string) => endpointSlice("shop", `${service}-x1`, service, NODES);
const LIST = { path: "/apis/discovery.k8s.io/v1/endpointslices", component: "kube-proxy" };
const WATCH = { ...LIST, path: `${LIST.path}?watch=true` };
const inPool = fixedCluster({ pool: "pool-1", poolNodes: ["node-a", "node-b"], services });

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

Deno.test("servicetopology: lists keep the endpoints the Service's topology allows", async () => {
  const names = ["by-node", "by-pool", "by-zone", "plain", "unknown"];
  const out = await filterList(filterOver(inPool), LIST, TYPES.endpointslices, names.map(slice));
  const expected = [["node-a"], ["node-a", "node-b"], ["node-a", "node-b"], NODES, NODES];
  assert.deepEqual(out.json.map(jsonNodes), expected);
  assert.deepEqual(out.pb.map(pbNodes), expected);
  assert.deepEqual([out.json[3], out.pb[3]], [slice("plain").json, slice("plain").pb]);
});

Deno.test("servicetopology: a node in no pool keeps its own endpoints; an unknown pool, all", async () => {
  const noPool = await filterList(
    filterOver(fixedCluster({ pool: "", services })),
    LIST,
    TYPES.endpointslices,
    [slice("by-pool")],
  );
  assert.deepEqual([noPool.json.map(jsonNodes), noPool.pb.map(pbNodes)], [[["node-a"]], [[
    "node-a",
  ]]]);
  const unknown = await filterList(
    filterOver(fixedCluster({ pool: undefined, services })),
    LIST,
    TYPES.endpointslices,
    [slice("by-pool")],
  );
  assert.deepEqual(unknown.pb, [slice("by-pool").pb]);
});

Deno.test("servicetopology: watches filter each event's endpoints; an emptied slice is kept", async () => {
  const out = await filterWatch(
    filterOver(fixedCluster({ nodeName: "node-z", services })),
    WATCH,
    TYPES.endpointslices,
    [["ADDED", slice("by-node")], ["MODIFIED", slice("plain")], ["BOOKMARK", slice("by-node")]],
  );
  const expected = [["ADDED", []], ["MODIFIED", NODES], ["BOOKMARK", NODES]];
  assert.deepEqual(out.json.map(([type, object]) => [type, jsonNodes(object)]), expected);
  assert.deepEqual(out.pb.map(([type, object]) => [type, pbNodes(object)]), expected);
});

Deno.test("servicetopology: a GET is not filtered (list and watch only, as YurtHub)", async () => {
  const path = "/apis/discovery.k8s.io/v1/namespaces/shop/endpointslices/by-node-x1";
  const out = await filterGet(
    filterOver(inPool),
    { path, component: "kube-proxy" },
    TYPES.endpointslices,
    slice("by-node"),
  );
  assert.equal(out.applied, false);
});
