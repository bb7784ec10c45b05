import assert from "node:assert/strict";
import { json, listBody, openHarness, pod, seedList } from "./harness.ts";

Deno.test("offline get: the cached object is returned with its kind", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", [pod("a"), pod("b")], "20"));
  const response = await h.fetch("/api/v1/namespaces/default/pods/b");
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  const body = await json(response);
  assert.deepEqual(body.kind, "Pod");
  assert.deepEqual((body.metadata as { name: string }).name, "b");
});

Deno.test("offline get: absent from a complete list of its namespace → 404 NotFound", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/namespaces/default/pods", listBody("PodList", [pod("a")], "20"));
  const response = await h.fetch("/api/v1/namespaces/default/pods/zz");
  assert.deepEqual(response.status, 404);
  const status = await json(response);
  assert.deepEqual(status.reason, "NotFound");
  assert.deepEqual(status.details, { name: "zz", kind: "pods" });
});

Deno.test("offline get: absent and never listed → 503 with Retry-After", async () => {
  await using h = await openHarness();
  const response = await h.fetch("/api/v1/namespaces/default/pods/zz");
  assert.deepEqual(response.status, 503);
  assert.deepEqual(response.headers.get("retry-after"), "3");
  assert.deepEqual((await json(response)).reason, "ServiceUnavailable");
});

Deno.test("offline get: a list with a selector does not prove absence → 503", async () => {
  await using h = await openHarness();
  await seedList(
    h.store,
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dedge-1",
    listBody("PodList", [pod("a")], "20"),
  );
  const response = await h.fetch("/api/v1/namespaces/default/pods/other");
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

Deno.test("offline get: a list by metadata.name proves that name's absence → 404", async () => {
  await using h = await openHarness();
  await seedList(
    h.store,
    "/api/v1/nodes?fieldSelector=metadata.name%3Dedge-1",
    listBody("NodeList", [], "20"),
  );
  const response = await h.fetch("/api/v1/nodes/edge-1");
  assert.deepEqual(response.status, 404);
  await response.body?.cancel();
});

Deno.test("offline get: a cache of another component does not answer → 503", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", [pod("a")], "20"));
  const response = await h.fetch("/api/v1/namespaces/default/pods/a", {
    userAgent: "flanneld/0.26",
  });
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

Deno.test("offline get: a JSON-cached object for a protobuf-only Accept → 406 in protobuf", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", [pod("a")], "20"));
  const response = await h.fetch("/api/v1/namespaces/default/pods/a", {
    headers: { accept: "application/vnd.kubernetes.protobuf" },
  });
  assert.deepEqual(response.status, 406);
  assert.deepEqual(response.headers.get("content-type"), "application/vnd.kubernetes.protobuf");
  await response.body?.cancel();
});

Deno.test("offline get: a PartialObjectMetadata-only Accept is refused for a full object (406)", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", [pod("a")], "20"));
  const response = await h.fetch("/api/v1/namespaces/default/pods/a", {
    headers: { accept: "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1" },
  });
  assert.deepEqual(response.status, 406);
  await response.body?.cancel();
});
