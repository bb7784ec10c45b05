import assert from "node:assert/strict";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { setName, setResourceVersion, setString } from "../../../src/kube/protobuf/rewrite.ts";
import type { ListPart, RawObject } from "../../../src/kube/types.ts";
import {
  json,
  listBody,
  openHarness,
  pod,
  queryOf,
  rawJson,
  seedList,
  seedWatch,
} from "./harness.ts";

type Item = { metadata: { name: string; namespace: string } };

const names = async (response: Response) =>
  ((await json(response)).items as Item[]).map((i) => i.metadata.name);

const PODS = [
  pod("web-1", { labels: { app: "web", tier: "frontend" }, nodeName: "edge-1" }),
  pod("web-2", { labels: { app: "web", tier: "backend" }, nodeName: "edge-2" }),
  pod("db-1", { labels: { app: "db" }, nodeName: "edge-1", phase: "Succeeded" }),
  pod("sys-1", { namespace: "kube-system", labels: { legacy: "yes" }, nodeName: "edge-1" }),
];

Deno.test("offline list: the same query is answered with the list's resourceVersion", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const response = await h.fetch("/api/v1/pods");
  assert.deepEqual(response.status, 200);
  const body = await json(response);
  assert.deepEqual(body.kind, "PodList");
  assert.deepEqual(body.apiVersion, "v1");
  assert.deepEqual((body.metadata as { resourceVersion: string }).resourceVersion, "77");
  assert.deepEqual((body.items as Item[]).length, 4);
});

Deno.test("offline list: a cluster-wide list covers a namespace", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  assert.deepEqual(await names(await h.fetch("/api/v1/namespaces/kube-system/pods")), ["sys-1"]);
});

for (
  const [selector, expected] of [
    ["app=web", ["web-1", "web-2"]],
    ["app!=web", ["db-1", "sys-1"]],
    ["tier in (frontend,cache)", ["web-1"]],
    ["tier notin (frontend)", ["web-2", "db-1", "sys-1"]],
    ["tier", ["web-1", "web-2"]],
    ["!legacy,app", ["web-1", "web-2", "db-1"]],
  ] as const
) {
  Deno.test(`offline list: label selector "${selector}" is evaluated locally`, async () => {
    await using h = await openHarness();
    await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
    const response = await h.fetch(`/api/v1/pods?labelSelector=${encodeURIComponent(selector)}`);
    assert.deepEqual((await names(response)).sort(), [...expected].sort());
  });
}

for (
  const [selector, expected] of [
    ["spec.nodeName=edge-1", ["web-1", "db-1", "sys-1"]],
    ["spec.nodeName=edge-1,status.phase!=Succeeded", ["web-1", "sys-1"]],
    ["metadata.namespace=kube-system", ["sys-1"]],
    ["metadata.name=web-2", ["web-2"]],
  ] as const
) {
  Deno.test(`offline list: field selector "${selector}" is evaluated locally`, async () => {
    await using h = await openHarness();
    await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
    const response = await h.fetch(`/api/v1/pods?fieldSelector=${encodeURIComponent(selector)}`);
    assert.deepEqual((await names(response)).sort(), [...expected].sort());
  });
}

Deno.test("offline list: a list with another selector does not cover → 503", async () => {
  await using h = await openHarness();
  await seedList(
    h.store,
    "/api/v1/pods?labelSelector=app%3Dweb",
    listBody("PodList", PODS.slice(0, 2), "77"),
  );
  const response = await h.fetch("/api/v1/pods?labelSelector=app%3Ddb");
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
  assert.deepEqual(await names(await h.fetch("/api/v1/pods?labelSelector=app%3Dweb")), [
    "web-1",
    "web-2",
  ]);
});

Deno.test("offline list: never listed → 503 with Retry-After", async () => {
  await using h = await openHarness();
  const response = await h.fetch("/api/v1/services");
  assert.deepEqual(response.status, 503);
  assert.deepEqual(response.headers.get("retry-after"), "3");
  await response.body?.cancel();
});

Deno.test("offline list: listed and empty → an empty list", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/services", listBody("ServiceList", [], "5"));
  const body = await json(await h.fetch("/api/v1/services"));
  assert.deepEqual(body.kind, "ServiceList");
  assert.deepEqual(body.items, []);
});

