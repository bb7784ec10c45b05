/**
 * Damaged cache records, made by corrupting KV values directly (generated, seeded cases over
 * record kinds, positions and kinds of damage): an offline LIST skips the damaged object, answers
 * the rest and marks the query stale; a GET of a damaged object is a 503, never a 404 or a 500;
 * each damaged record is reported.
 */
import assert from "node:assert/strict";
import { blobPartKey, singleKey, snapshotKey, tombstoneKey } from "../../../src/cache/keys.ts";
import type { QueryRecord } from "../../../src/cache/query.ts";
import { readHeader } from "../../../src/cache/record.ts";
import type { CacheAnomaly, CacheStore } from "../../../src/cache/store.ts";
import { json, listBody, openHarness, pod, queryOf, rawJson, seedWatch } from "./harness.ts";
import { seedList } from "./harness.ts";
import { seededRandom } from "../../kube/json/fixtures.ts";

const GVR = { group: "", version: "v1", resource: "pods" };

/** A pod whose stored record is split into a blob when `large`. */
function podOf(name: string, large: boolean) {
  const object = pod(name, { rv: "10" });
  if (large) (object.metadata as Record<string, unknown>).annotations = { pad: "x".repeat(70_000) };
  return object;
}

type Damage = (value: Uint8Array) => unknown;

const DAMAGES: Record<string, Damage> = {
  garbage: (value) => crypto.getRandomValues(new Uint8Array(value.byteLength)).fill(9, 0, 1),
  truncated: (value) => value.slice(0, Math.max(1, Math.floor(value.byteLength / 3))),
  "wrong format": (value) => Uint8Array.of(7, ...value.subarray(1)),
  "header not a record's": () => {
    const header = new TextEncoder().encode("{}");
    const value = new Uint8Array(5 + header.byteLength);
    new DataView(value.buffer).setUint32(1, header.byteLength);
    value[0] = 1;
    value.set(header, 5);
    return value;
  },
  "not bytes": () => "a string where a record was",
  empty: () => new Uint8Array(0),
};

/** Corrupts the stored record of `name` (or its blob's first part, `part`). */
async function corrupt(
  store: CacheStore,
  key: Deno.KvKey,
  damage: string,
  part: boolean,
): Promise<void> {
  const value = (await store.kv.get<Uint8Array>(key)).value!;
  const header = readHeader(value);
  if (part) {
    assert.ok(header.blob, "a split record");
    const partKey = blobPartKey(header.blob.id, 0);
    if (damage === "missing part") await store.kv.delete(partKey);
    else await store.kv.set(partKey, new Uint8Array(5));
    return;
  }
  await store.kv.set(key, DAMAGES[damage](value));
}

async function podRecord(store: CacheStore): Promise<QueryRecord> {
  const [record] = await store.queries("kubelet", GVR);
  return record;
}

for (let seed = 1; seed <= 24; seed++) {
  Deno.test(`damaged record (seed ${seed}): offline LIST skips it, GET is 503, both reported`, async () => {
    const next = seededRandom(seed);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)];
    const count = 3 + Math.floor(next() * 5);
    const victim = pick([0, count - 1, Math.floor(count / 2)]); // first, last, middle
    const onBlob = next() < 0.4;
    const damage = onBlob ? pick(["missing part", "short part"]) : pick(Object.keys(DAMAGES));
    const where = `${count} pods, #${victim} ${onBlob ? "blob" : "record"}: ${damage}`;

    const anomalies: CacheAnomaly[] = [];
    await using h = await openHarness({}, ":memory:", { onAnomaly: (a) => anomalies.push(a) });
    const names = Array.from({ length: count }, (_, i) => `p${i}`);
    const pods = names.map((name, i) => podOf(name, i === victim ? onBlob : next() < 0.3));
    await seedList(h.store, "/api/v1/pods", listBody("PodList", pods, "50"));
    const record = await podRecord(h.store);
    const key = snapshotKey(record.id, record.generation, "default", names[victim]);
    await corrupt(h.store, key, damage, onBlob);

    const get = await h.fetch(`/api/v1/namespaces/default/pods/${names[victim]}`);
    assert.deepEqual([get.status, (await json(get)).reason], [503, "ServiceUnavailable"], where);
    await h.store.flush();
    assert.ok((await podRecord(h.store)).stale, where);
    assert.deepEqual(anomalies.map((a) => a.kind), ["damaged-record"], where);

    // The snapshot is stale now; a second copy of it (same objects) shows the LIST path.
    await seedList(h.store, "/api/v1/pods", listBody("PodList", pods, "60"));
    const relisted = await podRecord(h.store);
    await corrupt(
      h.store,
      snapshotKey(relisted.id, relisted.generation, "default", names[victim]),
      damage,
      onBlob,
    );
    const list = await h.fetch("/api/v1/pods");
    assert.deepEqual(list.status, 200, where);
    const items = (await json(list)).items as { metadata: { name: string } }[];
    const expected = names.filter((_, i) => i !== victim);
    assert.deepEqual(items.map((item) => item.metadata.name), expected, where);
    await h.store.flush();
    const after = await podRecord(h.store);
    assert.ok(after.stale && after.staleReason.includes("damaged"), where);
    assert.deepEqual(anomalies.length, 2, where);
    const again = await h.fetch("/api/v1/pods");
    assert.deepEqual(again.status, 503, where);
    await again.body?.cancel();
  });
}

Deno.test("damaged single object: GET is 503, not 404", async () => {
  const anomalies: CacheAnomaly[] = [];
  await using h = await openHarness({}, ":memory:", { onAnomaly: (a) => anomalies.push(a) });
  await seedList(h.store, "/api/v1/namespaces/default/pods", listBody("PodList", [pod("a")], "20"));
  const query = queryOf("/api/v1/namespaces/default/pods/b");
  await h.store.putObject(query, "application/json", rawJson(pod("b", { rv: "30" })));
  await h.store.flush();
  await h.store.kv.set(singleKey("kubelet", GVR, "", "default", "b"), new Uint8Array([1, 2, 3]));
  const response = await h.fetch("/api/v1/namespaces/default/pods/b");
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
  assert.deepEqual(anomalies.map((a) => a.kind), ["damaged-record"]);
});

Deno.test("damaged tombstone: skipped by the deletion history, reported, query stale", async () => {
  const anomalies: CacheAnomaly[] = [];
  await using h = await openHarness({}, ":memory:", { onAnomaly: (a) => anomalies.push(a) });
  await seedList(
    h.store,
    "/api/v1/pods",
    listBody("PodList", [pod("a"), pod("b"), pod("c")], "20"),
  );
  await seedWatch(h.store, "/api/v1/pods", [
    { type: "DELETED", object: rawJson(pod("a", { rv: "21" })) },
    { type: "DELETED", object: rawJson(pod("b", { rv: "22" })) },
  ]);
  const record = await podRecord(h.store);
  await h.store.kv.set(tombstoneKey(record.id, record.generation, 0), new Uint8Array([1]));
  const tombstones = await h.store.tombstonesSince(record, "20");
  assert.deepEqual(tombstones.map((t) => t.meta.name), ["b"]);
  await h.store.flush();
  assert.ok((await podRecord(h.store)).stale);
  assert.deepEqual(anomalies.map((a) => a.kind), ["damaged-record"]);
});
