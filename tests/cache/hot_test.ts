/**
 * Hot snapshots in memory: an offline read answered from memory equals the one read from KV alone,
 * under generated sequences of list replacements, watch events, deletes, evictions and restarts.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { snapshotKey } from "../../src/cache/keys.ts";
import { isServable, type QueryIdentity } from "../../src/cache/query.ts";
import type { StoredObject } from "../../src/cache/record.ts";
import { Sealer } from "../../src/cache/seal.ts";
import { CacheStore } from "../../src/cache/store.ts";
import type { RawObject, WatchEvent } from "../../src/kube/types.ts";
import {
  collect,
  pod,
  podQuery,
  recordOf,
  secretObject,
  storeList,
  storeWatch,
  tempCachePath,
} from "./helpers.ts";

const decoder = new TextDecoder();

/** What an answer is made of, comparable with `assertEquals`. */
function answer(objects: StoredObject[]) {
  return objects.map((o) => ({
    meta: o.meta,
    fields: o.fields,
    typeMeta: o.typeMeta,
    mediaType: o.mediaType,
    storedAt: o.storedAt,
    bytes: decoder.decode(o.bytes),
  }));
}

/** The answer for `query` read from `store` (undefined when it cannot answer as complete). */
async function read(store: CacheStore, query: QueryIdentity) {
  const record = await recordOf(store, query);
  if (!record || !isServable(record)) return undefined;
  const held = store.heldObjects(record);
  const objects = answer(await collect(store.listObjects(record)));
  // The synchronous read of a hot snapshot is the same answer.
  if (held) assertEquals(answer(held), objects);
  return objects;
}

const QUERIES = [
  podQuery(),
  podQuery({ fieldSelector: "", namespace: "kube-system" }),
  podQuery({ component: "kube-proxy", fieldSelector: "" }),
];
const NAMES = ["a", "b", "c", "d", "e", "f", "g", "h", "ü-1", "z"];
const NAMESPACES = ["default", "kube-system"];

interface Case {
  rand: () => number;
  rv: number;
  pending: Promise<void>[];
}

function pick<T>(c: Case, items: readonly T[]): T {
  return items[Math.floor(c.rand() * items.length)];
}

/** A pod of the query's namespace (if it has one), sometimes too large for one KV value. */
function randomPod(c: Case, query: QueryIdentity, name = pick(c, NAMES)): RawObject {
  const namespace = query.namespace || pick(c, NAMESPACES);
  const size = c.rand() < 0.05 ? 70_000 : 200 + Math.floor(c.rand() * 800);
  return pod(name, String(++c.rv), { namespace, size, tag: String(c.rv) });
}

async function list(c: Case, store: CacheStore, query: QueryIdentity): Promise<void> {
  const names = NAMES.filter(() => c.rand() < 0.6);
  const objects = names.map((name) => randomPod(c, query, name));
  const rv = String(++c.rv);
  if (objects.length > 2 && c.rand() < 0.3) {
    const half = Math.floor(objects.length / 2);
    await storeList(store, query, objects.slice(0, half), rv, { next: `t${rv}` });
    await storeList(store, query, objects.slice(half), rv, { asked: `t${rv}` });
  } else {
    await storeList(store, query, objects, rv);
  }
}

function watch(c: Case, store: CacheStore, query: QueryIdentity): Promise<void> {
  const events: WatchEvent[] = [];
  for (let i = 1 + Math.floor(c.rand() * 4); i > 0; i--) {
    const roll = c.rand();
    const type = roll < 0.3 ? "DELETED" : roll < 0.6 ? "ADDED" : "MODIFIED";
    events.push({ type, object: randomPod(c, query) });
  }
  return storeWatch(store, query, events);
}

async function settle(c: Case, store: CacheStore): Promise<void> {
  await Promise.all(c.pending.splice(0));
  await store.flush();
}

/** Reads every query from the hot store (twice: a fill, then a hit) and from KV alone. */
async function compare(c: Case, store: CacheStore, path: string, step: string): Promise<number> {
  await settle(c, store);
  await using plain = await CacheStore.open(path, { readOnly: true });
  let hits = 0;
  for (const query of QUERIES) {
    const expected = await read(plain, query);
    assertEquals(await read(store, query), expected, `${step}: first read`);
    const held = store.hotStats.queries;
    assertEquals(await read(store, query), expected, `${step}: second read`);
    if (expected && held > 0) hits++;
  }
  return hits;
}

