import { assert, assertEquals } from "../../assert.ts";
import { getDocument } from "../../../src/cache/documents.ts";
import { Sealer } from "../../../src/cache/seal.ts";
import { CacheStore } from "../../../src/cache/store.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { storeCacheBranch } from "../../../src/proxy/remote/cache_branch.ts";
import { classify, isCacheable } from "../../../src/proxy/classify.ts";
import { assertClean } from "../helpers.ts";
import { drive, type Ending, KUBELET } from "./cut_helpers.ts";

const encoder = new TextEncoder();

const PODS = { group: "", version: "v1", resource: "pods" };

function podList(rv: number, names: string[]): string {
  const items = names.map((n) =>
    `{"metadata":{"name":"${n}","namespace":"default","resourceVersion":"${rv}"},"spec":{"nodeName":"node-0"}}`
  );
  return `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"},"items":[${
    items.join(",")
  }]}`;
}

/** Runs one response through the tee and the cache branch and waits until the store wrote it. */
async function cacheResponse(
  store: CacheStore,
  path: string,
  body: string,
  drops: string[],
  ending: Ending = "end",
) {
  await drive(store, {
    path,
    contentType: "application/json",
    chunks: [new TextEncoder().encode(body)],
    ending,
    onDrop: (reason) => drops.push(reason),
  });
}

Deno.test("cache branch: a relist at the snapshot's resourceVersion writes nothing", async () => {
  let commits = 0;
  await using store = await CacheStore.open(":memory:", { onCommit: () => commits++ });
  const drops: string[] = [];
  await cacheResponse(
    store,
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0",
    podList(10, ["a", "b"]),
    drops,
  );
  const [first] = await store.queries("kubelet", PODS);
  assert(first.complete);
  const before = commits;
  await cacheResponse(
    store,
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0",
    podList(10, ["a", "b"]),
    drops,
  );
  assertEquals(commits, before);
  assertEquals((await store.queries("kubelet", PODS))[0].generation, first.generation);
  await cacheResponse(
    store,
    "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0",
    podList(11, ["a"]),
    drops,
  );
  const [next] = await store.queries("kubelet", PODS);
  assertEquals([next.resourceVersion, next.objectCount], ["11", 1]);
  assert(next.generation > first.generation);
  assertEquals(drops, []);
});

Deno.test("cache branch: the same object fetched again writes nothing", async () => {
  let commits = 0;
  await using store = await CacheStore.open(":memory:", { onCommit: () => commits++ });
  const pod =
    '{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"default","resourceVersion":"5"}}';
  await cacheResponse(store, "/api/v1/namespaces/default/pods/a", pod, []);
  const before = commits;
  assert(before > 0);
  await cacheResponse(store, "/api/v1/namespaces/default/pods/a", pod, []);
  assertEquals(commits, before);
  const stored = await store.getObject("kubelet", PODS, "default", "a");
  assertEquals(stored?.meta.resourceVersion, "5");
});

Deno.test("cache branch: an object fetched again at its stored version is not decoded", async () => {
  await using store = await CacheStore.open(":memory:");
  const path = "/api/v1/namespaces/default/pods/a";
  const pod = (rv: string, rest: string) =>
    `{"kind":"Pod","apiVersion":"v1","metadata":{"name":"a","namespace":"default","resourceVersion":"${rv}"},${rest}}`;
  const drops: string[] = [];
  await cacheResponse(store, path, pod("5", '"spec":{"nodeName":"node-0"}'), drops);
  // The same version with a body that would not decode: it is the stored one, nothing is read.
  await cacheResponse(store, path, pod("5", '"spec":{"nodeName":node-0}'), drops);
  assertEquals(drops, []);
  // Another version is decoded, and the malformed one given up on; the stored copy stays.
  await cacheResponse(store, path, pod("6", '"spec":{"nodeName":node-0}'), drops);
  assertEquals(drops, ["SyntaxError"]);
  const stored = await store.getObject("kubelet", PODS, "default", "a");
  assertEquals(stored?.meta.resourceVersion, "5");
  assertEquals(JSON.parse(new TextDecoder().decode(stored!.bytes)).spec.nodeName, "node-0");
  // Another object at the same version is not mistaken for it.
  await cacheResponse(
    store,
    "/api/v1/namespaces/default/pods/b",
    pod("5", '"spec":{}').replace('"name":"a"', '"name":"b"'),
    drops,
  );
  assertEquals((await store.getObject("kubelet", PODS, "default", "b"))?.meta.name, "b");
});

Deno.test("cache branch: a malformed or truncated list keeps the previous snapshot servable", async () => {
  await using store = await CacheStore.open(":memory:");
  const drops: string[] = [];
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
  await cacheResponse(store, path, podList(10, ["a", "b"]), drops);
  const newer = podList(12, ["a", "b", "c"]);
  await cacheResponse(store, path, newer.slice(0, newer.length - 30), drops);
  await cacheResponse(store, path, newer.replace('"name":"c"', '"name":c'), drops);
  const [record] = await store.queries("kubelet", PODS);
  assert(record.complete && !record.stale, `stale: ${record.staleReason}`);
  assertEquals([record.resourceVersion, record.objectCount], ["10", 2]);
  assertEquals(drops, ["ResponseCut", "ResponseCut"]);
  await assertClean(store);
});

Deno.test("cache branch: a LIST cut by the link keeps the previous snapshot servable", async () => {
  await using store = await CacheStore.open(":memory:");
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
  await cacheResponse(store, path, podList(10, ["a", "b"]), []);
  const text = podList(12, ["a", "b", "c"]);
  const drops: string[] = [];
  await cacheResponse(store, path, text.slice(0, text.length / 2), drops, "error");
  await cacheResponse(store, path, text, drops, "error"); // whole, but the client saw it fail
  const [record] = await store.queries("kubelet", PODS);
  assert(record.complete && !record.stale, `stale: ${record.staleReason}`);
  assertEquals([record.resourceVersion, record.objectCount], ["10", 2]);
  assertEquals(drops, ["StreamCut", "StreamCut"]);
  await assertClean(store);
});

Deno.test("cache branch: a kubectl Table of a sealed resource is not kept, another one is", async () => {
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["secrets"],
  });
  const accept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
  const sink = storeCacheBranch(store, createLogger({ level: "error", format: "text" }), () => {});
  const table = '{"kind":"Table","apiVersion":"meta.k8s.io/v1","rows":[{"object":{"data":"x"}}]}';
  for (const resource of ["secrets", "configmaps"]) {
    const url = new URL(`http://holdfast.local/api/v1/namespaces/default/${resource}`);
    const request = new Request(url, { headers: { "user-agent": KUBELET, accept } });
    const classified = classify(request, url, "*");
    assert(isCacheable(classified) && classified.kind === "list" && classified.table);
    const response = new Response(null, { headers: { "content-type": "application/json" } });
    await sink(
      classified,
      response,
      ReadableStream.from([encoder.encode(table)]),
      Promise.resolve(undefined),
    );
    const kept = await getDocument(store.kv, classified.table);
    assertEquals(kept !== null, resource === "configmaps", resource);
  }
});
