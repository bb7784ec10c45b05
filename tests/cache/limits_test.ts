/**
 * Bounded per-query copies: at most N queries per component and M bytes of snapshots; the least
 * recently used idle query (its record, objects and pages) is evicted first.
 */
import { assert, assertEquals } from "../assert.ts";
import { CacheStore } from "../../src/cache/store.ts";
import type { WatchEvent } from "../../src/kube/types.ts";
import {
  assertClean,
  collect,
  pod,
  podQuery,
  recordOf,
  snapshotOf,
  storeList,
  tempCachePath,
} from "./helpers.ts";

/** 30 pods of about 4 KB: ~120 KB per listing. */
const PODS = Array.from({ length: 30 }, (_, i) => pod(`p${i}`, `${i + 1}`, { size: 4000 }));
const selector = (i: number) => podQuery({ labelSelector: `app=a${i}` });

Deno.test("limits: 40 distinct label selectors keep at most 8 queries; the recent ones stay", async () => {
  await using tmp = await tempCachePath();
  const options = { maxQueriesPerComponent: 8 };
  const fill = async (from: number, to: number) => {
    await using store = await CacheStore.open(tmp.path, options);
    for (let i = from; i < to; i++) await storeList(store, selector(i), PODS, "100");
  };
  await fill(0, 8);
  const sizeAfter8 = (await Deno.stat(tmp.path)).size; // closed: the log is checkpointed
  await fill(8, 40);
  const sizeAfter40 = (await Deno.stat(tmp.path)).size;
  // Freed pages are reused (without the limit the file grows to about 5 times).
  assert(sizeAfter40 < 2 * sizeAfter8, `${sizeAfter40} B after 40, ${sizeAfter8} B after 8`);
  await using store = await CacheStore.open(tmp.path, options);
  const kubelet = await store.queries("kubelet");
  assertEquals(
    kubelet.map((r) => r.labelSelector).sort(),
    [32, 33, 34, 35, 36, 37, 38, 39].map((i) => `app=a${i}`).sort(),
  );
  for (let i = 32; i < 40; i++) {
    assertEquals((await snapshotOf(store, selector(i))).objects.length, 30);
  }
  await assertClean(store);
});

Deno.test("limits: a query read offline counts as used; other components are left alone", async () => {
  await using tmp = await tempCachePath();
  await using store = await CacheStore.open(tmp.path, { maxQueriesPerComponent: 3 });
  const proxy = podQuery({ component: "kube-proxy" });
  await storeList(store, proxy, PODS, "100");
  for (let i = 0; i < 3; i++) await storeList(store, selector(i), PODS, "100");
  const first = await recordOf(store, selector(0));
  await collect(store.listObjects(first!)); // a0 is now the most recently used
  await storeList(store, selector(3), PODS, "100");
  await store.flush();
  const kept = (await store.queries("kubelet")).map((r) => r.labelSelector).sort();
  assertEquals(kept, ["app=a0", "app=a2", "app=a3"]);
  assertEquals((await snapshotOf(store, proxy)).objects.length, 30);
  await assertClean(store);
});

Deno.test("limits: the byte limit evicts least recently used queries of any component", async () => {
  await using tmp = await tempCachePath();
  const one = PODS.reduce((sum, p) => sum + p.bytes.byteLength, 0);
  await using store = await CacheStore.open(tmp.path, { maxQueryBytes: Math.floor(2.5 * one) });
  await storeList(store, podQuery({ component: "kube-proxy" }), PODS, "100");
  for (let i = 0; i < 4; i++) await storeList(store, selector(i), PODS, "100");
  await store.flush();
  const stats = await store.stats();
  assert(stats.reduce((sum, s) => sum + s.bytes, 0) <= 2.5 * one * 1.2, JSON.stringify(stats));
  assertEquals((await store.queries()).map((r) => r.labelSelector).sort(), ["app=a2", "app=a3"]);
  await assertClean(store);
});

Deno.test("limits: a watched query is never evicted", async () => {
  await using tmp = await tempCachePath();
  await using store = await CacheStore.open(tmp.path, { maxQueriesPerComponent: 2 });
  await storeList(store, selector(0), PODS, "100");
  const events = new TransformStream<WatchEvent, WatchEvent>();
  const watching = events.readable.pipeTo(store.watchSink(selector(0), "application/json"));
  for (let i = 1; i < 5; i++) await storeList(store, selector(i), PODS, "100");
  await store.flush();
  const kept = (await store.queries("kubelet")).map((r) => r.labelSelector).sort();
  assertEquals(kept, ["app=a0", "app=a4"]);
  await events.writable.close();
  await watching;
  await assertClean(store);
});
