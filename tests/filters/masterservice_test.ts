import assert from "node:assert/strict";
import { masterServiceFilter } from "../../src/filters/masterservice.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { findBytes, findVarint } from "../../src/kube/protobuf/message.ts";
import { readStringField, readStringFields } from "../../src/kube/protobuf/repeated.ts";
import { filterGet, filterList, filterWatch, service, TYPES } from "./objects.ts";

const filter = responseFilter([{
  filter: masterServiceFilter({ host: "169.254.2.1", port: 10268 }),
  components: new Set(["kubelet"]),
}]);
const kubernetes = service("default", "kubernetes");
const other = service("kube-system", "kubernetes");
const LIST = { path: "/api/v1/services", component: "kubelet" };
const WATCH = { path: "/api/v1/services?watch=true", component: "kubelet" };
const POINTED = {
  clusterIP: "169.254.2.1",
  clusterIPs: ["169.254.2.1"],
  name: "https",
  port: 10268,
};

/** clusterIP, clusterIPs and the first port of a protobuf Service. */
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

Deno.test("masterservice: lists point default/kubernetes at holdfast; the rest passes byte for byte", async () => {
  const out = await filterList(filter, LIST, TYPES.services, [kubernetes, other]);
  assert.deepEqual(jsonAddress(out.json[0]), POINTED);
  assert.deepEqual(pbAddress(out.pb[0]), POINTED);
  assert.deepEqual(out.json[1], other.json);
  assert.ok(new TextDecoder().decode(out.jsonBody).includes(JSON.stringify(other.json)));
  assert.deepEqual(out.pb[1], other.pb);
  assert.deepEqual(out.metadata, { resourceVersion: "4711", remainingItemCount: 0 });
  assert.equal(pbAddress(kubernetes.pb).clusterIP, "clusterIPValue");
});

Deno.test("masterservice: watches rewrite ADDED/MODIFIED objects; BOOKMARK passes untouched", async () => {
  const out = await filterWatch(filter, WATCH, TYPES.services, [
    ["ADDED", kubernetes],
    ["MODIFIED", other],
    ["BOOKMARK", kubernetes],
  ]);
  assert.deepEqual(out.json.map(([type]) => type), ["ADDED", "MODIFIED", "BOOKMARK"]);
  assert.deepEqual(out.pb.map(([type]) => type), ["ADDED", "MODIFIED", "BOOKMARK"]);
  assert.deepEqual(jsonAddress(out.json[0][1]), POINTED);
  assert.deepEqual(pbAddress(out.pb[0][1]), POINTED);
  assert.deepEqual([out.json[1][1], out.json[2][1]], [other.json, kubernetes.json]);
  assert.deepEqual([out.pb[1][1], out.pb[2][1]], [other.pb, kubernetes.pb]);
});

Deno.test("masterservice: GET in both encodings", async () => {
  const path = "/api/v1/namespaces/default/services/kubernetes";
  const out = await filterGet(filter, { path, component: "kubelet" }, TYPES.services, kubernetes);
  assert.deepEqual(jsonAddress(out.json), POINTED);
  assert.deepEqual(pbAddress(out.pb), POINTED);
});

Deno.test("masterservice: other components and holdfast itself are not filtered", async () => {
  for (const component of ["kube-proxy", "holdfast", ""]) {
    const out = await filterList(filter, { ...LIST, component }, TYPES.services, [kubernetes]);
    assert.equal(out.applied, false, component);
  }
});
