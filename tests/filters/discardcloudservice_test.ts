import assert from "node:assert/strict";
import { discardCloudServiceFilter } from "../../src/filters/discardcloudservice.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { filterGet, filterList, filterWatch, service, TYPES } from "./objects.ts";

const filter = responseFilter([{
  filter: discardCloudServiceFilter(),
  components: new Set(["kube-proxy"]),
}]);
const DISCARD = { "svc.openyurt.io/discard": "true" };
const cloudLb = service("shop", "cloud-lb", "LoadBalancer", DISCARD);
const edgeLb = service("shop", "edge-lb", "LoadBalancer", { "svc.openyurt.io/discard": "false" });
const annotatedClusterIp = service("shop", "cluster-ip", "ClusterIP", DISCARD);
const tunnel = service("kube-system", "x-tunnel-server-internal-svc");
const LIST = { path: "/api/v1/services", component: "kube-proxy" };
const WATCH = { path: "/api/v1/services?watch=true", component: "kube-proxy" };

Deno.test("discardcloudservice: lists drop cloud-only LoadBalancers and the tunnel Service", async () => {
  const out = await filterList(filter, LIST, TYPES.services, [
    cloudLb,
    edgeLb,
    annotatedClusterIp,
    tunnel,
  ]);
  assert.deepEqual(out.json, [edgeLb.json, annotatedClusterIp.json]);
  assert.deepEqual(out.pb, [edgeLb.pb, annotatedClusterIp.pb]);
  assert.deepEqual(out.metadata, { resourceVersion: "4711", remainingItemCount: 0 });
});

Deno.test("discardcloudservice: a watch turns a dropped object into DELETED with the original", async () => {
  const out = await filterWatch(filter, WATCH, TYPES.services, [
    ["ADDED", cloudLb],
    ["MODIFIED", edgeLb],
    ["MODIFIED", tunnel],
  ]);
  assert.deepEqual(out.json, [
    ["DELETED", cloudLb.json],
    ["MODIFIED", edgeLb.json],
    ["DELETED", tunnel.json],
  ]);
  assert.deepEqual(out.pb, [
    ["DELETED", cloudLb.pb],
    ["MODIFIED", edgeLb.pb],
    ["DELETED", tunnel.pb],
  ]);
});

Deno.test("discardcloudservice: a GET names the object and is not filtered (as YurtHub)", async () => {
  const path = "/api/v1/namespaces/shop/services/cloud-lb";
  const out = await filterGet(filter, { path, component: "kube-proxy" }, TYPES.services, cloudLb);
  assert.equal(out.applied, false);
  assert.deepEqual(out.pb, cloudLb.pb);
});
