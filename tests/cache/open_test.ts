/**
 * Opening the cache file: a damaged, truncated or foreign file is moved aside and the cache
 * starts empty; an unwritable place leaves a memory cache; a locked file is not touched.
 */
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { CacheLock, CacheLocked } from "../../src/cache/lock.ts";
import { CACHE_LAYOUT, openCache, type OpenedCache } from "../../src/cache/open.ts";
import { CacheStore } from "../../src/cache/store.ts";
import {
  assertClean,
  mountTmpfs,
  pod,
  podQuery,
  snapshotOf,
  storeList,
  tempCachePath,
} from "./helpers.ts";

/** {@link openCache} with default options, closed and unlocked on dispose. */
async function opened(path: string): Promise<OpenedCache & AsyncDisposable> {
  const cache = await openCache(path, {});
  return {
    ...cache,
    async [Symbol.asyncDispose]() {
      await cache.store.close();
      cache.lock.release();
    },
  };
}

/** A KV file holding one listed pod query, as bytes. */
async function goodFile(path: string): Promise<Uint8Array> {
  {
    await using store = await CacheStore.open(path);
    const pods = Array.from({ length: 200 }, (_, i) => pod(`p${i}`, `${i + 1}`, { size: 2000 }));
    await storeList(store, podQuery(), pods, "300");
  }
  const bytes = await Deno.readFile(path);
  await Deno.remove(path);
  return bytes;
}

const DAMAGE: [string, (good: Uint8Array) => Uint8Array | Promise<Uint8Array>][] = [
  ["random bytes", () => crypto.getRandomValues(new Uint8Array(65536))],
  ["a text file", () => new TextEncoder().encode("not a database\n".repeat(500))],
  ["a KV file truncated to half", (good) => good.subarray(0, Math.floor(good.byteLength / 2))],
  ["a KV file truncated to 100 bytes", (good) => good.subarray(0, 100)],
  ["a KV file with overwritten pages", (good) => {
    const bad = good.slice();
    bad.fill(0x55, 8192, 16384);
    return bad;
  }],
];

for (const [title, damage] of DAMAGE) {
  Deno.test(`open: ${title} is moved aside and the cache starts empty`, async () => {
    await using tmp = await tempCachePath();
    const broken = await damage(await goodFile(tmp.path));
    await Deno.writeFile(tmp.path, broken);
    await using cache = await opened(tmp.path);
    const { store, fault } = cache;
    assertEquals(fault?.kind, "damaged", String(fault?.error));
    assertEquals(fault?.path, tmp.path);
    assert(fault?.movedTo?.startsWith(`${tmp.path}.corrupt-`), fault?.movedTo);
    assertEquals(await Deno.readFile(fault!.movedTo!), broken);
    assertEquals(await store.queries(), []);
    await storeList(store, podQuery(), [pod("a", "1")], "5");
    assertEquals((await snapshotOf(store)).objects.length, 1);
    await assertClean(store);
  });
}

Deno.test("open: another program's SQLite database is moved aside, never written", async () => {
  await using tmp = await tempCachePath();
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(tmp.path);
  db.exec("CREATE TABLE users (id INTEGER, name TEXT); INSERT INTO users VALUES (1, 'a')");
  db.close();
  const before = await Deno.readFile(tmp.path);
  await using cache = await opened(tmp.path);
  const { fault } = cache;
  assertEquals(fault?.kind, "damaged");
  assert(fault?.error.includes("users"), fault?.error);
  assertEquals(await Deno.readFile(fault!.movedTo!), before);
});

Deno.test("open: a sound file opens with no fault and keeps its data", async () => {
  await using tmp = await tempCachePath();
  await Deno.writeFile(tmp.path, await goodFile(tmp.path));
  await using cache = await opened(tmp.path);
  const { store, fault } = cache;
  assertEquals(fault, undefined);
  assertEquals((await snapshotOf(store)).objects.length, 200);
});

Deno.test("open: a locked file is refused naming the holder, and not touched", async () => {
  await using tmp = await tempCachePath();
  await Deno.writeFile(tmp.path, await goodFile(tmp.path));
  const held = await CacheLock.acquire(tmp.path);
  try {
    await held.describe({ pid: 4242, admin: "http://127.0.0.1:10267" });
    const before = await Deno.stat(tmp.path);
    const error = await assertRejects(() => openCache(tmp.path, {}), CacheLocked) as CacheLocked;
    assertEquals(error.holder, { pid: 4242, admin: "http://127.0.0.1:10267" });
    assert(error.message.includes(tmp.path) && error.message.includes("pid 4242"), error.message);
    const after = await Deno.stat(tmp.path);
    assertEquals([after.size, after.mtime], [before.size, before.mtime]);
  } finally {
    held.release();
  }
  await using _again = await opened(tmp.path); // free again once released
});

