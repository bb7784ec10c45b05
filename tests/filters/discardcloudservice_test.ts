import assert from "node:assert/strict";
import { discardCloudServiceFilter } from "../../src/filters/discardcloudservice.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { readObjectMeta } from "../../src/kube/protobuf/object_meta.ts";
import {
  JSON_TYPE,
  jsonList,
  jsonObject,
  jsonWatch,
  jsonWatchEvents,
  parse,
  PB_TYPE,
  PB_WATCH_TYPE,
  pbList,
  pbListItems,
  pbObject,
  pbWatch,
  pbWatchEvents,
  run,
  service,
  TYPES,
} from "./objects.ts";

const filter = responseFilter([{
  filter: discardCloudServiceFilter(),
  components: new Set(["kube-proxy"]),
}]);
const DISCARD = { "svc.openyurt.io/discard": "true" };
const cloudLb = service("shop", "cloud-lb", "LoadBalancer", DISCARD);
const edgeLb = service("shop", "edge-lb", "LoadBalancer", { "svc.openyurt.io/discard": "false" });
const annotatedClusterIp = service("shop", "cluster-ip", "ClusterIP", DISCARD);
const tunnel = service("kube-system", "x-tunnel-server-internal-svc");
const LIST = "/api/v1/services";
const WATCH = "/api/v1/services?watch=true";
const names = (items: { metadata: { name: string } }[]) => items.map((i) => i.metadata.name);

Deno.test("discardcloudservice: lists drop cloud-only LoadBalancers and the tunnel Service", async () => {
  const twins = [cloudLb, edgeLb, annotatedClusterIp, tunnel];
  const json = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: JSON_TYPE },
    jsonList(TYPES.services, twins.map((t) => t.json)),
  );
  const list = parse(json.body);
  // deno-lint-ignore no-explicit-any
  assert.deepEqual(names(list.items as any), ["edge-lb", "cluster-ip"]);
  assert.deepEqual(list.metadata, { resourceVersion: "4711", remainingItemCount: 0 });

  const pb = await run(
    filter,
    { path: LIST, component: "kube-proxy", contentType: PB_TYPE },
    pbList(TYPES.services, twins.map((t) => t.pb)),
  );
  const items = pbListItems(pb.body);
  assert.deepEqual(items, [edgeLb.pb, annotatedClusterIp.pb]);
});

Deno.test("discardcloudservice: a watch turns a dropped object into DELETED with the original", async () => {
  const json = await run(
    filter,
    { path: WATCH, component: "kube-proxy", contentType: JSON_TYPE },
    jsonWatch([["ADDED", cloudLb.json], ["MODIFIED", edgeLb.json], ["MODIFIED", tunnel.json]]),
  );
  const events = jsonWatchEvents(json.body);
  assert.deepEqual(events, [
    ["DELETED", cloudLb.json],
    ["MODIFIED", edgeLb.json],
    ["DELETED", tunnel.json],
  ]);

  const pb = await run(
    filter,
    { path: WATCH, component: "kube-proxy", contentType: PB_WATCH_TYPE },
    pbWatch(TYPES.services, [["ADDED", cloudLb.pb], ["MODIFIED", edgeLb.pb]]),
  );
  assert.deepEqual(pbWatchEvents(pb.body), [["DELETED", cloudLb.pb], ["MODIFIED", edgeLb.pb]]);
});

Deno.test("discardcloudservice: a GET names the object and is not filtered (as YurtHub)", async () => {
  const path = "/api/v1/namespaces/shop/services/cloud-lb";
  const json = await run(
    filter,
    { path, component: "kube-proxy", contentType: JSON_TYPE },
    jsonObject(cloudLb.json),
  );
  assert.equal(json.applied, false);
  const pb = await run(
    filter,
    { path, component: "kube-proxy", contentType: PB_TYPE },
    pbObject(TYPES.services, cloudLb.pb),
  );
  assert.equal(pb.applied, false);
  assert.equal(readObjectMeta(cloudLb.pb).name, "cloud-lb");
});
