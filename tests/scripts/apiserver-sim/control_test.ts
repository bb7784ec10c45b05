import assert from "node:assert/strict";
import { CHURN_ANNOTATION, startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, openWatch, request, send } from "./helpers.ts";

const scale = { pods: 10, nodes: 2, namespaces: 1, services: 1 };

Deno.test("control: a fault POSTed to /faults applies to the API", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  const { body } = await send(`${sim.controlUrl}/faults`, "POST", { kind: "error", code: 500 });
  assert.equal(typeof body.id, "number");
  assert.equal((await request(`${sim.url}/api/v1/nodes`)).status, 500);
  await request(`${sim.controlUrl}/faults`, { method: "DELETE" });
  assert.equal((await request(`${sim.url}/api/v1/nodes`)).status, 200);
});

Deno.test("control: /link/down and /link/up", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  await send(`${sim.controlUrl}/link/down`, "POST", {});
  await assert.rejects(() => fetch(`${sim.url}/version`));
  await send(`${sim.controlUrl}/link/up`, "POST", {});
  assert.equal((await request(`${sim.url}/version`)).status, 200);
});

Deno.test("control: /objects creates an object that the API then serves", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  const object = { metadata: { name: "via-control", namespace: "default" }, data: { a: "b" } };
  const made = await send(`${sim.controlUrl}/objects`, "POST", {
    op: "create",
    resource: "configmaps",
    object,
  });
  assert.equal(made.status, 201);
  const { body } = await request(`${sim.url}/api/v1/namespaces/default/configmaps/via-control`);
  assert.deepEqual(body.data, { a: "b" });
});

Deno.test("control: a rejected write answers the API's Status", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  const { status, body } = await send(`${sim.controlUrl}/objects`, "POST", {
    op: "delete",
    resource: "configmaps",
    name: "nope",
    namespace: "default",
  });
  assert.deepEqual([status, body.reason], [404, "NotFound"]);
});

Deno.test("control: /requests reports the counts", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  await request(`${sim.url}/api/v1/nodes`, { headers: { "user-agent": "flannel/0.25" } });
  const { body } = await request(`${sim.controlUrl}/requests?userAgent=%5Eflannel`);
  assert.deepEqual(body.counts, [
    { userAgent: "flannel/0.25", method: "GET", path: "/api/v1/nodes", count: 1 },
  ]);
});

Deno.test("churn: a counted churn makes that many MODIFIED events", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(
    `${sim.url}/api/v1/pods?watch=1&resourceVersion=${sim.resourceVersion}`,
  );
  const churn = sim.objects.churn({ resource: "pods", rate: 500, count: 20 });
  assert.equal(await churn.done, 20);
  const events = await watch.take(20);
  await watch.close();
  assert.ok(events.every((e: Json) => e.type === "MODIFIED"));
  assert.deepEqual(
    events.map((e: Json) => e.object.metadata.annotations[CHURN_ANNOTATION]),
    [
      ...Array(20).keys(),
    ].map(String),
  );
});

Deno.test("churn: mixed churn adds, modifies and deletes", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(
    `${sim.url}/api/v1/namespaces/ns-0/configmaps?watch=1&resourceVersion=${sim.resourceVersion}`,
  );
  await sim.objects.churn({
    resource: "configmaps",
    namespace: "ns-0",
    rate: 300,
    count: 6,
    op: "mixed",
  })
    .done;
  const events = await watch.take(6);
  await watch.close();
  assert.deepEqual(events.map((e: Json) => e.type), [
    "ADDED",
    "MODIFIED",
    "DELETED",
    "ADDED",
    "MODIFIED",
    "DELETED",
  ]);
});

Deno.test("churn: /churn through the control API can be stopped", async () => {
  await using sim = await startSimulator({ scale, controlPort: 0 });
  const { body } = await send(`${sim.controlUrl}/churn`, "POST", { resource: "pods", rate: 50 });
  const stopped = await request(`${sim.controlUrl}/churn?id=${body.id}`, { method: "DELETE" });
  assert.deepEqual(stopped.body.stopped, [body.id]);
});
