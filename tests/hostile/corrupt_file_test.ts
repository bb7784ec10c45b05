/**
 * Hostile conditions, a damaged cache file at start: random bytes, a real cache file truncated at
 * generated offsets, and another program's SQLite database (alone, and beside the cache's own
 * tables). The agent starts and proxies, moves the file aside unchanged (`<path>.corrupt-<time>`),
 * reports it in `/v1/status` and a metric, and caches anew.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { agentStatus, assertServed, waitCached } from "./helpers.ts";

/** A cache file holding real listings, as the agent left it. */
async function realCacheFile(): Promise<Uint8Array> {
  await using stack = await startStack({ sim: { scale: { pods: 100, nodes: 2 } } });
  for (const path of ["/api/v1/pods", "/api/v1/namespaces/default/configmaps"]) {
    const response = await fetch(`${stack.proxyUrl}${path}`, {
      headers: { "user-agent": "kubelet/v1.31.0" },
    });
    await response.arrayBuffer();
  }
  await waitCached(stack, "kubelet", "pods");
  await waitCached(stack, "kubelet", "configmaps");
  await stack.stopAgent();
  return await Deno.readFile(stack.config.cachePath);
}

async function foreignDatabase(path: string, withKvTables: Uint8Array | undefined) {
  if (withKvTables) await Deno.writeFile(path, withKvTables);
  const { DatabaseSync } = await import("node:sqlite");
  const db = new DatabaseSync(path);
  db.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT)");
  db.exec("INSERT INTO accounts (owner) VALUES ('someone else')");
  db.close();
  return await Deno.readFile(path);
}

Deno.test("hostile cache file: random bytes, truncations and foreign databases are moved aside; the agent proxies", async () => {
  const real = await realCacheFile();
  const next = seededRandom(9091);
  const cases: [string, (path: string) => Promise<Uint8Array>][] = [
    [
      "random bytes",
      () => Promise.resolve(Uint8Array.from({ length: 65536 }, () => Math.floor(next() * 256))),
    ],
    ...Array.from({ length: 6 }, (): [string, (path: string) => Promise<Uint8Array>] => {
      const cut = 1 + Math.floor(next() * (real.byteLength - 1));
      return [
        `the cache file cut at ${cut} of ${real.byteLength}`,
        () => Promise.resolve(real.slice(0, cut)),
      ];
    }),
    ["another program's database", (path) => foreignDatabase(path, undefined)],
    ["the cache file with another program's table", (path) => foreignDatabase(path, real)],
  ];
  for (const [what, damage] of cases) {
    const dir = await Deno.makeTempDir({ prefix: "holdfast-hostile-file-" });
    try {
      const cachePath = `${dir}/cache.kv`;
      const broken = await damage(cachePath);
      await Deno.writeFile(cachePath, broken);
      await using stack = await startStack({ config: { cachePath } });
      await assertServed(stack.proxyUrl);
      const fault = (await agentStatus(stack.adminUrl)).cacheFault;
      assertEquals(
        [fault?.kind, fault?.path],
        ["damaged", cachePath],
        `${what}: ${JSON.stringify(fault)}`,
      );
      assert(fault.movedTo.startsWith(`${cachePath}.corrupt-`), what);
      assertEquals(await Deno.readFile(fault.movedTo), broken, `${what}: moved aside unchanged`);
      const metrics = await (await fetch(`${stack.adminUrl}/metrics`)).text();
      assert(metrics.includes('holdfast_cache_fault{kind="damaged"} 1'), what);
      await waitCached(stack, "kubelet", "configmaps"); // caching anew
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});