Deno.test("hot snapshots: every answer from memory equals the one from KV alone (generated)", async () => {
  let hits = 0;
  for (let seed = 1; seed <= 50; seed++) {
    const c: Case = { rand: seededRandom(seed), rv: 100, pending: [] };
    await using tmp = await tempCachePath();
    const options = {
      hotMaxBytes: pick(c, [4_000, 20_000, 200_000, 1_000_000]),
      maxQueriesPerComponent: pick(c, [1, 2, 64]),
    };
    let store = await CacheStore.open(tmp.path, options);
    try {
      for (let step = 0; step < 40; step++) {
        const query = pick(c, QUERIES);
        const roll = c.rand();
        const name = `seed ${seed} step ${step}`;
        if (roll < 0.2) {
          await settle(c, store);
          await list(c, store, query);
        } else if (roll < 0.55) {
          c.pending.push(watch(c, store, query));
        } else if (roll < 0.75) {
          // A read while writes are in flight (it may fill the index): compared once settled.
          const record = await recordOf(store, query);
          if (record && isServable(record)) {
            c.pending.push(collect(store.listObjects(record)).then(() => {}, () => {}));
          }
        } else if (roll < 0.85) {
          hits += await compare(c, store, tmp.path, name);
        } else if (roll < 0.9) {
          await settle(c, store);
          await store.close();
          store = await CacheStore.open(tmp.path, options);
        } else {
          await settle(c, store);
          await store.purge(query.component);
        }
      }
      hits += await compare(c, store, tmp.path, `seed ${seed} end`);
    } finally {
      await settle(c, store).catch(() => {});
      await store.close();
    }
  }
  assert(hits > 50, `answers came from memory (${hits})`);
});

Deno.test("hot snapshots: a later read comes from memory; a restart reads KV again", async () => {
  await using tmp = await tempCachePath();
  const query = podQuery();
  let store = await CacheStore.open(tmp.path);
  try {
    await storeList(store, query, [pod("a", "10"), pod("b", "11")], "20");
    await store.flush();
    assertEquals((await read(store, query))?.length, 2);
    assertEquals(store.hotStats.queries, 1);
    assert(store.hotStats.bytes > 1000);
    // Behind the store's back (not a cache write): memory answers without reading KV.
    const record = (await recordOf(store, query))!;
    await store.kv.delete(snapshotKey(record.id, record.generation, "default", "b"));
    assertEquals((await read(store, query))?.map((o) => o.meta.name), ["a", "b"]);
    await store.close();
    store = await CacheStore.open(tmp.path);
    assertEquals(store.hotStats.queries, 0);
    assertEquals((await read(store, query))?.map((o) => o.meta.name), ["a"]);
    assertEquals(store.hotStats.queries, 1);
  } finally {
    await store.close();
  }
});

Deno.test("hot snapshots: watch events and relists of a hot query are followed in memory", async () => {
  await using tmp = await tempCachePath();
  const query = podQuery();
  await using store = await CacheStore.open(tmp.path);
  await storeList(store, query, [pod("b", "10"), pod("d", "11")], "20");
  await store.flush();
  await read(store, query);
  await storeWatch(store, query, [
    { type: "ADDED", object: pod("a", "21") },
    { type: "MODIFIED", object: pod("d", "22", { tag: "x" }) },
    { type: "DELETED", object: pod("b", "23") },
  ]);
  await store.flush();
  const record = (await recordOf(store, query))!;
  // The entry followed the commits: dropping the KV copy does not change the answer.
  await store.kv.delete(snapshotKey(record.id, record.generation, "default", "a"));
  const names = (await read(store, query))?.map((o) => `${o.meta.name}@${o.meta.resourceVersion}`);
  assertEquals(names, ["a@21", "d@22"]);
  await storeList(store, query, [pod("c", "30"), pod("a", "31")], "40");
  await store.flush();
  assertEquals(store.hotStats.queries, 1);
  const relisted = (await recordOf(store, query))!;
  await store.kv.delete(snapshotKey(relisted.id, relisted.generation, "default", "c"));
  const after = (await read(store, query))?.map((o) => `${o.meta.name}@${o.meta.resourceVersion}`);
  assertEquals(after, ["a@31", "c@30"]);
});

Deno.test("hot snapshots: sealed resources and a zero budget are never held", async () => {
  await using tmp = await tempCachePath();
  const sealer = await Sealer.ephemeral();
  await using store = await CacheStore.open(tmp.path, { sealer, sealedResources: ["secrets"] });
  const secrets = podQuery({ resource: "secrets", fieldSelector: "" });
  await storeList(store, secrets, [secretObject("s", { data: { k: "djE=" } })], "20");
  await store.flush();
  assertEquals((await read(store, secrets))?.length, 1);
  assertEquals((await read(store, secrets))?.length, 1);
  assertEquals(store.hotStats, { bytes: 0, maxBytes: 64 * 1024 * 1024, queries: 0 });

  await using off = await tempCachePath();
  await using none = await CacheStore.open(off.path, { hotMaxBytes: 0 });
  await storeList(none, podQuery(), [pod("a", "10")], "20");
  await none.flush();
  assertEquals((await read(none, podQuery()))?.length, 1);
  assertEquals(none.hotStats.queries, 0);
});
