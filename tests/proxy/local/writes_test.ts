import assert from "node:assert/strict";
import type { QueuedEvent } from "../../../src/node/event_queue.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { setName, setNamespace } from "../../../src/kube/protobuf/rewrite.ts";
import { json, listBody, openHarness, pod, seedList } from "./harness.ts";

const NODES = "/api/v1/nodes?fieldSelector=metadata.name%3Dedge-1";

function node(rv = "30") {
  return {
    kind: "Node",
    apiVersion: "v1",
    metadata: { name: "edge-1", uid: "n-1", resourceVersion: rv, annotations: { a: "1" } },
    spec: { podCIDR: "10.0.0.0/24" },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False", lastHeartbeatTime: "t0" },
        { type: "Ready", status: "True", lastHeartbeatTime: "t0" },
      ],
      nodeInfo: { kubeletVersion: "v1.36.0" },
    },
  };
}

const SMP = "application/strategic-merge-patch+json";
const patch = (body: unknown, type = SMP) => ({
  method: "PATCH",
  headers: { "content-type": type },
  body: JSON.stringify(body),
});

type NodeJson = ReturnType<typeof node>;

Deno.test("offline status patch: kubelet's heartbeat patch merges conditions by type", async () => {
  await using h = await openHarness();
  await seedList(h.store, NODES, listBody("NodeList", [node()], "30"));
  const response = await h.fetch(
    "/api/v1/nodes/edge-1/status",
    patch({
      status: {
        "$setElementOrder/conditions": [{ type: "MemoryPressure" }, { type: "Ready" }],
        conditions: [{ type: "Ready", lastHeartbeatTime: "t1" }],
      },
    }),
  );
  assert.deepEqual(response.status, 200);
  const patched = await json(response) as unknown as NodeJson;
  assert.deepEqual(patched.status.conditions.map((c) => [c.type, c.lastHeartbeatTime]), [
    ["MemoryPressure", "t0"],
    ["Ready", "t1"],
  ]);
  assert.deepEqual(patched.kind, "Node");
});

Deno.test("offline status patch: the result is stored and read back by GET", async () => {
  await using h = await openHarness();
  await seedList(h.store, NODES, listBody("NodeList", [node()], "30"));
  const body = { metadata: { annotations: { "flannel.alpha.coreos.com/public-ip": "1.2.3.4" } } };
  await (await h.fetch("/api/v1/nodes/edge-1/status", patch(body))).body?.cancel();
  await h.store.flush();
  const got = await json(await h.fetch("/api/v1/nodes/edge-1")) as unknown as NodeJson;
  assert.deepEqual(got.metadata.annotations as Record<string, string>, {
    a: "1",
    "flannel.alpha.coreos.com/public-ip": "1.2.3.4",
  });
});

Deno.test("offline status patch: spec changes are ignored, as by the status subresource", async () => {
  await using h = await openHarness();
  await seedList(h.store, NODES, listBody("NodeList", [node()], "30"));
  const response = await h.fetch(
    "/api/v1/nodes/edge-1/status",
    patch(
      { spec: { podCIDR: "x" }, status: { nodeInfo: { kubeletVersion: "v1.37.0" } } },
      "application/merge-patch+json",
    ),
  );
  const patched = await json(response) as unknown as NodeJson;
  assert.deepEqual(patched.spec.podCIDR, "10.0.0.0/24");
  assert.deepEqual(patched.status.nodeInfo.kubeletVersion, "v1.37.0");
});

Deno.test("offline status patch: a pod status patch applies", async () => {
  await using h = await openHarness();
  await seedList(
    h.store,
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dedge-1",
    listBody("PodList", [pod("a")], "9"),
  );
  const response = await h.fetch(
    "/api/v1/namespaces/default/pods/a/status",
    patch({ status: { phase: "Failed" } }, "application/merge-patch+json"),
  );
  assert.deepEqual(response.status, 200);
  assert.deepEqual(((await json(response)).status as { phase: string }).phase, "Failed");
});

Deno.test("offline status patch: a patch carrying another resourceVersion → 409", async () => {
  await using h = await openHarness();
  await seedList(h.store, NODES, listBody("NodeList", [node()], "30"));
  const response = await h.fetch(
    "/api/v1/nodes/edge-1/status",
    patch({ metadata: { resourceVersion: "1" } }),
  );
  assert.deepEqual(response.status, 409);
  await response.body?.cancel();
});

Deno.test("offline status patch: a JSON patch (RFC 6902) → 503", async () => {
  await using h = await openHarness();
  await seedList(h.store, NODES, listBody("NodeList", [node()], "30"));
  const response = await h.fetch(
    "/api/v1/nodes/edge-1/status",
    patch([{ op: "replace", path: "/status/phase", value: "x" }], "application/json-patch+json"),
  );
  assert.deepEqual(response.status, 503);
  assert.deepEqual(response.headers.get("retry-after"), "3");
  await response.body?.cancel();
});

