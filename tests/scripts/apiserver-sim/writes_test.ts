import assert from "node:assert/strict";
import { startSimulator, StatusError } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, request, send } from "./helpers.ts";

const scale = { pods: 12, nodes: 2, namespaces: 1, services: 1 };
const cms = "/api/v1/namespaces/ns-0/configmaps";
const cm = (name: string, data: Json = { a: "1" }) => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name },
  data,
});

Deno.test("create: 201 with uid, creationTimestamp and the next resourceVersion", async () => {
  await using sim = await startSimulator({ scale });
  const before = sim.resourceVersion;
  const { status, body } = await send(`${sim.url}${cms}`, "POST", cm("made"));
  assert.equal(status, 201);
  assert.equal(body.metadata.namespace, "ns-0");
  assert.equal(body.metadata.resourceVersion, String(before + 1));
  assert.match(body.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

Deno.test("create: an existing name is 409 AlreadyExists", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await send(`${sim.url}${cms}`, "POST", cm("config-0"));
  assert.deepEqual([status, body.reason, body.details.name], [409, "AlreadyExists", "config-0"]);
});

Deno.test("create: generateName gets a random suffix", async () => {
  await using sim = await startSimulator({ scale });
  const body = { metadata: { generateName: "gen-" }, data: {} };
  const { status, body: made } = await send(`${sim.url}${cms}`, "POST", body);
  assert.equal(status, 201);
  assert.match(made.metadata.name, /^gen-[a-z0-9]{5}$/);
});

Deno.test("create: in a namespace that does not exist is 404 NotFound", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await send(
    `${sim.url}/api/v1/namespaces/nope/configmaps`,
    "POST",
    cm("x"),
  );
  assert.deepEqual([status, body.details.kind, body.details.name], [404, "namespaces", "nope"]);
});

Deno.test("create: a body namespace other than the URL's is 400 BadRequest", async () => {
  await using sim = await startSimulator({ scale });
  const body = { metadata: { name: "x", namespace: "default" } };
  const { status } = await send(`${sim.url}${cms}`, "POST", body);
  assert.equal(status, 400);
});

Deno.test("update: a stale resourceVersion is 409 Conflict", async () => {
  await using sim = await startSimulator({ scale });
  const { body: current } = await request(`${sim.url}${cms}/config-0`);
  sim.objects.patch("configmaps", "config-0", { data: { other: "change" } }, { namespace: "ns-0" });
  const { status, body } = await send(`${sim.url}${cms}/config-0`, "PUT", current);
  assert.deepEqual([status, body.reason], [409, "Conflict"]);
  assert.match(body.message, /the object has been modified/);
});

Deno.test("update: the current resourceVersion succeeds and bumps it", async () => {
  await using sim = await startSimulator({ scale });
  const { body: current } = await request(`${sim.url}${cms}/config-0`);
  current.data = { fresh: "yes" };
  const { status, body } = await send(`${sim.url}${cms}/config-0`, "PUT", current);
  assert.equal(status, 200);
  assert.deepEqual(body.data, { fresh: "yes" });
  assert.equal(body.metadata.resourceVersion, String(sim.resourceVersion));
  assert.equal(body.metadata.uid, current.metadata.uid);
});

Deno.test("update: writing the same object again keeps its resourceVersion", async () => {
  await using sim = await startSimulator({ scale });
  const { body: current } = await request(`${sim.url}${cms}/config-0`);
  const before = sim.resourceVersion;
  const { body } = await send(`${sim.url}${cms}/config-0`, "PUT", current);
  assert.equal(body.metadata.resourceVersion, current.metadata.resourceVersion);
  assert.equal(sim.resourceVersion, before);
});

Deno.test("update: a name other than the URL's is 400 BadRequest", async () => {
  await using sim = await startSimulator({ scale });
  const { status } = await send(`${sim.url}${cms}/config-0`, "PUT", cm("config-1"));
  assert.equal(status, 400);
});

Deno.test("status: PUT on /status changes status only", async () => {
  await using sim = await startSimulator({ scale });
  const { body: node } = await request(`${sim.url}/api/v1/nodes/node-1`);
  node.spec.unschedulable = true;
  node.status.phase = "Simulated";
  const { body } = await send(`${sim.url}/api/v1/nodes/node-1/status`, "PUT", node);
  assert.equal(body.status.phase, "Simulated");
  assert.equal(body.spec.unschedulable, undefined);
});

Deno.test("status: a main-resource update keeps the stored status", async () => {
  await using sim = await startSimulator({ scale });
  const { body: node } = await request(`${sim.url}/api/v1/nodes/node-1`);
  node.spec.unschedulable = true;
  node.status = { phase: "Ignored" };
  const { body } = await send(`${sim.url}/api/v1/nodes/node-1`, "PUT", node);
  assert.equal(body.spec.unschedulable, true);
  assert.notEqual(body.status.phase, "Ignored");
  assert.ok(body.status.conditions.length > 0);
});

Deno.test("status: a strategic merge patch on /status merges conditions by type", async () => {
  await using sim = await startSimulator({ scale });
  const patch = {
    metadata: { annotations: { "flannel.alpha.coreos.com/backend-type": "vxlan" } },
    status: {
      conditions: [{ type: "NetworkUnavailable", status: "False", reason: "FlannelIsUp" }],
    },
  };
  const { status, body } = await send(
    `${sim.url}/api/v1/nodes/node-1/status`,
    "PATCH",
    patch,
    "application/strategic-merge-patch+json",
  );
  assert.equal(status, 200);
  const types = body.status.conditions.map((c: Json) => c.type);
  assert.ok(types.includes("Ready") && types.includes("NetworkUnavailable"));
  assert.equal(body.metadata.annotations["flannel.alpha.coreos.com/backend-type"], "vxlan");
});

Deno.test("patch: merge patch sets and removes (null) fields", async () => {
  await using sim = await startSimulator({ scale });
  const { body } = await send(
    `${sim.url}${cms}/config-0`,
    "PATCH",
    { data: { index: null, added: "x" } },
    "application/merge-patch+json",
  );
  assert.equal(body.data.added, "x");
  assert.equal(body.data.index, undefined);
});

Deno.test("patch: JSON patch applies its operations in order", async () => {
  await using sim = await startSimulator({ scale });
  const ops = [
    { op: "add", path: "/data/copy", value: "1" },
    { op: "test", path: "/data/copy", value: "1" },
    { op: "move", from: "/data/copy", path: "/data/moved" },
  ];
  const { status, body } = await send(
    `${sim.url}${cms}/config-0`,
    "PATCH",
    ops,
    "application/json-patch+json",
  );
  assert.equal(status, 200);
  assert.equal(body.data.moved, "1");
  assert.equal(body.data.copy, undefined);
});

Deno.test("patch: a failing JSON patch test is 422 and changes nothing", async () => {
  await using sim = await startSimulator({ scale });
  const before = sim.resourceVersion;
  const { status } = await send(
    `${sim.url}${cms}/config-0`,
    "PATCH",
    [{ op: "test", path: "/data/index", value: "wrong" }],
    "application/json-patch+json",
  );
  assert.equal(status, 422);
  assert.equal(sim.resourceVersion, before);
});

Deno.test("patch: a stale resourceVersion in the patch is 409 Conflict", async () => {
  await using sim = await startSimulator({ scale });
  const { status } = await send(
    `${sim.url}${cms}/config-0`,
    "PATCH",
    { metadata: { resourceVersion: "1" }, data: { a: "b" } },
    "application/merge-patch+json",
  );
  assert.equal(status, 409);
});

Deno.test("patch: strategic merge patch merges containers by name", async () => {
  await using sim = await startSimulator({ scale });
  const pod = (sim.objects.list("pods", "ns-0") as Json[])[0];
  const container = pod.spec.containers[0].name;
  const patch = { spec: { containers: [{ name: container, image: "patched:1" }] } };
  const { body } = await send(
    `${sim.url}/api/v1/namespaces/ns-0/pods/${pod.metadata.name}`,
    "PATCH",
    patch,
    "application/strategic-merge-patch+json",
  );
  assert.equal(body.spec.containers.length, pod.spec.containers.length);
  assert.equal(body.spec.containers[0].image, "patched:1");
  assert.deepEqual(body.spec.containers[0].ports, pod.spec.containers[0].ports);
});

Deno.test("patch: an unknown patch content type is 415", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await send(`${sim.url}${cms}/config-0`, "PATCH", {}, "text/plain");
  assert.deepEqual([status, body.reason], [415, "UnsupportedMediaType"]);
});

