import { assert, assertEquals } from "../assert.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { createLogger } from "../../src/log/logger.ts";
import { storeCacheBranch } from "../../src/proxy/cache_branch.ts";
import { classify } from "../../src/proxy/classify.ts";
import { StreamCut } from "../../src/proxy/tap.ts";

const KUBELET = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
const PODS = { group: "", version: "v1", resource: "pods" };

function podList(rv: number, names: string[]): string {
  const items = names.map((n) =>
    `{"metadata":{"name":"${n}","namespace":"default","resourceVersion":"${rv}"},"spec":{"nodeName":"node-0"}}`
  );
  return `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"${rv}"},"items":[${
    items.join(",")
  }]}`;
}

/** Runs one response through the cache branch and waits until the store has written it. */
async function cacheResponse(
  store: CacheStore,
  path: string,
  body: string | ReadableStream<Uint8Array>,
  drops: string[],
) {
  const url = new URL(path, "http://holdfast.local");
  const classified = classify(
    new Request(url, { headers: { "user-agent": KUBELET } }),
    url,
    "*",
  );
  const response = new Response(body, { headers: { "content-type": "application/json" } });
  const sink = storeCacheBranch(
    store,
    createLogger({ level: "error", format: "text" }),
    (r) => drops.push(r),
  );
  await sink(classified, response, response.body!);
  await store.flush();
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

Deno.test("cache branch: an undecodable list marks its query stale and counts a drop", async () => {
  await using store = await CacheStore.open(":memory:");
  const drops: string[] = [];
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
  await cacheResponse(store, path, podList(10, ["a"]), drops);
  await cacheResponse(
    store,
    path,
    '{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"12"},"items":[{"meta',
    drops,
  );
  const [record] = await store.queries("kubelet", PODS);
  assert(record.stale, "the query should be stale after a truncated list");
  assertEquals(drops.length, 1);
});

Deno.test("cache branch: a LIST cut by the link keeps the previous snapshot servable", async () => {
  await using store = await CacheStore.open(":memory:");
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
  await cacheResponse(store, path, podList(10, ["a", "b"]), []);
  const text = podList(12, ["a", "b", "c"]);
  const half = new TextEncoder().encode(text.slice(0, text.length / 2));
  let sent = false;
  const cut = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent) return controller.error(new StreamCut(new Error("link down")));
      controller.enqueue(half);
      sent = true;
    },
  });
  await cacheResponse(store, path, cut, []);
  const [record] = await store.queries("kubelet", PODS);
  assert(record.complete && !record.stale, `stale: ${record.staleReason}`);
  assertEquals([record.resourceVersion, record.objectCount], ["10", 2]);
});
