/**
 * One process per cache file, as subprocesses: a second agent on the same file exits 1 naming the
 * holder and changes nothing; `cache` subcommands read through the running agent or refuse.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import { runMain } from "./capture.ts";
import { agentArgs, agentUrls, KUBELET, spawnAgent } from "./agent_process.ts";

/** Modification time and size of the cache file and its WAL. */
async function fingerprint(path: string): Promise<string> {
  const parts = [];
  for (const file of [path, `${path}-wal`]) {
    const info = await Deno.stat(file).catch(() => undefined);
    parts.push(`${file}: ${info?.mtime?.getTime()} ${info?.size}`);
  }
  return parts.join("\n");
}

Deno.test("a second agent on the same cache file exits 1 naming the holder, touching nothing", async () => {
  await using sim = await startSimulator({ scale: { pods: 200, nodes: 2 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-lock-" });
  try {
    const cache = `${dir}/cache.kv`;
    await using first = spawnAgent(agentArgs(sim.url, cache));
    const { proxy, admin } = agentUrls(await first.waitFor("holdfast started"));
    const list = await fetch(`${proxy}/api/v1/pods`, { headers: KUBELET });
    assert.equal(list.status, 200);
    await list.text();
    // The LIST is committed once `cache ls` (through the agent: it holds the file) shows it.
    for (;;) {
      const ls = await runMain(["cache", "ls", "--json", "--cache-path", cache]);
      assert.equal(ls.code, 0, ls.stderr);
      if (JSON.parse(ls.stdout).queries.some((q: { complete: boolean }) => q.complete)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const before = await fingerprint(cache);

    await using second = spawnAgent(agentArgs(sim.url, cache));
    const code = await Promise.race([
      second.exited(),
      new Promise<string>((resolve) => setTimeout(() => resolve("still running"), 30_000)),
    ]);
    assert.equal(code, 1, second.text());
    const refusal = second.log.find((r) => r.msg === "agent failed to start");
    assert.ok(refusal, second.text());
    const message = JSON.stringify(refusal);
    assert.ok(message.includes(`pid ${first.child.pid}`), message);
    assert.ok(message.includes(cache), message);
    assert.ok(message.includes(admin), message);
    assert.equal(await fingerprint(cache), before);

    const purge = await runMain(["cache", "purge", "--cache-path", cache]);
    assert.equal(purge.code, 1);
    assert.match(purge.stderr, new RegExp(`in use by holdfast pid ${first.child.pid}`));
    const verify = await runMain(["cache", "verify", "--cache-path", cache]);
    assert.equal(verify.code, 1);
    assert.match(verify.stderr, /in use by holdfast pid/);
    assert.equal(await fingerprint(cache), before);

    const again = await fetch(`${proxy}/api/v1/pods`, { headers: KUBELET });
    assert.equal((await again.json()).items.length, 200);
    first.child.kill("SIGTERM");
    assert.equal(await first.exited(), 0, first.text());
    const clean = await runMain(["cache", "verify", "--cache-path", cache]);
    assert.equal(clean.code, 0, clean.stdout);
    const ls = await runMain(["cache", "ls", "--json", "--cache-path", cache]);
    const pods = JSON.parse(ls.stdout).queries.find((q: { resource: string }) =>
      q.resource === "pods.v1.core"
    );
    assert.equal(pods?.objects, 200, ls.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
