import { assert, assertEquals, assertRejects } from "../assert.ts";
import { verifyCache } from "../../src/cache/inspect.ts";
import { blobPrefix, singleKey } from "../../src/cache/keys.ts";
import { Sealer } from "../../src/cache/seal.ts";
import { CacheStore, RecordDamaged } from "../../src/cache/store.ts";
import type { RawObject } from "../../src/kube/types.ts";
import {
  collect,
  pod,
  podQuery,
  PODS,
  snapshotOf,
  storeList,
  storeWatch,
  tempCachePath,
} from "./helpers.ts";

const encoder = new TextEncoder();
const byName = podQuery({ namespace: "default", fieldSelector: "" });
const CONFIG_MAPS = { group: "", version: "v1", resource: "configmaps" };
const configMaps = podQuery({ namespace: "default", fieldSelector: "", resource: "configmaps" });

/** A pod whose bytes carry `marker`, padded to about `size` bytes. */
function markedPod(name: string, resourceVersion: string, marker: string, size = 600): RawObject {
  const object = pod(name, resourceVersion, { size });
  const text = new TextDecoder().decode(object.bytes).replace(
    '"padding":"',
    `"padding":"${marker}`,
  );
  return { ...object, bytes: encoder.encode(text) };
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.byteLength <= haystack.byteLength; i++) {
    for (let j = 0; j < needle.byteLength; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/** Every stored value of the KV file, in raw bytes where they are bytes. */
async function rawValues(kv: Deno.Kv): Promise<Uint8Array[]> {
  const values: Uint8Array[] = [];
  for await (const { value } of kv.list({ prefix: [] })) {
    if (value instanceof Uint8Array) values.push(value);
  }
  return values;
}

Deno.test("seal: objects of a sealed resource are stored sealed (list, watch, tombstones, singles, blobs) and read back as stored", async () => {
  await using tmp = await tempCachePath();
  const sealer = await Sealer.ephemeral();
  const options = { sealer, sealedResources: ["pods"] };
  const listed = [markedPod("a", "10", "MARK-LIST"), markedPod("big", "11", "MARK-BLOB", 200_000)];
  const watched = markedPod("b", "12", "MARK-WATCH");
  const deleted = markedPod("a", "13", "MARK-TOMB");
  const single = markedPod("c", "14", "MARK-SINGLE");
  const exact = markedPod("d", "15", "MARK-EXACT", 65_536 - 600); // near one value's limit
  {
    await using store = await CacheStore.open(tmp.path, options);
    await storeList(store, podQuery(), listed, "11");
    await storeWatch(store, podQuery(), [
      { type: "ADDED", object: watched },
      { type: "DELETED", object: deleted },
    ]);
    await store.putObject(byName, "application/json", single);
    await store.putObject(byName, "application/json", exact);
    await store.flush();
    for (const value of await rawValues(store.kv)) {
      for (const marker of ["MARK-LIST", "MARK-BLOB", "MARK-WATCH", "MARK-TOMB", "MARK-SINGLE"]) {
        assert(!contains(value, encoder.encode(marker)), `${marker} stored in the clear`);
      }
    }
    const report = await verifyCache(store.kv, sealer);
    assertEquals(report.damage, []);
    assertEquals((await verifyCache(store.kv)).damage.length > 0, true);
  }
  await using store = await CacheStore.open(tmp.path, options);
  assertEquals(store.sealReport, { foreignKey: false, dropped: [] });
  const { objects } = await snapshotOf(store);
  assertEquals(objects.map((o) => o.bytes).sort(), [listed[1].bytes, watched.bytes]);
  const record = (await store.queries("kubelet", PODS))[0];
  const tombstones = await store.tombstonesSince(record, "0");
  assertEquals(tombstones.map((t) => t.bytes), [deleted.bytes]);
  assertEquals((await store.getObject("kubelet", PODS, "default", "c"))?.bytes, single.bytes);
  assertEquals((await store.getObject("kubelet", PODS, "default", "d"))?.bytes, exact.bytes);
});

Deno.test("seal: a resource not sealed is stored as before", async () => {
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["secrets"],
  });
  await store.putObject(byName, "application/json", markedPod("c", "1", "CLEAR"));
  await store.flush();
  assert((await rawValues(store.kv)).some((v) => contains(v, encoder.encode("CLEAR"))));
});

