import { assert, assertEquals, assertRejects } from "../assert.ts";
import {
  ATOMIC_LIMITS,
  CacheWriteFailed,
  type CommitInfo,
  WriteBatcher,
} from "../../src/cache/batcher.ts";

function assertWithinLimits(commits: CommitInfo[]) {
  for (const info of commits) {
    assert(info.mutations <= ATOMIC_LIMITS.mutations, `mutations ${info.mutations}`);
    assert(info.bytes <= ATOMIC_LIMITS.bytes, `bytes ${info.bytes}`);
    assert(info.keyBytes <= ATOMIC_LIMITS.keyBytes, `key bytes ${info.keyBytes}`);
  }
}

/** A KV stand-in whose commits wait for `release()` (or fail, with `fail`). */
function gatedKv(options: { fail?: boolean } = {}) {
  const committed: { key: Deno.KvKey; value: unknown }[][] = [];
  let open: () => void = () => {};
  let gate = new Promise<void>((resolve) => open = resolve);
  const kv = {
    atomic() {
      const batch: { key: Deno.KvKey; value: unknown }[] = [];
      const op = {
        set(key: Deno.KvKey, value: unknown) {
          batch.push({ key, value });
          return op;
        },
        delete(key: Deno.KvKey) {
          batch.push({ key, value: null });
          return op;
        },
        async commit() {
          await gate;
          if (options.fail) throw new Error("disk full");
          committed.push(batch);
          return { ok: true, versionstamp: "0" };
        },
      };
      return op;
    },
  } as unknown as Deno.Kv;
  return {
    kv,
    committed,
    release() {
      open();
      gate = new Promise<void>((resolve) => open = resolve);
    },
    releaseAll() {
      open();
      gate = Promise.resolve();
    },
  };
}

async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  return done;
}

Deno.test("batcher: 5,000 values of 3 KB go out in few atomics, each within KV's byte limit", async () => {
  using kv = await Deno.openKv(":memory:");
  const commits: CommitInfo[] = [];
  const batcher = new WriteBatcher(kv, {
    maxPendingBytes: 8 << 20,
    onCommit: (info) => commits.push(info),
  });
  const value = new Uint8Array(3000).fill(7);
  for (let i = 0; i < 5000; i++) {
    await batcher.add({ mutations: [{ key: ["c", "x", i], value }] });
  }
  await batcher.close();
  assertWithinLimits(commits);
  assertEquals(commits.reduce((sum, c) => sum + c.mutations, 0), 5000);
  assert(commits.length < 50, `${commits.length} commits`);
  assertEquals((await kv.get<Uint8Array>(["c", "x", 4999])).value, value);
});

Deno.test("batcher: 5,000 tiny mutations are cut at 1,000 per atomic", async () => {
  const commits: CommitInfo[] = [];
  const gated = gatedKv();
  const batcher = new WriteBatcher(gated.kv, {
    maxPendingBytes: 8 << 20,
    onCommit: (info) => commits.push(info),
  });
  for (let i = 0; i < 5000; i++) {
    await batcher.add({ mutations: [{ key: ["c", "n", i], value: new Uint8Array(1) }] });
  }
  gated.releaseAll();
  await batcher.close();
  assertWithinLimits(commits);
  assert(commits.some((c) => c.mutations === 1000), "a full atomic of 1000 mutations");
});

Deno.test("batcher: 2 KB keys are cut at KV's 80 KiB of keys per atomic", async () => {
  using kv = await Deno.openKv(":memory:");
  const commits: CommitInfo[] = [];
  const batcher = new WriteBatcher(kv, {
    maxPendingBytes: 8 << 20,
    onCommit: (info) => commits.push(info),
  });
  const adds = [];
  for (let i = 0; i < 300; i++) {
    adds.push(batcher.add({ mutations: [{ key: ["c", `${i}`.padEnd(2000, "k")], value: null }] }));
  }
  await Promise.all(adds);
  await batcher.close();
  assertWithinLimits(commits);
  assert(commits.some((c) => c.keyBytes > 60_000), "atomics filled with keys");
});

Deno.test("batcher: pending bytes never exceed the bound, with writers waiting", async () => {
  using kv = await Deno.openKv(":memory:");
  const bound = 300 * 1024;
  let highest = 0;
  const batcher = new WriteBatcher(kv, {
    maxPendingBytes: bound,
    onCommit: () => highest = Math.max(highest, batcher.pendingBytes),
  });
  const value = new Uint8Array(60_000);
  const writers = Array.from({ length: 4 }, async (_, w) => {
    for (let i = 0; i < 40; i++) {
      await batcher.add({ mutations: [{ key: ["c", w, i], value }] });
      highest = Math.max(highest, batcher.pendingBytes);
    }
  });
  await Promise.all(writers);
  await batcher.close();
  assert(highest <= bound, `pending reached ${highest}`);
  assert(highest > bound / 2, `bound was approached (${highest})`);
  assertEquals(batcher.pendingBytes, 0);
});

