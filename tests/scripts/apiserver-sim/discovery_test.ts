import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, request } from "./helpers.ts";

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

Deno.test("discovery: /version claims Kubernetes 1.36", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/version`);
  assert.deepEqual([body.major, body.minor], ["1", "36"]);
});

Deno.test("discovery: /healthz, /livez and /readyz answer ok", async () => {
  await using sim = await startSimulator();
  for (const path of ["/healthz", "/livez", "/readyz"]) {
    const response = await fetch(`${sim.url}${path}`);
    assert.deepEqual([response.status, await response.text()], [200, "ok"]);
  }
});

Deno.test("discovery: /api lists v1 and advertises the simulator's address", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/api`);
  assert.deepEqual(body.versions, ["v1"]);
  assert.equal(body.serverAddressByClientCIDRs[0].serverAddress, `127.0.0.1:${sim.port}`);
});

Deno.test("discovery: /api/v1 lists pods with their status subresource and short names", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/api/v1`);
  assert.equal(body.groupVersion, "v1");
  const pods = body.resources.find((r: Json) => r.name === "pods");
  assert.deepEqual(pods.shortNames, ["po"]);
  assert.ok(body.resources.some((r: Json) => r.name === "pods/status"));
});

Deno.test("discovery: /apis lists the groups and their versions", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/apis`);
  assert.equal(body.kind, "APIGroupList");
  const names = body.groups.map((g: Json) => g.name);
  for (const group of ["apps", "discovery.k8s.io", "coordination.k8s.io", "apiextensions.k8s.io"]) {
    assert.ok(names.includes(group), group);
  }
  assert.ok(names.includes("k8s-openapi-tests-custom-resource-definition.com"));
});

Deno.test("discovery: /apis/<group>/<version> lists the group's resources", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/apis/discovery.k8s.io/v1`);
  assert.deepEqual(body.resources.map((r: Json) => r.name), ["endpointslices"]);
  // A group nobody serves falls through to the Go mux: plain text, as on kube-apiserver.
  const missing = await fetch(`${sim.url}/apis/nope.example/v1`);
  assert.deepEqual(
    [missing.status, missing.headers.get("content-type"), await missing.text()],
    [404, "text/plain; charset=utf-8", "404 page not found\n"],
  );
});

Deno.test("discovery: aggregated /apis when Accept asks APIGroupDiscoveryList", async () => {
  await using sim = await startSimulator();
  const { headers, body } = await request(`${sim.url}/apis`, { headers: { accept: AGGREGATED } });
  assert.equal(headers.get("content-type"), AGGREGATED);
  assert.equal(body.kind, "APIGroupDiscoveryList");
  const crd = body.items.find((g: Json) => g.metadata.name === "apiextensions.k8s.io");
  assert.equal(crd.versions[0].resources[0].resource, "customresourcedefinitions");
});

Deno.test("discovery: aggregated /api holds the core group", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/api`, { headers: { accept: AGGREGATED } });
  assert.equal(body.items[0].metadata.name, "");
  const resources = body.items[0].versions[0].resources.map((r: Json) => r.resource);
  assert.ok(resources.includes("pods") && resources.includes("nodes"));
});

Deno.test("tables: pods print kubectl's columns, rows carry PartialObjectMetadata", async () => {
  await using sim = await startSimulator();
  const { body } = await request(`${sim.url}/api/v1/namespaces/kube-system/pods`, {
    headers: { accept: TABLE },
  });
  assert.equal(body.kind, "Table");
  assert.deepEqual(body.columnDefinitions.slice(0, 3).map((c: Json) => c.name), [
    "Name",
    "Ready",
    "Status",
  ]);
  assert.equal(body.rows.length, 8);
  assert.equal(body.rows[0].object.kind, "PartialObjectMetadata");
});

Deno.test("tables: Accept without a supported type is 406", async () => {
  await using sim = await startSimulator();
  // Custom resources have no protobuf form.
  const group = "k8s-openapi-tests-custom-resource-definition.com";
  const { status, body } = await request(`${sim.url}/apis/${group}/v1/foobars`, {
    headers: { accept: "application/vnd.kubernetes.protobuf" },
  });
  assert.deepEqual([status, body.reason], [406, "NotAcceptable"]);
});

Deno.test("tables: protobuf with a JSON fallback is answered in JSON", async () => {
  await using sim = await startSimulator();
  const group = "k8s-openapi-tests-custom-resource-definition.com";
  const response = await fetch(`${sim.url}/apis/${group}/v1/foobars`, {
    headers: { accept: "application/vnd.kubernetes.protobuf, */*" },
  });
  assert.equal(response.headers.get("content-type"), "application/json");
  assert.equal((await response.json()).kind, "FooBarList");
});

Deno.test("discovery: an unknown resource is 404 with a Status body", async () => {
  await using sim = await startSimulator();
  const { status, body } = await request(`${sim.url}/api/v1/widgets`);
  assert.deepEqual([status, body.kind, body.reason], [404, "Status", "NotFound"]);
});
