import { assert, assertEquals, assertRejects } from "../assert.ts";
import {
  cacheAdminRoutes,
  lsView,
  resolveResource,
  UnknownResource,
  verifyCache,
} from "../../src/cache/inspect.ts";
import { type CacheStats, CacheStore } from "../../src/cache/store.ts";
import { pod, podQuery, storeList } from "./helpers.ts";

async function filledStore(): Promise<CacheStore> {
  const store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10", { size: 100_000 }), pod("b", "11")], "100");
  await store.markStale(podQuery({ fieldSelector: "" }), "cache branch overflowed");
  await store.putObject(
    { ...podQuery(), group: "", resource: "nodes", fieldSelector: "" },
    "application/json",
    { ...pod("node-1", "5", { namespace: "" }), typeMeta: { apiVersion: "v1", kind: "Node" } },
  );
  await store.flush();
  return store;
}

async function firstBlobPart(kv: Deno.Kv): Promise<Deno.KvKey> {
  for await (const { key } of kv.list({ prefix: ["c", "b"] })) return key;
  throw new Error("no blob stored");
}

Deno.test("verify: a healthy cache has no damage and no leftovers", async () => {
  await using store = await filledStore();
  const report = await verifyCache(store.kv);
  assertEquals([report.damage, report.garbage], [[], []]);
  assert(report.checked >= 5, `${report.checked} checked`);
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

Deno.test("admin routes: ls, an object, a cluster-scoped object, misses, and other paths", async () => {
  await using store = await filledStore();
  const routes = cacheAdminRoutes(store);
  const get = (path: string, method = "GET") =>
    routes(new Request(`http://admin${path}`, { method }));
  const ls = await get("/v1/cache/ls");
  assertEquals(ls?.status, 200);
  assertEquals((await ls!.json()).resources.length, 2);
  const object = await get("/v1/cache/objects/kubelet/pods/default/a");
  const view = await object!.json();
  assertEquals([object!.status, view.name, view.resourceVersion, view.object.kind], [
    200,
    "a",
    "10",
    "Pod",
  ]);
  const node = await get("/v1/cache/objects/kubelet/nodes.v1/-/node-1");
  assertEquals([(await node!.json()).name, node!.status], ["node-1", 200]);
  const miss = await get("/v1/cache/objects/kubelet/pods/default/zzz");
  assertEquals([miss!.status, (await miss!.json()).reason], [404, "NotCached"]);
  const unknown = await get("/v1/cache/objects/kubelet/secrets/default/a");
  assertEquals([unknown!.status, (await unknown!.json()).reason], [404, "UnknownResource"]);
  const post = await get("/v1/cache/ls", "POST");
  assertEquals(post?.status, 405);
  await post?.body?.cancel();
  assertEquals(await get("/v1/status"), null);
});

Deno.test("admin routes: a damaged object is reported as damaged, not as missing", async () => {
  await using store = await filledStore();
  await store.kv.delete(await firstBlobPart(store.kv)); // pod a's bytes
  const response = await cacheAdminRoutes(store)(
    new Request("http://admin/v1/cache/objects/kubelet/pods/default/a"),
  );
  assertEquals([response!.status, (await response!.json()).reason], [500, "Damaged"]);
});