Deno.test("offline status patch: an object cached as protobuf → 503", async () => {
  await using h = await openHarness();
  const fixture = await Deno.readFile(
    new URL("../../../../shared/fixtures/k8s-api-testdata/core.v1.Node.pb", import.meta.url),
  );
  const base = protobufCodec.decodeObject(fixture, "nodes");
  const chunks = [...protobufCodec.encodeList(
    { kind: "NodeList", apiVersion: "v1", resourceVersion: "5", continue: "" },
    [{ ...base, bytes: setNamespace(setName(base.bytes, "edge-1"), "") }],
  )];
  const body = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
  await seedList(h.store, NODES, body, { mediaType: "application/vnd.kubernetes.protobuf" });
  const response = await h.fetch("/api/v1/nodes/edge-1/status", patch({ status: {} }));
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

Deno.test("offline status patch: a node never cached → 503; proven absent → 404", async () => {
  await using h = await openHarness();
  const unknown = await h.fetch("/api/v1/nodes/edge-1/status", patch({ status: {} }));
  assert.deepEqual(unknown.status, 503);
  await unknown.body?.cancel();
  await seedList(h.store, NODES, listBody("NodeList", [], "30"));
  const absent = await h.fetch("/api/v1/nodes/edge-1/status", patch({ status: {} }));
  assert.deepEqual(absent.status, 404);
  await absent.body?.cancel();
});

const EVENT = {
  kind: "Event",
  apiVersion: "v1",
  metadata: { name: "a.123", namespace: "default" },
  reason: "Started",
  involvedObject: { kind: "Pod", name: "a", namespace: "default" },
};

Deno.test("offline event create: 201 with the event, queued and delivered in order later", async () => {
  await using h = await openHarness();
  for (const name of ["a.1", "a.2"]) {
    const response = await h.fetch("/api/v1/namespaces/default/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...EVENT, metadata: { ...EVENT.metadata, name } }),
    });
    assert.deepEqual(response.status, 201);
    assert.deepEqual(((await json(response)).metadata as { name: string }).name, name);
  }
  const sent: QueuedEvent[] = [];
  const report = await h.events.deliverQueuedEvents((event) => {
    sent.push(event);
    return Promise.resolve(201);
  });
  assert.deepEqual(report.delivered, 2);
  assert.deepEqual(sent.map((e) => JSON.parse(new TextDecoder().decode(e.body)).metadata.name), [
    "a.1",
    "a.2",
  ]);
  assert.deepEqual(sent[0].path, "/api/v1/namespaces/default/events");
  assert.deepEqual(sent[0].userAgent.startsWith("kubelet/"), true);
});

Deno.test("offline event create with the client's own token: 503, not queued as the node", async () => {
  await using h = await openHarness();
  const response = await h.fetch("/api/v1/namespaces/default/events", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer pod-token" },
    body: JSON.stringify(EVENT),
  });
  assert.deepEqual(response.status, 503);
  assert.ok(response.headers.has("retry-after"));
  assert.match(String((await json(response)).message), /delivered later as the node/);
  assert.deepEqual((await h.events.stats()).count, 0);
});

Deno.test("offline event create: events.k8s.io events are queued too", async () => {
  await using h = await openHarness();
  const response = await h.fetch("/apis/events.k8s.io/v1/namespaces/default/events", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ ...EVENT, apiVersion: "events.k8s.io/v1" }),
  });
  assert.deepEqual(response.status, 201);
  await response.body?.cancel();
  assert.deepEqual((await h.events.stats()).count, 1);
});

Deno.test("offline node registration: 201 when not cached, 409 AlreadyExists when cached", async () => {
  await using h = await openHarness();
  const body = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(node()),
  };
  const created = await h.fetch("/api/v1/nodes", body);
  assert.deepEqual(created.status, 201);
  await created.body?.cancel();
  await h.store.flush();
  const again = await h.fetch("/api/v1/nodes", body);
  assert.deepEqual(again.status, 409);
  assert.deepEqual((await json(again)).reason, "AlreadyExists");
  assert.deepEqual((await h.fetch("/api/v1/nodes/edge-1")).status, 200);
});

Deno.test("offline mirror pod: a pod bound to a node is created (201), then exists (409)", async () => {
  await using h = await openHarness();
  const body = {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(pod("static-web-edge-1", { namespace: "kube-system" })),
  };
  const created = await h.fetch("/api/v1/namespaces/kube-system/pods", body);
  assert.deepEqual(created.status, 201);
  await created.body?.cancel();
  await h.store.flush();
  const again = await h.fetch("/api/v1/namespaces/kube-system/pods", body);
  assert.deepEqual(again.status, 409);
  await again.body?.cancel();
});

Deno.test("offline pod create without a node → 503", async () => {
  await using h = await openHarness();
  const unbound = pod("x");
  (unbound.spec as { nodeName?: string }).nodeName = undefined;
  const response = await h.fetch("/api/v1/namespaces/default/pods", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(unbound),
  });
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

for (
  const [method, path] of [
    ["DELETE", "/api/v1/namespaces/default/pods/a"],
    ["DELETE", "/api/v1/namespaces/default/pods"],
    ["POST", "/api/v1/namespaces/default/serviceaccounts/default/token"],
    ["POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests"],
    ["PUT", "/api/v1/namespaces/default/configmaps/x"],
    ["PATCH", "/api/v1/namespaces/default/events/a.1"],
    ["GET", "/healthz"],
  ] as const
) {
  Deno.test(`offline ${method} ${path} → 503 ServiceUnavailable with Retry-After`, async () => {
    await using h = await openHarness();
    const response = await h.fetch(path, {
      method,
      headers: { "content-type": "application/json" },
      body: method === "GET" ? undefined : "{}",
    });
    assert.deepEqual(response.status, 503);
    assert.deepEqual(response.headers.get("retry-after"), "3");
    assert.deepEqual((await json(response)).reason, "ServiceUnavailable");
  });
}