Deno.test("delete: a configmap answers a Success Status with its uid", async () => {
  await using sim = await startSimulator({ scale });
  const uid = (sim.objects.get("configmaps", "config-0", "ns-0") as Json).metadata.uid;
  const { status, body } = await request(`${sim.url}${cms}/config-0`, { method: "DELETE" });
  assert.equal(status, 200);
  assert.deepEqual([body.kind, body.status, body.details.uid], ["Status", "Success", uid]);
  assert.equal(sim.objects.get("configmaps", "config-0", "ns-0"), undefined);
});

Deno.test("delete: a pod answers the deleted pod at the deletion's resourceVersion", async () => {
  await using sim = await startSimulator({ scale });
  const pod = (sim.objects.list("pods", "ns-0") as Json[])[0];
  const { body } = await request(`${sim.url}/api/v1/namespaces/ns-0/pods/${pod.metadata.name}`, {
    method: "DELETE",
  });
  assert.equal(body.kind, "Pod");
  assert.equal(body.metadata.resourceVersion, String(sim.resourceVersion));
});

Deno.test("delete: a uid precondition that does not match is 409 Conflict", async () => {
  await using sim = await startSimulator({ scale });
  const { status } = await request(`${sim.url}${cms}/config-0`, {
    method: "DELETE",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ preconditions: { uid: "not-the-uid" } }),
  });
  assert.equal(status, 409);
  assert.ok(sim.objects.get("configmaps", "config-0", "ns-0"));
});