Deno.test("seal: a sealed value moved to another key, or changed, does not open: reported as damaged", async () => {
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["pods"],
  });
  await store.putObject(byName, "application/json", markedPod("a", "1", "A"));
  await store.putObject(byName, "application/json", markedPod("b", "1", "B"));
  await store.flush();
  const keyA = singleKey("kubelet", PODS, "", "default", "a");
  const keyB = singleKey("kubelet", PODS, "", "default", "b");
  const valueA = (await store.kv.get<Uint8Array>(keyA)).value!;
  await store.kv.set(keyB, valueA);
  await assertRejects(() => store.getObject("kubelet", PODS, "default", "b"), RecordDamaged);
  const changed = valueA.slice();
  changed[changed.byteLength - 1] ^= 1;
  await store.kv.set(keyA, changed);
  await assertRejects(() => store.getObject("kubelet", PODS, "default", "a"), RecordDamaged);
});

Deno.test("seal: a blob part moved to another blob does not open (cache verify reports it)", async () => {
  const sealer = await Sealer.ephemeral();
  await using store = await CacheStore.open(":memory:", { sealer, sealedResources: ["pods"] });
  await store.putObject(byName, "application/json", markedPod("a", "1", "A", 100_000));
  await store.putObject(byName, "application/json", markedPod("b", "1", "B", 100_000));
  await store.flush();
  const blobs = await collect(store.kv.list<Uint8Array>({ prefix: blobPrefix() }));
  const [first, second] = [blobs[0], blobs.find((b) => b.key[2] !== blobs[0].key[2])!];
  assertEquals(first.value.byteLength, 65_536); // a full part, sealed, fills one value exactly
  assertEquals((await verifyCache(store.kv, sealer)).damage, []);
  await store.kv.set(second.key, first.value);
  const { damage } = await verifyCache(store.kv, sealer);
  assertEquals(damage.length, 1);
  assert(damage[0].includes("does not open"), damage[0]);
  const reads = await Promise.allSettled(
    ["a", "b"].map((name) => store.getObject("kubelet", PODS, "default", name)),
  );
  const failed = reads.filter((read) => read.status === "rejected");
  assertEquals(failed.length, 1);
  assert(failed[0].reason instanceof RecordDamaged);
});

Deno.test("seal: another key (the key file replaced or lost) drops the sealed resources' data, and only theirs", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path, {
      sealer: await Sealer.ephemeral(),
      sealedResources: ["pods"],
    });
    await storeList(store, podQuery(), [markedPod("a", "10", "X")], "10");
    await store.putObject(byName, "application/json", markedPod("c", "1", "Y"));
    await store.putObject(configMaps, "application/json", markedPod("kept", "1", "Z"));
  }
  await using store = await CacheStore.open(tmp.path, {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["pods"],
  });
  assertEquals(store.sealReport, { foreignKey: true, dropped: ["pods"] });
  assertEquals(await store.queries(), []);
  assertEquals(await store.getObject("kubelet", PODS, "default", "c"), null);
  assert(await store.getObject("kubelet", CONFIG_MAPS, "default", "kept"));
  assertEquals((await verifyCache(store.kv)).damage, []);
});

Deno.test("seal: objects stored in the clear before their resource was sealed are dropped", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    await store.putObject(byName, "application/json", markedPod("c", "1", "PLAIN"));
  }
  await using store = await CacheStore.open(tmp.path, {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["pods"],
  });
  assertEquals(store.sealReport, { foreignKey: false, dropped: ["pods"] });
  assertEquals(await store.getObject("kubelet", PODS, "default", "c"), null);
});

Deno.test("seal: objects of seeded sizes around one value's limit and the part size fit and read back", async () => {
  let seed = 0x5ea1;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const limits = [65_536, 65_508, 2 * 65_508, 3 * 65_508];
  const sizes = limits.flatMap((limit) =>
    Array.from({ length: 12 }, () => limit - 700 + Math.floor(random() * 1400))
  );
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["pods"],
  });
  const objects = sizes.map((size, i) => markedPod(`p${i}`, "1", `SIZE-${size}`, size));
  for (const object of objects) await store.putObject(byName, "application/json", object);
  await store.flush();
  for (const value of await rawValues(store.kv)) assert(value.byteLength <= 65_536);
  for (const object of objects) {
    const stored = await store.getObject("kubelet", PODS, "default", object.meta.name);
    assertEquals(stored?.bytes, object.bytes, object.meta.name);
  }
});
