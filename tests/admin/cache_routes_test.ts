import { assert, assertEquals } from "../assert.ts";
import { cacheAdminRoutes } from "../../src/admin/cache_routes.ts";
import { REDACTED_VALUE } from "../../src/cache/redact.ts";
import { Sealer } from "../../src/cache/seal.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { filledStore, firstBlobPart, podQuery, secretObject as secret } from "../cache/helpers.ts";
import { readPb } from "../kube/protobuf/fixtures.ts";

const secrets = podQuery({ namespace: "default", fieldSelector: "", resource: "secrets" });
const tokens = podQuery({ namespace: "default", fieldSelector: "", resource: "tokens" });

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

Deno.test("admin cache routes redact Secrets and sealed resources unless told to expose them", async () => {
  await using store = await CacheStore.open(":memory:", {
    sealer: await Sealer.ephemeral(),
    sealedResources: ["secrets", "tokens"],
  });
  const body = { kind: "Secret", metadata: { name: "s" }, data: { password: "aHVudGVyMg==" } };
  await store.putObject(secrets, "application/json", secret("s", body));
  await store.putObject(tokens, "application/json", secret("t", body));
  await store.putObject(
    secrets,
    "application/vnd.kubernetes.protobuf",
    { ...secret("pb", {}), bytes: readPb("core.v1.Secret") },
  );
  await store.flush();
  const get = async (exposeSecrets: boolean, resource: string, name: string) => {
    const routes = cacheAdminRoutes(store, exposeSecrets);
    const url = `http://admin/v1/cache/objects/kubelet/${resource}/default/${name}`;
    const response = await routes(new Request(url));
    assertEquals(response?.status, 200);
    return await response!.json();
  };
  for (const resource of ["secrets", "tokens"]) {
    const name = resource === "secrets" ? "s" : "t";
    const hidden = await get(false, resource, name);
    assertEquals([hidden.redacted, hidden.object.data], [true, { password: REDACTED_VALUE }]);
    assert(!JSON.stringify(hidden).includes("aHVudGVyMg=="));
    const shown = await get(true, resource, name);
    assertEquals([shown.redacted, shown.object.data], [undefined, { password: "aHVudGVyMg==" }]);
  }
  const pb = await get(false, "secrets", "pb");
  assertEquals([pb.base64, pb.object.data], [undefined, { dataKey: REDACTED_VALUE }]);
  assert(typeof (await get(true, "secrets", "pb")).base64 === "string");
});