Deno.test("batcher: add() waits while the bound is reached and resumes after a commit", async () => {
  const gated = gatedKv();
  const batcher = new WriteBatcher(gated.kv, { maxPendingBytes: 100_000 });
  await batcher.add({ mutations: [{ key: ["c", 1], value: new Uint8Array(60_000) }] });
  const second = batcher.add({ mutations: [{ key: ["c", 2], value: new Uint8Array(60_000) }] });
  assertEquals(await settled(second), false);
  assert(batcher.pendingBytes <= 100_000);
  gated.release();
  await second;
  gated.releaseAll();
  await batcher.close();
  assertEquals(gated.committed.flat().map((m) => m.key), [["c", 1], ["c", 2]]);
});

Deno.test("batcher: a pending value is visible through read() until committed", async () => {
  const gated = gatedKv();
  const batcher = new WriteBatcher(gated.kv, { maxPendingBytes: 1 << 20 });
  const value = new Uint8Array([1, 2, 3]);
  await batcher.add({ mutations: [{ key: ["c", "a"], value }, { key: ["c", "b"], value: null }] });
  assertEquals(batcher.read(["c", "a"]), value);
  assertEquals(batcher.read(["c", "b"]), null);
  assertEquals(batcher.read(["c", "z"]), undefined);
  gated.releaseAll();
  await batcher.close();
  assertEquals(batcher.read(["c", "a"]), undefined);
});

Deno.test("batcher: two writes of one key in the same atomic keep the later", async () => {
  using kv = await Deno.openKv(":memory:");
  const batcher = new WriteBatcher(kv, { maxPendingBytes: 1 << 20 });
  await batcher.add({ mutations: [{ key: ["c", "k"], value: new Uint8Array([1]) }] });
  await batcher.add({ mutations: [{ key: ["c", "k"], value: new Uint8Array([2]) }] });
  await batcher.add({
    mutations: [{ key: ["c", "j"], value: new Uint8Array([1]) }, { key: ["c", "j"], value: null }],
  });
  await batcher.close();
  assertEquals((await kv.get(["c", "k"])).value, new Uint8Array([2]));
  assertEquals((await kv.get(["c", "j"])).versionstamp, null);
});

Deno.test("batcher: a group whose guard turns false is not written", async () => {
  const gated = gatedKv();
  const batcher = new WriteBatcher(gated.kv, { maxPendingBytes: 1 << 20 });
  let keep = true;
  await batcher.add({ mutations: [{ key: ["c", 1], value: null }] });
  await batcher.add({ mutations: [{ key: ["c", 2], value: null }], guard: () => keep });
  keep = false;
  gated.releaseAll();
  await batcher.close();
  assertEquals(gated.committed.flat().map((m) => m.key), [["c", 1]]);
});

Deno.test("batcher: a group over a KV limit on its own is refused", async () => {
  using kv = await Deno.openKv(":memory:");
  const batcher = new WriteBatcher(kv, { maxPendingBytes: 1 << 20 });
  await assertRejects(
    () => batcher.add({ mutations: [{ key: ["c", 1], value: new Uint8Array(65_537) }] }),
    RangeError,
  );
  await assertRejects(
    () => batcher.add({ mutations: [{ key: ["c", "k".repeat(2100)], value: null }] }),
    RangeError,
  );
  const many = Array.from({ length: 1001 }, (_, i) => ({ key: ["c", i], value: null }));
  await assertRejects(() => batcher.add({ mutations: many }), RangeError);
  await batcher.close();
});

Deno.test("batcher: a commit that keeps failing stops all later writes (fail-stop)", async () => {
  const gated = gatedKv({ fail: true });
  const batcher = new WriteBatcher(gated.kv, { maxPendingBytes: 1 << 20, retryDelaysMs: [0] });
  await batcher.add({ mutations: [{ key: ["c", 1], value: null }] });
  gated.releaseAll();
  await assertRejects(() => batcher.sync(), CacheWriteFailed);
  await assertRejects(
    () => batcher.add({ mutations: [{ key: ["c", 2], value: null }] }),
    CacheWriteFailed,
  );
  assert(batcher.failure instanceof CacheWriteFailed);
  assertEquals(gated.committed, []);
});