Deno.test("delete: a collection with a label selector deletes and lists the matches", async () => {
  await using sim = await startSimulator({ scale });
  const { body } = await request(
    `${sim.url}/api/v1/namespaces/ns-0/pods?labelSelector=tier%3Dcache`,
    {
      method: "DELETE",
    },
  );
  assert.equal(body.kind, "PodList");
  assert.ok(body.items.length > 0);
  const left = sim.objects.list("pods", "ns-0") as Json[];
  assert.ok(left.length > 0 && left.every((p) => p.metadata.labels.tier !== "cache"));
});

Deno.test("delete: a namespace takes its objects with it", async () => {
  await using sim = await startSimulator({ scale });
  await request(`${sim.url}/api/v1/namespaces/ns-0`, { method: "DELETE" });
  assert.deepEqual(sim.objects.list("configmaps", "ns-0"), []);
  assert.deepEqual(sim.objects.list("pods", "ns-0"), []);
});

Deno.test("handle: a stale update through the handle throws StatusError 409", async () => {
  await using sim = await startSimulator({ scale });
  const current = structuredClone(sim.objects.get("configmaps", "config-0", "ns-0")!) as Json;
  sim.objects.patch("configmaps", "config-0", { data: { b: "2" } }, { namespace: "ns-0" });
  assert.throws(
    () => sim.objects.update("configmaps", current),
    (e) => e instanceof StatusError && e.status.code === 409,
  );
});

Deno.test("handle: custom resources can be created, patched and deleted", async () => {
  await using sim = await startSimulator({ scale });
  const made = sim.objects.create("foobars", {
    metadata: { name: "fb3", namespace: "default" },
    spec: { prop1: "x", prop2: [true], prop4: 1, prop5: "2" },
  }) as Json;
  assert.equal(made.metadata.generation, 1);
  const patched = sim.objects.patch("foobars", "fb3", { spec: { prop1: "y" } }) as Json;
  assert.equal(patched.metadata.generation, 2);
  sim.objects.delete("foobars", "fb3");
  assert.equal(sim.objects.get("foobars", "fb3"), undefined);
});
