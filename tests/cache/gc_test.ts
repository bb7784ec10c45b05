import { assertEquals } from "../assert.ts";
import { verifyCache } from "../../src/cache/inspect.ts";
import {
  blobPartKey,
  generationKey,
  pendingBlobKey,
  snapshotKey,
  tombstoneKey,
} from "../../src/cache/keys.ts";
import { encodeRecord } from "../../src/cache/record.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { collect, pod, podQuery, recordOf, storeList, summary, tempCachePath } from "./helpers.ts";

async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let count = 0;
  for await (const _ of kv.list({ prefix })) count++;
  return count;
}

Deno.test("gc: start-up collects a generation never switched in, keeping the current one", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    await storeList(store, podQuery(), [pod("a", "1")], "10");
  }
  {
    using kv = await Deno.openKv(tmp.path);
    const big = encodeRecord(pod("half", "2", { size: 150_000 }), "application/json", 1);
    const atomic = kv.atomic().set(generationKey(1, 2), new Uint8Array(0));
    atomic.set(snapshotKey(1, 2, "default", "half"), big.value);
    atomic.set(tombstoneKey(1, 2, 0), encodeRecord(pod("t", "3"), "application/json", 1).value);
    big.parts.forEach((part, i) => atomic.set(blobPartKey(big.header.blob!.id, i), part));
    await atomic.commit();
    assertEquals((await verifyCache(kv)).garbage.length, 1);
  }
  await using store = await CacheStore.open(tmp.path);
  assertEquals(store.collected, { generations: 1, blobs: 0 });
  assertEquals(await countKeys(store.kv, ["c", "b"]), 0);
  const record = await recordOf(store, podQuery());
  assertEquals(summary(await collect(store.listObjects(record!))), ["default/a@1"]);
  const report = await verifyCache(store.kv);
  assertEquals([report.damage, report.garbage], [[], []]);
});

Deno.test("gc: start-up collects the parts of a blob whose record was never written", async () => {
  await using tmp = await tempCachePath();
  {
    using kv = await Deno.openKv(tmp.path);
    await kv.atomic()
      .set(pendingBlobKey("feedface"), new Uint8Array(0))
      .set(blobPartKey("feedface", 0), new Uint8Array(65_536))
      .set(blobPartKey("feedface", 1), new Uint8Array(100))
      .commit();
  }
  await using store = await CacheStore.open(tmp.path);
  assertEquals(store.collected, { generations: 0, blobs: 1 });
  assertEquals(await countKeys(store.kv, ["c"]), 0);
});

Deno.test("gc: a paginated list cut short by a restart leaves nothing behind", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    await storeList(store, podQuery(), [pod("a", "1", { size: 100_000 })], "10", { next: "t1" });
  }
  await using store = await CacheStore.open(tmp.path);
  await storeList(store, podQuery(), [pod("b", "2")], "10", { asked: "t1" });
  assertEquals(await recordOf(store, podQuery()), undefined);
  const report = await verifyCache(store.kv);
  assertEquals([report.damage, report.garbage], [[], []]);
  assertEquals(await countKeys(store.kv, ["c"]), 0);
});

Deno.test("gc: a reopened cache keeps its queries, objects and query ids", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    await storeList(store, podQuery(), [pod("a", "1")], "10");
  }
  await using store = await CacheStore.open(tmp.path);
  await storeList(store, podQuery({ fieldSelector: "" }), [pod("b", "2")], "20");
  await storeList(store, podQuery(), [pod("c", "3")], "30");
  const first = await recordOf(store, podQuery());
  const second = await recordOf(store, podQuery({ fieldSelector: "" }));
  assertEquals([first?.id, second?.id, first?.generation], [1, 2, 2]);
  assertEquals(summary(await collect(store.listObjects(first!))), ["default/c@3"]);
  assertEquals(summary(await collect(store.listObjects(second!))), ["default/b@2"]);
});
