import { assert, assertEquals } from "../assert.ts";
import { putDocument } from "../../src/cache/documents.ts";
import { cacheAdminRoutes } from "../../src/admin/cache_routes.ts";
import { loadSealKey } from "../../src/cache/seal.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { pod, podQuery, storeList, tempCachePath } from "../cache/helpers.ts";
import { type Outcome, runMain } from "./capture.ts";

/** Runs `holdfast cache ...args` in this process. */
function run(...args: string[]): Promise<Outcome> {
  return runMain(["cache", ...args]);
}

async function fill(path: string): Promise<void> {
  await using store = await CacheStore.open(path);
  await storeList(store, podQuery(), [pod("a", "10", { size: 100_000 }), pod("b", "11")], "100");
  await storeList(
    store,
    podQuery({ component: "coredns", fieldSelector: "" }),
    [pod("c", "12")],
    "100",
  );
  const nodes = { ...podQuery(), resource: "nodes", fieldSelector: "" };
  await store.putObject(nodes, "application/json", pod("node-1", "5", { namespace: "" }));
}

Deno.test("cache ls: resources and queries with their freshness, as text and JSON", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  const text = await run("ls", "--cache-path", tmp.path);
  assertEquals(text.code, 0);
  assert(/kubelet\s+pods\.v1\.core\s+2\s/.test(text.stdout), text.stdout);
  assert(text.stdout.includes("fields=spec.nodeName=node-1"), text.stdout);
  assert(text.stdout.includes("complete"), text.stdout);
  const json = JSON.parse((await run("ls", "--json", "--cache-path", tmp.path)).stdout);
  assertEquals(json.resources.length, 3);
});

Deno.test("cache get: prints a namespaced and a cluster-scoped object", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  const got = await run("get", "kubelet", "pods", "default/b", "--cache-path", tmp.path);
  assertEquals(got.code, 0);
  const view = JSON.parse(got.stdout);
  assertEquals([view.name, view.resourceVersion, view.object.metadata.name], ["b", "11", "b"]);
  const node = await run("get", "kubelet", "nodes.v1.core", "node-1", "--cache-path", tmp.path);
  assertEquals([node.code, JSON.parse(node.stdout).name], [0, "node-1"]);
});

Deno.test("cache get: an object that is not cached exits 1", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  const miss = await run("get", "kubelet", "pods", "default/zzz", "--cache-path", tmp.path);
  assertEquals(miss.code, 1);
  assert(miss.stderr.includes("not cached"), miss.stderr);
});

Deno.test("cache purge: one component, then everything", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  assertEquals((await run("purge", "kubelet", "--cache-path", tmp.path)).code, 0);
  const left = JSON.parse((await run("ls", "--json", "--cache-path", tmp.path)).stdout);
  assertEquals(left.resources.map((r: { component: string }) => r.component), ["coredns"]);
  assertEquals((await run("purge", "--cache-path", tmp.path)).code, 0);
  assertEquals((await run("ls", "--cache-path", tmp.path)).stdout, "cache: empty\n");
  assertEquals((await run("verify", "--cache-path", tmp.path)).code, 0);
});

Deno.test("cache purge: a component's identities' partitions go with it, another component's stay", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  {
    await using store = await CacheStore.open(tmp.path);
    const own = podQuery({ component: "kubelet/token:ab", fieldSelector: "" });
    await storeList(store, own, [pod("t", "13")], "100");
    const nodes = { ...own, resource: "nodes" };
    await store.putObject(nodes, "application/json", pod("node-2", "6", { namespace: "" }));
    await storeList(store, podQuery({ component: "coredns/token:cd" }), [pod("u", "14")], "100");
  }
  assertEquals((await run("purge", "kubelet", "--cache-path", tmp.path)).code, 0);
  const left = JSON.parse((await run("ls", "--json", "--cache-path", tmp.path)).stdout);
  const components = left.resources.map((r: { component: string }) => r.component).sort();
  assertEquals(components, ["coredns", "coredns/token:cd"]);
  assertEquals((await run("verify", "--cache-path", tmp.path)).code, 0);
});

Deno.test("cache verify: ok on a healthy cache, exit 1 when a blob part is missing", async () => {
  await using tmp = await tempCachePath();
  await fill(tmp.path);
  const healthy = await run("verify", "--cache-path", tmp.path);
  assertEquals(healthy.code, 0);
  assert(healthy.stdout.startsWith("ok:"), healthy.stdout);
  {
    using kv = await Deno.openKv(tmp.path);
    for await (const { key } of kv.list({ prefix: ["c", "b"] }, { limit: 1 })) await kv.delete(key);
  }
  const damaged = await run("verify", "--cache-path", tmp.path);
  assertEquals(damaged.code, 1);
  assert(damaged.stdout.includes("DAMAGED"), damaged.stdout);
});

