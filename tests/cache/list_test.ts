import { assert, assertEquals } from "../assert.ts";
import { ATOMIC_LIMITS } from "../../src/cache/batcher.ts";
import { verifyCache } from "../../src/cache/inspect.ts";
import { isServable } from "../../src/cache/query.ts";
import { type CacheAnomaly, CacheStore } from "../../src/cache/store.ts";
import type { ListPart, RawObject } from "../../src/kube/types.ts";
import {
  assertClean,
  commitLog,
  listParts,
  pod,
  podQuery,
  PODS,
  recordOf,
  snapshotOf,
  storeList,
  storeWatch,
  summary,
} from "./helpers.ts";

const encoder = new TextEncoder();

function configMap(name: string, resourceVersion: string, size: number): RawObject {
  const data = "d".repeat(size);
  const body = JSON.stringify({
    kind: "ConfigMap",
    apiVersion: "v1",
    metadata: { name, namespace: "default", resourceVersion },
    data: { big: data },
  });
  return {
    meta: { name, namespace: "default", resourceVersion, uid: `uid-${name}`, labels: {} },
    fields: {},
    typeMeta: { apiVersion: "v1", kind: "ConfigMap" },
    bytes: encoder.encode(body),
  };
}

Deno.test("list: a stored LIST reads back byte-exact with its resourceVersion, media type and kind", async () => {
  await using store = await CacheStore.open(":memory:");
  const pods = [pod("a", "10"), pod("b", "11"), pod("c", "12", { namespace: "kube-system" })];
  await storeList(store, podQuery(), pods, "100");
  const { record, objects } = await snapshotOf(store);
  assert(isServable(record));
  assertEquals(
    [record.resourceVersion, record.mediaType, record.listKind, record.objectCount],
    ["100", "application/json", "PodList", 3],
  );
  assertEquals(summary(objects), summary(pods));
  const a = objects.find((o) => o.meta.name === "a")!;
  assertEquals(a.bytes, pods[0].bytes);
  assertEquals(a.fields, pods[0].fields);
  assertEquals(a.typeMeta, { apiVersion: "v1", kind: "Pod" });
  assertEquals(a.mediaType, "application/json");
});

Deno.test("list: an empty LIST is recorded as listed and empty, unlike a query never listed", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [], "100");
  const { record, objects } = await snapshotOf(store);
  assert(isServable(record));
  assertEquals([record.objectCount, objects.length], [0, 0]);
  assertEquals(
    await recordOf(store, podQuery({ fieldSelector: "spec.nodeName=other" })),
    undefined,
  );
});

Deno.test("list: a new LIST replaces the objects of its own query only", async () => {
  await using store = await CacheStore.open(":memory:");
  const mine = podQuery();
  const other = podQuery({ fieldSelector: "", namespace: "kube-system" });
  await storeList(store, mine, [pod("a", "10"), pod("b", "11")], "100");
  await storeList(store, other, [pod("dns", "12", { namespace: "kube-system" })], "100");
  await storeList(store, mine, [pod("b", "20"), pod("c", "21")], "200");
  assertEquals(summary((await snapshotOf(store, mine)).objects), ["default/b@20", "default/c@21"]);
  assertEquals(summary((await snapshotOf(store, other)).objects), ["kube-system/dns@12"]);
  await assertClean(store);
});

Deno.test("list: 5,000 pods and a 1.5 MiB ConfigMap are stored within every KV limit", async () => {
  const log = commitLog();
  await using store = await CacheStore.open(":memory:", { onCommit: log.onCommit });
  const pods = Array.from({ length: 5000 }, (_, i) => pod(`pod-${i}`, `${i + 1}`, { size: 3000 }));
  const big = configMap("big", "9000", 1.5 * 1024 * 1024);
  await storeList(store, podQuery(), [...pods, big], "10000");
  for (const info of log.commits) {
    assert(info.mutations <= ATOMIC_LIMITS.mutations, `mutations ${info.mutations}`);
    assert(info.bytes <= ATOMIC_LIMITS.bytes, `bytes ${info.bytes}`);
    assert(info.keyBytes <= ATOMIC_LIMITS.keyBytes, `key bytes ${info.keyBytes}`);
  }
  assert(log.commits.length < 100, `${log.commits.length} commits`);
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.objectCount, objects.length], [5001, 5001]);
  assertEquals(objects.find((o) => o.meta.name === "big")!.bytes, big.bytes);
  assertEquals((await store.getObject("kubelet", PODS, "default", "big"))?.bytes, big.bytes);
  await assertClean(store);
});

Deno.test("list: a replace deletes the previous generation's objects and blobs", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "1", { size: 200_000 }), pod("b", "2")], "10");
  await storeList(store, podQuery(), [pod("c", "3")], "20");
  await store.flush();
  let keys = 0;
  for await (const _ of store.kv.list({ prefix: ["c", "b"] })) keys++;
  assertEquals(keys, 0);
  assertEquals(summary((await snapshotOf(store)).objects), ["default/c@3"]);
  await assertClean(store);
});

Deno.test("list: pages are assembled into one snapshot, committed at the last page", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("old", "1")], "50");
  await storeList(store, podQuery(), [pod("a", "10"), pod("b", "11")], "100", { next: "t1" });
  assertEquals(summary((await snapshotOf(store)).objects), ["default/old@1"]);
  await storeList(store, podQuery(), [pod("c", "12")], "100", { asked: "t1", next: "t2" });
  assertEquals((await snapshotOf(store)).record.resourceVersion, "50");
  await storeList(store, podQuery(), [pod("d", "13")], "100", { asked: "t2" });
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.resourceVersion, record.objectCount], ["100", 4]);
  assertEquals(summary(objects), ["default/a@10", "default/b@11", "default/c@12", "default/d@13"]);
  await assertClean(store);
});

