import { assert, assertEquals } from "../assert.ts";
import { ATOMIC_LIMITS } from "../../src/cache/batcher.ts";
import { isServable } from "../../src/cache/query.ts";
import { type CacheAnomaly, CacheStore } from "../../src/cache/store.ts";
import type { RawObject, WatchEvent } from "../../src/kube/types.ts";
import {
  assertClean,
  bookmark,
  commitLog,
  pod,
  podQuery,
  PODS,
  snapshotOf,
  storeList,
  storeWatch,
  summary,
  tempCachePath,
} from "./helpers.ts";

const event = (type: WatchEvent["type"], object: RawObject): WatchEvent => ({ type, object });

Deno.test("watch: ADDED/MODIFIED keep the newer resourceVersion, an older event is ignored", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  await storeWatch(store, podQuery(), [
    event("MODIFIED", pod("a", "102")),
    event("MODIFIED", pod("a", "101")),
    event("ADDED", pod("b", "103")),
  ]);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@102", "default/b@103"]);
  assertEquals([record.resourceVersion, record.objectCount, isServable(record)], ["103", 2, true]);
  await assertClean(store);
});

for (
  const [what, late] of [
    ["a MODIFIED older than the listing", event("MODIFIED", pod("a", "90"))],
    ["an ADDED for an object the listing lacks, at its version", event("ADDED", pod("n", "100"))],
    ["a DELETED older than the listing", event("DELETED", pod("a", "60"))],
  ] as const
) {
  Deno.test(`watch: ${what}, from a watch begun at the listing: went backwards, stale, reported once`, async () => {
    const anomalies: CacheAnomaly[] = [];
    await using store = await CacheStore.open(":memory:", { onAnomaly: (a) => anomalies.push(a) });
    await storeList(store, podQuery(), [pod("a", "10")], "100");
    await storeWatch(store, podQuery(), [late, late], { since: "100" });
    const { record, objects } = await snapshotOf(store);
    assertEquals(summary(objects), ["default/a@10"]);
    assert(record.stale && record.staleReason.includes("went backwards"));
    assertEquals(anomalies.map((a) => a.kind), ["resource-version-backwards"]);
    await assertClean(store);
  });

  for (const since of ["50", "0", ""]) {
    Deno.test(`watch: ${what}, from a watch begun at "${since}" (before the listing): old news, dropped`, async () => {
      const anomalies: CacheAnomaly[] = [];
      await using store = await CacheStore.open(":memory:", {
        onAnomaly: (a) => anomalies.push(a),
      });
      await storeList(store, podQuery(), [pod("a", "10")], "100");
      await storeWatch(store, podQuery(), [late, event("ADDED", pod("b", "101"))], { since });
      const { record, objects } = await snapshotOf(store);
      assertEquals(summary(objects), ["default/a@10", "default/b@101"]);
      assertEquals([record.stale, record.resourceVersion, anomalies.length], [false, "101", 0]);
      await assertClean(store);
    });
  }
}

Deno.test("watch: DELETED removes the object and keeps a tombstone with its resourceVersion", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10"), pod("b", "11")], "100");
  await storeWatch(store, podQuery(), [event("DELETED", pod("a", "105"))]);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/b@11"]);
  assertEquals([record.objectCount, record.resourceVersion], [1, "105"]);
  const tombstones = await store.tombstonesSince(record, "100");
  assertEquals(summary(tombstones), ["default/a@105"]);
  assertEquals(tombstones[0].bytes, pod("a", "105").bytes);
  assertEquals(await store.tombstonesSince(record, "105"), []);
  assertEquals(await store.getObject("kubelet", PODS, "default", "a"), null);
  await assertClean(store);
});

Deno.test("watch: tombstones are bounded per query; historyFrom moves past the evicted ones", async () => {
  await using store = await CacheStore.open(":memory:", { maxTombstones: 3 });
  const names = ["a", "b", "c", "d", "e"];
  await storeList(store, podQuery(), names.map((n, i) => pod(n, `${i + 1}`)), "100");
  await storeWatch(store, podQuery(), names.map((n, i) => event("DELETED", pod(n, `${101 + i}`))));
  const { record } = await snapshotOf(store);
  assertEquals(record.historyFrom, "102");
  assertEquals(summary(await store.tombstonesSince(record, "100")), [
    "default/c@103",
    "default/d@104",
    "default/e@105",
  ]);
  await assertClean(store);
});

Deno.test("watch: BOOKMARK moves the query's resourceVersion forward, never back", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  await storeWatch(store, podQuery(), [bookmark("150"), bookmark("120")]);
  assertEquals((await snapshotOf(store)).record.resourceVersion, "150");
});

Deno.test("watch: ERROR ends caching of the stream without marking the query stale", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  const expired = { ...pod("", "0"), typeMeta: { apiVersion: "v1", kind: "Status" } };
  await storeWatch(store, podQuery(), [event("ERROR", expired), event("ADDED", pod("b", "101"))]);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@10"]);
  assertEquals([record.stale, record.resourceVersion], [false, "100"]);
});

Deno.test("watch: events of a never-listed query are stored for GET, the query stays incomplete", async () => {
  await using store = await CacheStore.open(":memory:");
  const byName = podQuery({ fieldSelector: "metadata.name=a", namespace: "default" });
  await storeWatch(store, byName, [event("ADDED", pod("a", "10")), bookmark("12")]);
  const { record, objects } = await snapshotOf(store, byName);
  assertEquals([record.complete, isServable(record), record.resourceVersion], [false, false, "12"]);
  assertEquals(summary(objects), ["default/a@10"]);
  assertEquals(
    (await store.getObject("kubelet", PODS, "default", "a"))?.meta.resourceVersion,
    "10",
  );
  await assertClean(store);
});