Deno.test("cache ls/get --admin: ask a running agent's admin listener", async () => {
  await using store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10")], "100");
  const routes = cacheAdminRoutes(store);
  await using server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req) => await routes(req) ?? new Response("not found", { status: 404 }),
  );
  const admin = `http://127.0.0.1:${server.addr.port}`;
  const ls = await run("ls", "--admin", admin);
  assert(ls.stdout.includes("pods.v1.core"), ls.stdout);
  const got = await run("get", "kubelet", "pods", "default/a", "--admin", admin);
  assertEquals([got.code, JSON.parse(got.stdout).name], [0, "a"]);
  const miss = await run("get", "kubelet", "pods", "default/zzz", "--admin", admin);
  assertEquals(miss.code, 1);
});

Deno.test("cache ls: a missing cache file is an error, not a new empty cache", async () => {
  await using tmp = await tempCachePath();
  const outcome = await run("ls", "--cache-path", tmp.path);
  assertEquals(outcome.code, 1);
  assert(outcome.stderr.includes("no cache file"), outcome.stderr);
});

Deno.test("cache ls: a file of another cache layout is refused, not misread", async () => {
  await using tmp = await tempCachePath();
  const kv = await Deno.openKv(tmp.path);
  await kv.set(["holdfast", "layout"], 99);
  kv.close();
  const outcome = await run("ls", "--cache-path", tmp.path);
  assertEquals(outcome.code, 1);
  assert(outcome.stderr.includes("layout 99; this holdfast reads layout 1"), outcome.stderr);
});

Deno.test("cache ls: kubectl tables and discovery documents are listed, not 'empty'", async () => {
  await using tmp = await tempCachePath();
  {
    await using store = await CacheStore.open(tmp.path);
    const table = new TextEncoder().encode('{"kind":"Table","apiVersion":"meta.k8s.io/v1"}');
    await putDocument(store.kv, { path: "kubectl /api/v1/pods", transform: "as=Table" }, "", table);
    await putDocument(store.kv, { path: "/api/v1", transform: "" }, "", new Uint8Array(2048));
  }
  assertEquals(
    (await run("ls", "--cache-path", tmp.path)).stdout,
    [
      "COMPONENT  DOCUMENTS       COUNT    BYTES",
      "*          discovery           1  2.0 KiB",
      "kubectl    kubectl tables      1     46 B",
      "",
    ].join("\n"),
  );
});

/** A cache whose Secrets are sealed under the key file beside it (as the agent leaves it). */
async function fillSealed(path: string): Promise<void> {
  const options = { sealer: await loadSealKey(`${path}.key`), sealedResources: ["secrets"] };
  await using store = await CacheStore.open(path, options);
  const secret = pod("s", "1");
  secret.bytes = new TextEncoder().encode(
    JSON.stringify({ kind: "Secret", metadata: { name: "s" }, data: { pw: "aHVudGVyMg==" } }),
  );
  await store.putObject(
    podQuery({ resource: "secrets", namespace: "default", fieldSelector: "" }),
    "application/json",
    secret,
  );
}

Deno.test("cache get: a sealed Secret is read with the key beside the file, its data redacted unless --expose-secrets", async () => {
  await using tmp = await tempCachePath();
  await fillSealed(tmp.path);
  const hidden = await run("get", "kubelet", "secrets", "default/s", "--cache-path", tmp.path);
  assertEquals(hidden.code, 0, hidden.stderr);
  assertEquals(JSON.parse(hidden.stdout).object.data, { pw: "(redacted)" });
  const shown = await run(
    "get",
    "kubelet",
    "secrets",
    "default/s",
    "--cache-path",
    tmp.path,
    "--expose-secrets",
  );
  assertEquals(JSON.parse(shown.stdout).object.data, { pw: "aHVudGVyMg==" });
});

Deno.test("cache verify: checks the seals; another key's or no key's are reported (exit 1)", async () => {
  await using tmp = await tempCachePath();
  await fillSealed(tmp.path);
  const ok = await run("verify", "--cache-path", tmp.path);
  assertEquals([ok.code, ok.stdout.startsWith("ok:")], [0, true], ok.stdout);
  const other = `${tmp.path}.other-key`;
  await Deno.writeFile(other, crypto.getRandomValues(new Uint8Array(32)));
  const wrong = await run("verify", "--cache-path", tmp.path, "--cache-key-file", other);
  assertEquals(wrong.code, 1);
  assert(/damage: sealed value at .*secrets.* does not open/.test(wrong.stdout), wrong.stdout);
  await Deno.remove(`${tmp.path}.key`);
  const none = await run("verify", "--cache-path", tmp.path);
  assertEquals(none.code, 1);
  assert(none.stdout.includes("is sealed and no seal key was given"), none.stdout);
});