Deno.test("offline list: a stale query is not served → 503", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  await h.store.markStale(queryOf("/api/v1/pods"), "test");
  const response = await h.fetch("/api/v1/pods");
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

Deno.test("offline list: limit and continue walk the whole list once", async () => {
  await using h = await openHarness();
  const many = Array.from({ length: 7 }, (_, i) => pod(`p-${i}`));
  await seedList(h.store, "/api/v1/pods", listBody("PodList", many, "50"));
  const seen: string[] = [];
  let token = "";
  for (let page = 0; page < 10; page++) {
    const query = `limit=3${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const body = await json(await h.fetch(`/api/v1/pods?${query}`));
    seen.push(...(body.items as Item[]).map((i) => i.metadata.name));
    assert.deepEqual((body.metadata as { resourceVersion: string }).resourceVersion, "50");
    token = (body.metadata as { continue?: string }).continue ?? "";
    if (!token) break;
  }
  assert.deepEqual(seen, many.map((p) => (p as Item).metadata.name));
});

Deno.test("offline list: a garbled continue token → 410 Expired", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const response = await h.fetch("/api/v1/pods?limit=2&continue=garbage");
  assert.deepEqual(response.status, 410);
  assert.deepEqual((await json(response)).reason, "Expired");
});

Deno.test("offline list: a continue token from before the cache changed → 410 Expired", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const first = await json(await h.fetch("/api/v1/pods?limit=2"));
  const token = (first.metadata as { continue: string }).continue;
  assert.ok(token);
  await seedWatch(h.store, "/api/v1/pods", [
    { type: "MODIFIED", object: rawJson(pod("web-1", { rv: "80" })) },
  ]);
  const response = await h.fetch(`/api/v1/pods?limit=2&continue=${token}`);
  assert.deepEqual(response.status, 410);
  await response.body?.cancel();
});

Deno.test("offline list: sendInitialEvents on a list → 422 Invalid", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const response = await h.fetch(
    "/api/v1/pods?sendInitialEvents=true&resourceVersionMatch=NotOlderThan&resourceVersion=0",
  );
  assert.deepEqual(response.status, 422);
  assert.deepEqual((await json(response)).reason, "Invalid");
});

Deno.test("offline list: a resourceVersion newer than the cache's → 504 ResourceVersionTooLarge", async () => {
  await using h = await openHarness({ catchUpMs: 100 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const started = Date.now();
  const response = await h.fetch("/api/v1/pods?resourceVersion=90");
  assert.ok(Date.now() - started >= 100, "answered before waiting for the cache to catch up");
  assert.deepEqual(response.status, 504);
  const status = await json(response);
  assert.deepEqual(
    (status.details as { causes: { reason: string }[] }).causes[0].reason,
    "ResourceVersionTooLarge",
  );
});

Deno.test("offline list and watch at a version the cache is still storing wait for it (as kube-apiserver's watch cache)", async () => {
  // The client read a response whose cache branch has not stored it yet: no needless 504.
  await using h = await openHarness({ catchUpMs: 10_000 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const list = h.fetch("/api/v1/pods?resourceVersion=78");
  const watch = h.fetch("/api/v1/pods?watch=true&resourceVersion=78&timeoutSeconds=1");
  await new Promise((r) => setTimeout(r, 100));
  const first = PODS[0] as { metadata: Record<string, unknown> };
  const moved = { ...first, metadata: { ...first.metadata, resourceVersion: "78" } };
  await seedWatch(h.store, "/api/v1/pods", [{ type: "MODIFIED", object: rawJson(moved) }]);
  const listed = await list;
  assert.deepEqual(listed.status, 200);
  assert.deepEqual(
    ((await json(listed)).metadata as { resourceVersion: string }).resourceVersion,
    "78",
  );
  const watched = await watch;
  assert.deepEqual(watched.status, 200);
  await watched.body?.cancel();
});

Deno.test("offline list: an older resourceVersion (NotOlderThan) is served; Exact → 410", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  assert.deepEqual((await h.fetch("/api/v1/pods?resourceVersion=60")).status, 200);
  const exact = await h.fetch("/api/v1/pods?resourceVersion=60&resourceVersionMatch=Exact");
  assert.deepEqual(exact.status, 410);
  await exact.body?.cancel();
});

Deno.test("offline list: a JSON snapshot for a protobuf-only Accept → 406", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "77"));
  const response = await h.fetch("/api/v1/pods", {
    headers: { accept: "application/vnd.kubernetes.protobuf" },
  });
  assert.deepEqual(response.status, 406);
  await response.body?.cancel();
});

async function protobufPods(count: number): Promise<Uint8Array> {
  const fixture = await Deno.readFile(
    new URL("../../../../shared/fixtures/k8s-api-testdata/core.v1.Pod.pb", import.meta.url),
  );
  const base = protobufCodec.decodeObject(fixture, "pods");
  const items: RawObject[] = [];
  for (let i = 0; i < count; i++) {
    let bytes = setName(base.bytes, `pb-${i}`);
    bytes = setResourceVersion(bytes, String(100 + i));
    bytes = setString(bytes, [2, 10], i % 2 === 0 ? "edge-1" : "edge-2");
    items.push({ ...base, bytes });
  }
  const meta = { kind: "PodList", apiVersion: "v1", resourceVersion: "200", continue: "" };
  const chunks = [...protobufCodec.encodeList(meta, items)];
  return new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

Deno.test("offline list: a protobuf snapshot is answered in protobuf with a field selector", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", await protobufPods(6), {
    mediaType: "application/vnd.kubernetes.protobuf",
  });
  const response = await h.fetch("/api/v1/pods?fieldSelector=spec.nodeName%3Dedge-2", {
    headers: { accept: "application/vnd.kubernetes.protobuf, */*" },
  });
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/vnd.kubernetes.protobuf");
  const parts: ListPart[] = [];
  for await (const part of response.body!.pipeThrough(protobufCodec.listDecoder("pods"))) {
    parts.push(part);
  }
  const meta = parts.find((p) => p.type === "meta");
  assert.deepEqual(meta?.type === "meta" && meta.meta.resourceVersion, "200");
  const items = parts.flatMap((p) => p.type === "item" ? [p.object.meta.name] : []);
  assert.deepEqual(items, ["pb-1", "pb-3", "pb-5"]);
});
