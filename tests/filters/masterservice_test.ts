import assert from "node:assert/strict";
import { masterServiceFilter } from "../../src/filters/masterservice.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { readStringField, readStringFields } from "../../src/kube/protobuf/repeated.ts";
import { findVarint } from "../../src/kube/protobuf/message.ts";
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
import { decodeEnvelope } from "../../src/kube/protobuf/envelope.ts";

const filter = responseFilter([{
  filter: masterServiceFilter({ host: "169.254.2.1", port: 10268 }),
  components: new Set(["kubelet"]),
}]);
const kubernetes = service("default", "kubernetes");
const other = service("kube-system", "kubernetes");
const LIST = "/api/v1/services";
const WATCH = "/api/v1/services?watch=true";
const GET = "/api/v1/namespaces/default/services/kubernetes";
const decoder = new TextDecoder();

/** clusterIP, clusterIPs and the https port of a protobuf Service. */
function pbAddress(message: Uint8Array) {
  const spec = findBytes(message, 2)!;
  const port = findBytes(spec, 1)!;
  return {
    clusterIP: readStringField(spec, 3),
    clusterIPs: readStringFields(spec, 18),
    name: readStringField(port, 1),
    port: Number(findVarint(port, 3)),
  };
}

// deno-lint-ignore no-explicit-any
function jsonAddress(object: any) {
  const { clusterIP, clusterIPs, ports } = object.spec;
  return { clusterIP, clusterIPs, name: ports[0].name, port: ports[0].port };
}

const POINTED = {
  clusterIP: "169.254.2.1",
  clusterIPs: ["169.254.2.1"],
  name: "https",
  port: 10268,
};

Deno.test("masterservice: JSON list — default/kubernetes points at holdfast, others pass byte for byte", async () => {
  const body = jsonList(TYPES.services, [kubernetes.json, other.json]);
  const out = await run(filter, { path: LIST, component: "kubelet", contentType: JSON_TYPE }, body);
  assert.ok(out.applied);
  const list = parse(out.body);
  // deno-lint-ignore no-explicit-any
  const items = list.items as any[];
  assert.deepEqual(jsonAddress(items[0]), POINTED);
  assert.deepEqual(items[1], other.json);
  assert.ok(decoder.decode(out.body).includes(JSON.stringify(other.json)));
  assert.deepEqual(list.metadata, { resourceVersion: "4711", remainingItemCount: 0 });
});

Deno.test("masterservice: protobuf list — rewritten in the wire bytes, others untouched", async () => {
  const body = pbList(TYPES.services, [kubernetes.pb, other.pb]);
  const out = await run(filter, { path: LIST, component: "kubelet", contentType: PB_TYPE }, body);
  const items = pbListItems(out.body);
  assert.deepEqual(pbAddress(items[0]), POINTED);
  assert.deepEqual(items[1], other.pb);
  assert.equal(pbAddress(kubernetes.pb).clusterIP, "clusterIPValue");
});

Deno.test("masterservice: JSON and protobuf watch — ADDED rewritten, BOOKMARK untouched", async () => {
  const json = await run(
    filter,
    { path: WATCH, component: "kubelet", contentType: JSON_TYPE },
    jsonWatch([["ADDED", kubernetes.json], ["MODIFIED", other.json], [
      "BOOKMARK",
      kubernetes.json,
    ]]),
  );
  const events = jsonWatchEvents(json.body);
  assert.deepEqual(events.map(([type]) => type), ["ADDED", "MODIFIED", "BOOKMARK"]);
  assert.deepEqual(jsonAddress(events[0][1]), POINTED);
  assert.deepEqual(events[1][1], other.json);
  assert.deepEqual(events[2][1], kubernetes.json);

  const pb = await run(
    filter,
    { path: WATCH, component: "kubelet", contentType: PB_WATCH_TYPE },
    pbWatch(TYPES.services, [["ADDED", kubernetes.pb], ["MODIFIED", other.pb], [
      "BOOKMARK",
      kubernetes.pb,
    ]]),
  );
  const frames = pbWatchEvents(pb.body);
  assert.deepEqual(frames.map(([type]) => type), ["ADDED", "MODIFIED", "BOOKMARK"]);
  assert.deepEqual(pbAddress(frames[0][1]), POINTED);
  assert.deepEqual(frames[1][1], other.pb);
  assert.deepEqual(frames[2][1], kubernetes.pb);
});

Deno.test("masterservice: GET in both encodings", async () => {
  const json = await run(
    filter,
    { path: GET, component: "kubelet", contentType: JSON_TYPE },
    jsonObject(kubernetes.json),
  );
  assert.deepEqual(jsonAddress(parse(json.body)), POINTED);
  const pb = await run(
    filter,
    { path: GET, component: "kubelet", contentType: PB_TYPE },
    pbObject(TYPES.services, kubernetes.pb),
  );
  assert.deepEqual(pbAddress(decodeEnvelope(pb.body).raw), POINTED);
});

Deno.test("masterservice: other components and holdfast itself are not filtered", async () => {
  const body = jsonList(TYPES.services, [kubernetes.json]);
  for (const component of ["kube-proxy", "holdfast", ""]) {
    const out = await run(filter, { path: LIST, component, contentType: JSON_TYPE }, body);
    assert.equal(out.applied, false, component);
  }
});
