import { assert, assertEquals, assertRejects } from "../assert.ts";
import { lsView, resolveResource, UnknownResource, verifyCache } from "../../src/cache/inspect.ts";
import type { CacheStats } from "../../src/cache/store.ts";
import { filledStore, firstBlobPart } from "./helpers.ts";

Deno.test("verify: a healthy cache has no damage and no leftovers", async () => {
  await using store = await filledStore();
  const report = await verifyCache(store.kv);
  assertEquals([report.damage, report.garbage], [[], []]);
  assert(report.checked >= 5, `${report.checked} checked`);
});

Deno.test("verify: a query record under a key its builder cannot produce is damage", async () => {
  await using store = await filledStore();
  const [{ key, value }] = await Array.fromAsync(store.kv.list({ prefix: ["c", "q"] }));
  await store.kv.set([...key.slice(0, 6), "too", "short"], value);
  const { damage } = await verifyCache(store.kv);
  assert(damage.some((line) => line.endsWith("is malformed")), damage.join("\n"));
});

Deno.test("verify: a missing blob part is damage", async () => {
  await using store = await filledStore();
  await store.kv.delete(await firstBlobPart(store.kv));
  const { damage } = await verifyCache(store.kv);
  assertEquals(damage.length, 1);
  assert(damage[0].includes("damaged"), damage[0]);
});

Deno.test("verify: an object missing from a snapshot (count mismatch) is damage", async () => {
  await using store = await filledStore();
  const [record] = (await store.queries()).filter((r) => r.complete);
  await store.kv.delete(["c", "d", record.id, record.generation, "default", "b"]);
  const { damage } = await verifyCache(store.kv);
  assert(damage.some((line) => line.includes("record says 2 objects")), damage.join("\n"));
});

Deno.test("verify: objects of a generation nothing refers to are damage; with a marker, leftovers", async () => {
  await using store = await filledStore();
  await store.kv.set(
    ["c", "d", 99, 1, "default", "x"],
    (await store.kv.get(["c", "d", 1, 1, "default", "b"])).value,
  );
  assertEquals((await verifyCache(store.kv)).damage.length, 1);
  await store.kv.set(["c", "g", 99, 1], new Uint8Array(0));
  const report = await verifyCache(store.kv);
  assertEquals([report.damage.length, report.garbage.length], [0, 1]);
});

Deno.test("verify: blob parts no record refers to are damage", async () => {
  await using store = await filledStore();
  await store.kv.set(["c", "b", "0123456789abcdef", 0], new Uint8Array(10));
  const { damage } = await verifyCache(store.kv);
  assert(damage.some((line) => line.includes("no record refers to")), damage.join("\n"));
});

Deno.test("ls: resources with counts and queries with their freshness", async () => {
  await using store = await filledStore();
  const view = await lsView(store);
  assertEquals(view.resources.map((r) => [r.name, r.objects, r.queries, r.complete, r.stale]), [
    ["nodes.v1.core", 1, 0, 0, 0],
    ["pods.v1.core", 2, 2, 1, 1],
  ]);
  const states = view.queries.map((q) => [q.fieldSelector, q.complete, q.stale, q.staleReason]);
  assertEquals(states.sort(), [
    ["", false, true, "cache branch overflowed"],
    ["spec.nodeName=node-1", true, false, ""],
  ]);
  assert(view.queries.some((q) => q.listedAt !== "" && q.resourceVersion === "100"));
});

Deno.test("resolveResource: short, versioned and grouped names; unknown and ambiguous ones fail", async () => {
  const stat = (group: string, version: string, resource: string): CacheStats => ({
    component: "kubelet",
    group,
    version,
    resource,
    objects: 1,
    bytes: 1,
    queries: 0,
    complete: 0,
    stale: 0,
  });
  const stats = [
    stat("", "v1", "pods"),
    stat("apps", "v1", "deployments"),
    stat("x.io", "v1", "deployments"),
  ];
  const pods = { group: "", version: "v1", resource: "pods" };
  for (const text of ["pods", "pods.v1", "pods.core", "pods.v1.core"]) {
    assertEquals(resolveResource(stats, "kubelet", text), pods);
  }
  assertEquals(resolveResource(stats, "kubelet", "deployments.v1.apps").group, "apps");
  assertEquals(resolveResource(stats, "kubelet", "deployments.x.io").group, "x.io");
  const resolve = (component: string, text: string) => () =>
    Promise.resolve().then(() => resolveResource(stats, component, text));
  await assertRejects(resolve("kubelet", "deployments"), UnknownResource, "ambiguous");
  await assertRejects(resolve("kube-proxy", "pods"), UnknownResource, "nothing cached");
});
