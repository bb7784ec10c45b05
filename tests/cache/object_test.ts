import { assert, assertEquals } from "../assert.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { assertClean, pod, podQuery, PODS, storeList } from "./helpers.ts";

const byName = podQuery({ namespace: "default", fieldSelector: "" });

Deno.test("object: a GET/update response is stored and read back by component, resource, namespace, name", async () => {
  await using store = await CacheStore.open(":memory:");
  const object = pod("web-1", "42");
  await store.putObject(byName, "application/vnd.kubernetes.protobuf", object);
  await store.flush();
  const stored = await store.getObject("kubelet", PODS, "default", "web-1");
  assertEquals(stored?.bytes, object.bytes);
  assertEquals(stored?.mediaType, "application/vnd.kubernetes.protobuf");
  assertEquals(stored?.meta, object.meta);
  assert(stored!.storedAt > 0);
  assertEquals(await store.getObject("kube-proxy", PODS, "default", "web-1"), null);
  assertEquals(await store.getObject("kubelet", PODS, "other", "web-1"), null);
});

Deno.test("object: an older resourceVersion does not replace the stored copy", async () => {
  await using store = await CacheStore.open(":memory:");
  await store.putObject(byName, "application/json", pod("a", "20"));
  await store.putObject(byName, "application/json", pod("a", "19"));
  await store.flush();
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "a"))?.meta.resourceVersion,
    "20",
  );
});

Deno.test("object: getObject answers the newest copy among single objects and list snapshots", async () => {
  await using store = await CacheStore.open(":memory:");
  await store.putObject(byName, "application/json", pod("a", "20"));
  await storeList(store, podQuery(), [pod("a", "25"), pod("b", "5")], "30");
  await storeList(store, podQuery({ fieldSelector: "", namespace: "other" }), [
    pod("a", "99", { namespace: "other" }),
  ], "100");
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "a"))?.meta.resourceVersion,
    "25",
  );
  await store.putObject(byName, "application/json", pod("b", "31"));
  await store.flush();
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "b"))?.meta.resourceVersion,
    "31",
  );
});

Deno.test("object: a Table copy (transform) never overwrites the full object", async () => {
  await using store = await CacheStore.open(":memory:");
  const table = { ...byName, transform: "as=Table;g=meta.k8s.io;v=v1" };
  const full = pod("a", "20");
  const row = { ...pod("a", "21"), bytes: new TextEncoder().encode('{"kind":"Table"}') };
  await store.putObject(byName, "application/json", full);
  await store.putObject(table, "application/json", row);
  await store.flush();
  assertEquals((await store.getObject("kubelet", PODS, "default", "a"))?.bytes, full.bytes);
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "a", table.transform))?.bytes,
    row.bytes,
  );
});

Deno.test("object: a 1.5 MiB object round-trips, and its parts go when a small copy replaces it", async () => {
  await using store = await CacheStore.open(":memory:");
  const big = pod("big", "1", { size: 1.5 * 1024 * 1024 });
  await store.putObject(byName, "application/json", big);
  await store.flush();
  assertEquals((await store.getObject("kubelet", PODS, "default", "big"))?.bytes, big.bytes);
  await store.putObject(byName, "application/json", pod("big", "2"));
  await store.flush();
  let parts = 0;
  for await (const _ of store.kv.list({ prefix: ["c", "b"] })) parts++;
  assertEquals(parts, 0);
  await assertClean(store);
});

Deno.test("object: a nameless response (e.g. a Status) is not stored", async () => {
  await using store = await CacheStore.open(":memory:");
  await store.putObject(byName, "application/json", pod("", "1"));
  await store.flush();
  assertEquals(await store.stats(), []);
});

Deno.test("object: stats count single objects and query snapshots per component resource", async () => {
  await using store = await CacheStore.open(":memory:");
  await store.putObject(byName, "application/json", pod("x", "1"));
  await store.putObject(byName, "application/json", pod("x", "2"));
  await storeList(store, podQuery(), [pod("a", "3"), pod("b", "4")], "10");
  await store.markStale(podQuery({ fieldSelector: "spec.nodeName=other" }), "overflow");
  await store.flush();
  const [stats] = await store.stats();
  assertEquals(
    [stats.component, stats.resource, stats.objects, stats.queries, stats.complete, stats.stale],
    ["kubelet", "pods", 3, 2, 1, 1],
  );
  assert(stats.bytes > 3 * 600);
  await assertClean(store);
});

Deno.test("object: the same object at the same resourceVersion is not written again; a new one is", async () => {
  await using store = await CacheStore.open(":memory:");
  const storedAt = async () => (await store.getObject("kubelet", PODS, "default", "a"))?.storedAt;
  await store.putObject(byName, "application/json", pod("a", "20"));
  await store.flush();
  const first = await storedAt();
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.putObject(byName, "application/json", pod("a", "20"));
  await store.flush();
  assertEquals(await storedAt(), first);
  await new Promise((resolve) => setTimeout(resolve, 5));
  await store.putObject(byName, "application/json", pod("a", "21"));
  await store.flush();
  assert((await storedAt())! > first!);
});