Deno.test("list: a continuation page nobody asked for (unknown token) is ignored", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100", { asked: "never-issued" });
  assertEquals(await recordOf(store, podQuery()), undefined);
  await assertClean(store);
});

Deno.test("list: a paginated list whose next page never comes is dropped after the timeout", async () => {
  await using store = await CacheStore.open(":memory:", { pageTimeoutMs: 20 });
  await storeList(store, podQuery(), [pod("a", "10")], "100", { next: "t1" });
  for (let i = 0; i < 100 && (await verifyCache(store.kv)).garbage.length > 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.flush();
  }
  await storeList(store, podQuery(), [pod("b", "11")], "100", { asked: "t1" });
  assertEquals(await recordOf(store, podQuery()), undefined);
  await assertClean(store);
});

Deno.test("list: a new first page drops the paginated list still waiting for pages", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100", { next: "t1" });
  await storeList(store, podQuery(), [pod("b", "20")], "200");
  await storeList(store, podQuery(), [pod("late", "11")], "100", { asked: "t1" });
  assertEquals(summary((await snapshotOf(store)).objects), ["default/b@20"]);
  await assertClean(store);
});

Deno.test("list: an aborted response marks the query stale with the reason and keeps the old objects", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  const parts = listParts([pod("b", "20"), pod("c", "21")], "200");
  const broken = new ReadableStream<ListPart>({
    start(controller) {
      for (const part of parts.slice(0, 2)) controller.enqueue(part);
      controller.error(new RangeError("cache branch fell 8 MiB behind"));
    },
  });
  const sink = store.listSink(podQuery(), "application/json", { continueToken: "" });
  await broken.pipeTo(sink).catch(() => {});
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.stale, isServable(record)], [true, false]);
  assert(record.staleReason.includes("8 MiB behind"), record.staleReason);
  assertEquals(summary(objects), ["default/a@10"]);
  await storeList(store, podQuery(), [pod("d", "30")], "300");
  assertEquals(isServable((await snapshotOf(store)).record), true);
  await assertClean(store);
});

Deno.test("list: Table and PartialObjectMetadata lists are stored apart from full objects", async () => {
  await using store = await CacheStore.open(":memory:");
  const table = podQuery({ transform: "as=Table;g=meta.k8s.io;v=v1" });
  const row = { ...pod("a", "10"), bytes: encoder.encode('{"kind":"Table"}') };
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  await storeList(store, table, [row], "100");
  assertEquals((await snapshotOf(store, table)).objects[0].bytes, row.bytes);
  assertEquals((await snapshotOf(store)).objects[0].bytes, pod("a", "10").bytes);
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "a"))?.bytes,
    pod("a", "10").bytes,
  );
  const asTable = await store.getObject("kubelet", PODS, "default", "a", table.transform);
  assertEquals(asTable?.bytes, row.bytes);
});

Deno.test("list: a LIST read before a newer one was committed does not replace it", async () => {
  await using store = await CacheStore.open(":memory:");
  const older = store.listSink(podQuery(), "application/json", { continueToken: "" }).getWriter();
  for (const part of listParts([pod("old", "140")], "150", "")) await older.write(part);
  await storeList(store, podQuery(), [pod("new", "190")], "200");
  await older.close();
  const { record, objects } = await snapshotOf(store);
  assertEquals(record.resourceVersion, "200");
  assertEquals(summary(objects), ["default/new@190"]);
  await assertClean(store);
});

Deno.test("list: a LIST read before a watch event moved the snapshot on does not replace it", async () => {
  const anomalies: CacheAnomaly[] = [];
  await using store = await CacheStore.open(":memory:", { onAnomaly: (a) => anomalies.push(a) });
  await storeList(store, podQuery(), [pod("a", "100")], "110");
  const late = store.listSink(podQuery(), "application/json", { continueToken: "" }).getWriter();
  for (const part of listParts([pod("a", "100")], "111", "")) await late.write(part);
  await storeWatch(store, podQuery(), [{ type: "ADDED", object: pod("b", "112") }], {
    since: "110",
  });
  await late.close();
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.resourceVersion, record.stale], ["112", false]);
  assertEquals(summary(objects), ["default/a@100", "default/b@112"]);
  assertEquals(anomalies, []);
  await assertClean(store);
});

Deno.test("list: a fresh LIST older than the snapshot replaces it: the upstream went backwards", async () => {
  const anomalies: CacheAnomaly[] = [];
  await using store = await CacheStore.open(":memory:", { onAnomaly: (a) => anomalies.push(a) });
  await storeList(store, podQuery(), [pod("new", "190")], "200");
  await storeList(store, podQuery(), [pod("restored", "140")], "150");
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.resourceVersion, isServable(record)], ["150", true]);
  assertEquals(summary(objects), ["default/restored@140"]);
  assertEquals(anomalies.map((a) => [a.kind, a.query?.resource]), [
    ["resource-version-backwards", "pods"],
  ]);
  await assertClean(store);
});

Deno.test("list: a name listed twice in one response is one object (large copy freed)", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10", { size: 100_000 }), pod("a", "11")], "100");
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.objectCount, summary(objects)], [1, ["default/a@11"]]);
  await assertClean(store);
});