Deno.test("watch: a watch-list's initial events become a complete snapshot at the end bookmark", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("gone", "5")], "50");
  await storeWatch(store, podQuery(), [
    event("ADDED", pod("a", "60")),
    event("ADDED", pod("b", "61")),
    bookmark("70"),
    bookmark("80", true),
    event("MODIFIED", pod("a", "81")),
  ], { initialEvents: true });
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@81", "default/b@61"]);
  assertEquals([isServable(record), record.resourceVersion, record.listKind], [
    true,
    "81",
    "PodList",
  ]);
  await assertClean(store);
});

Deno.test("watch: a watch-list that ends before its end bookmark replaces nothing", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("kept", "5")], "50");
  await storeWatch(store, podQuery(), [event("ADDED", pod("a", "60"))], { initialEvents: true });
  const { record, objects } = await snapshotOf(store);
  assertEquals([summary(objects), record.resourceVersion], [["default/kept@5"], "50"]);
  await assertClean(store);
});

Deno.test("watch: a stream the proxy gave up on marks the query stale", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  const broken = new ReadableStream<WatchEvent>({
    start(controller) {
      controller.enqueue(event("MODIFIED", pod("a", "101")));
      controller.error(new Error("tee overflow"));
    },
  });
  await broken.pipeTo(store.watchSink(podQuery(), "application/json")).catch(() => {});
  const { record } = await snapshotOf(store);
  assertEquals([record.stale, isServable(record)], [true, false]);
  assert(record.staleReason.includes("tee overflow"));
});

/** A small deterministic PRNG (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("watch: 10,000 mixed events (large objects, stale versions) leave the store equal to a model", async () => {
  const log = commitLog();
  await using store = await CacheStore.open(":memory:", { onCommit: log.onCommit });
  const next = random(42);
  const model = new Map<string, RawObject>();
  for (let i = 0; i < 200; i++) model.set(`p-${i}`, pod(`p-${i}`, `${i + 1}`));
  await storeList(store, podQuery(), [...model.values()], "1000");
  let rv = 1000;
  const deletions: string[] = [];
  const events: WatchEvent[] = [];
  const pick = () => [...model.keys()][Math.floor(next() * model.size)];
  for (let i = 0; i < 10_000; i++) {
    const roll = next();
    const size = next() < 0.02 ? 100_000 : 500;
    if (roll < 0.4 && model.size > 0) {
      const object = pod(pick(), `${++rv}`, { size });
      model.set(object.meta.name, object);
      events.push(event("MODIFIED", object));
    } else if (roll < 0.6) {
      const object = pod(`p-${Math.floor(next() * 400)}`, `${++rv}`, { size });
      model.set(object.meta.name, object);
      events.push(event("ADDED", object));
    } else if (roll < 0.78 && model.size > 0) {
      const name = pick();
      const object = pod(name, `${++rv}`);
      model.delete(name);
      deletions.push(`default/${name}@${rv}`);
      events.push(event("DELETED", object));
    } else if (roll < 0.88) {
      events.push(bookmark(`${++rv}`));
    } else if (model.size > 0) {
      const stored = model.get(pick())!;
      const older = Number(stored.meta.resourceVersion) - 1;
      events.push(event("MODIFIED", pod(stored.meta.name, `${older}`, { tag: "stale" })));
    }
  }
  await storeWatch(store, podQuery(), events);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), summary([...model.values()]));
  for (const object of objects) assertEquals(object.bytes, model.get(object.meta.name)!.bytes);
  assertEquals([record.objectCount, record.resourceVersion], [model.size, `${rv}`]);
  const tombstones = await store.tombstonesSince(record, "1000");
  assertEquals(
    tombstones.map((t) => `${t.meta.namespace}/${t.meta.name}@${t.meta.resourceVersion}`),
    deletions.slice(-1000),
  );
  for (const info of log.commits) {
    assert(info.mutations <= ATOMIC_LIMITS.mutations && info.bytes <= ATOMIC_LIMITS.bytes);
  }
  await assertClean(store);
});

Deno.test("watch: after a restart, events are checked against what is stored (index read back)", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path, { maxTombstones: 2 });
    await storeList(store, podQuery(), [pod("a", "10"), pod("b", "11"), pod("c", "12")], "100");
    await storeWatch(store, podQuery(), [event("DELETED", pod("c", "101"))]);
  }
  await using store = await CacheStore.open(tmp.path, { maxTombstones: 2 });
  await storeWatch(store, podQuery(), [
    event("MODIFIED", pod("a", "9")),
    event("DELETED", pod("b", "102")),
    event("DELETED", pod("x", "103")),
  ]);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@10"]);
  assertEquals([record.objectCount, record.historyFrom], [1, "101"]);
  assertEquals(summary(await store.tombstonesSince(record, "0")), [
    "default/b@102",
    "default/x@103",
  ]);
  await assertClean(store);
});

Deno.test("watch: two streams of one query at once keep its record consistent", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [], "100");
  const first = Array.from({ length: 200 }, (_, i) => event("ADDED", pod(`a-${i}`, `${101 + i}`)));
  const second = Array.from({ length: 200 }, (_, i) => event("ADDED", pod(`b-${i}`, `${301 + i}`)));
  await Promise.all([storeWatch(store, podQuery(), first), storeWatch(store, podQuery(), second)]);
  const { record, objects } = await snapshotOf(store);
  assertEquals([record.objectCount, objects.length, record.resourceVersion], [400, 400, "500"]);
  await assertClean(store);
});
