/**
 * A commit that keeps failing (disk full, I/O error) pauses cache writes instead of stopping
 * them for good: reads go on, writes fail fast, and once KV accepts writes again caching resumes
 * by itself, with the queries whose writes were lost marked stale and the file consistent.
 * Generated failures at unit level, and a real full disk on a small tmpfs.
 */
import { assert, assertEquals } from "../assert.ts";
import { CacheStore, type WritePause } from "../../src/cache/store.ts";
import type { WatchEvent } from "../../src/kube/types.ts";
import {
  assertClean,
  fillDisk,
  mountTmpfs,
  pod,
  podQuery,
  recordOf,
  snapshotOf,
  storeList,
  tempCachePath,
} from "./helpers.ts";

/** The store's pause notifications, one promise per change. */
function pauses() {
  const seen: (WritePause | undefined)[] = [];
  let wake = () => {};
  return {
    onPause: (pause: WritePause | undefined) => {
      seen.push(pause);
      wake();
    },
    async next(paused: boolean): Promise<void> {
      while (seen.length === 0 || (seen.at(-1) !== undefined) !== paused) {
        await new Promise<void>((resolve) => wake = resolve);
      }
    },
  };
}

Deno.test("pause: failing commits pause writes; reads go on; writes resume by themselves", async () => {
  await using tmp = await tempCachePath();
  let failing = false;
  const notes = pauses();
  const store = await CacheStore.open(tmp.path, {
    retryDelaysMs: [0],
    probeIntervalMs: 10,
    onPause: notes.onPause,
    commit: (atomic) =>
      failing ? Promise.reject(new Error("database or disk is full")) : atomic.commit(),
  });
  try {
    const watched = podQuery();
    const quiet = podQuery({ component: "kube-proxy" });
    await storeList(store, watched, [pod("a", "10"), pod("b", "11")], "20");
    await storeList(store, quiet, [pod("c", "12")], "20");
    const events = new TransformStream<WatchEvent, WatchEvent>();
    const watching = events.readable.pipeTo(store.watchSink(watched, "application/json"))
      .catch(() => {});
    const feed = events.writable.getWriter();

    failing = true;
    await feed.write({ type: "ADDED", object: pod("d", "30") }).catch(() => {});
    await storeList(store, podQuery({ labelSelector: "app=x" }), [pod("x", "31")], "31")
      .catch(() => {});
    await notes.next(true);
    assert(store.writePause?.reason.includes("disk is full"), store.writePause?.reason);
    // Reads go on; writes fail at once rather than queueing.
    assertEquals((await snapshotOf(store, watched)).objects.length, 2);
    let refused = false;
    await storeList(store, podQuery({ labelSelector: "app=y" }), [pod("y", "32")], "32")
      .catch(() => refused = true);
    assert(refused);

    failing = false;
    await notes.next(false);
    assertEquals(store.writePause, undefined);
    await feed.close().catch(() => {});
    await watching;
    const stale = await recordOf(store, watched);
    assert(stale?.stale, "the watched query lost an event: stale");
    assert(stale.staleReason.includes("paused"), stale.staleReason);
    assertEquals((await recordOf(store, quiet))?.stale, false);
    // The list cut by the failure never became servable.
    assert(!(await recordOf(store, podQuery({ labelSelector: "app=x" })))?.complete);
    await storeList(store, watched, [pod("a", "10"), pod("d", "30")], "40");
    assertEquals((await snapshotOf(store, watched)).objects.length, 2);
    await assertClean(store);
  } finally {
    await store.close();
  }
});

Deno.test("pause: a full disk (8 MiB tmpfs) pauses caching, which resumes when space returns", async () => {
  await using mount = await mountTmpfs("size=8m");
  if (!mount) return; // mountTmpfs printed why
  const notes = pauses();
  const store = await CacheStore.open(`${mount.dir}/cache.kv`, {
    retryDelaysMs: [0],
    probeIntervalMs: 20,
    onPause: notes.onPause,
  });
  try {
    await storeList(store, podQuery(), [pod("a", "1")], "1");
    await fillDisk(`${mount.dir}/filler`);
    const big = Array.from({ length: 400 }, (_, i) => pod(`p${i}`, `${i + 2}`, { size: 4000 }));
    await storeList(store, podQuery({ labelSelector: "app=big" }), big, "500").catch(() => {});
    await notes.next(true);
    assertEquals((await snapshotOf(store)).objects.length, 1);

    await Deno.remove(`${mount.dir}/filler`);
    await notes.next(false);
    await storeList(store, podQuery({ labelSelector: "app=big" }), big, "500");
    assertEquals(
      (await snapshotOf(store, podQuery({ labelSelector: "app=big" }))).objects.length,
      400,
    );
    await assertClean(store);
  } finally {
    await store.close();
  }
});