Deno.test("open: an unwritable place (read-only file system) leaves a memory cache", async () => {
  await using mount = await mountTmpfs("ro,size=1m");
  if (!mount) return; // mountTmpfs printed why
  const path = `${mount.dir}/cache.kv`;
  await using cache = await opened(path);
  const { store, fault } = cache;
  assertEquals(fault?.kind, "unwritable");
  assertEquals(fault?.path, path);
  await storeList(store, podQuery(), [pod("a", "1")], "5");
  assertEquals((await snapshotOf(store)).objects.length, 1);
});

Deno.test("open: a file of another cache layout is moved aside untouched and rebuilt", async () => {
  await using tmp = await tempCachePath();
  await Deno.writeFile(tmp.path, await goodFile(tmp.path));
  {
    const kv = await Deno.openKv(tmp.path);
    await kv.set(["holdfast", "layout"], CACHE_LAYOUT + 1); // a newer agent's file (a downgrade)
    kv.close();
  }
  const before = await Deno.readFile(tmp.path);
  await using cache = await opened(tmp.path);
  const { store, fault } = cache;
  assertEquals(fault?.kind, "incompatible");
  assert(fault?.error.includes(`layout ${CACHE_LAYOUT + 1}`), fault?.error);
  assertEquals(await Deno.readFile(fault!.movedTo!), before);
  assertEquals(await store.queries(), []);
});

Deno.test("open: a file from before the layout was recorded is layout 1 and keeps its data", async () => {
  await using tmp = await tempCachePath();
  await Deno.writeFile(tmp.path, await goodFile(tmp.path));
  {
    const kv = await Deno.openKv(tmp.path);
    assertEquals((await kv.get(["holdfast", "layout"])).value, null);
    kv.close();
  }
  {
    await using cache = await opened(tmp.path);
    assertEquals(cache.fault, undefined);
    assertEquals((await snapshotOf(cache.store)).objects.length, 200);
    assertEquals((await cache.store.kv.get(["holdfast", "layout"])).value, CACHE_LAYOUT);
  }
  await using again = await opened(tmp.path);
  assertEquals(again.fault, undefined);
});

Deno.test("open: files from before (0644) are made 0600, a missing folder is made 0700", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    await storeList(store, podQuery(), [pod("a", "1")], "1");
  }
  await Deno.writeTextFile(`${tmp.path}.lock`, "");
  for (const suffix of ["", ".lock"]) await Deno.chmod(`${tmp.path}${suffix}`, 0o644);
  const modes = async (paths: string[]) =>
    await Promise.all(paths.map(async (p) => (await Deno.stat(p)).mode! & 0o777));
  {
    await using cache = await opened(tmp.path);
    assertEquals(cache.fault, undefined);
    const files = ["", "-wal", "-shm", ".lock"].map((suffix) => `${tmp.path}${suffix}`);
    assertEquals(await modes(files), [0o600, 0o600, 0o600, 0o600]);
  }
  {
    await using cache = await opened(`${tmp.path}.d/a/b/cache.kv`);
    assertEquals(cache.fault, undefined);
    assertEquals(await modes([`${tmp.path}.d/a`, `${tmp.path}.d/a/b`]), [0o700, 0o700]);
  }
  await Deno.remove(`${tmp.path}.d`, { recursive: true });
});

Deno.test("open: a seal key file that is not 32 bytes leaves a memory cache and a seal-key fault; the file is kept", async () => {
  await using tmp = await tempCachePath();
  const keyFile = `${tmp.path}.key`;
  await Deno.writeTextFile(keyFile, "too short\n");
  const cache = await openCache(tmp.path, { sealedResources: ["secrets"], keyFile });
  try {
    assertEquals(cache.fault?.kind, "seal-key");
    assert(cache.fault?.error.includes("holds 10 bytes"), cache.fault?.error);
    assertEquals(await Deno.readTextFile(keyFile), "too short\n");
  } finally {
    await cache.store.close();
    cache.lock.release();
  }
  await Deno.remove(keyFile);
  await using created = await opened(tmp.path);
  assertEquals(created.fault, undefined);
});
