/**
 * A damaged cache file does not take the node's API away (as a subprocess): the agent moves it
 * aside, starts empty, logs an error naming the path, reports it in `/v1/status` and a metric,
 * and proxies and caches as usual.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import { agentArgs, agentUrls, KUBELET, spawnAgent } from "./agent_process.ts";

Deno.test("a corrupt cache file is moved aside; the agent starts, proxies and says so", async () => {
  await using sim = await startSimulator({ scale: { pods: 20, nodes: 1 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-fault-" });
  try {
    const cache = `${dir}/cache.kv`;
    const garbage = crypto.getRandomValues(new Uint8Array(65_536));
    await Deno.writeFile(cache, garbage);
    await using agent = spawnAgent(agentArgs(sim.url, cache));
    const { proxy, admin } = agentUrls(await agent.waitFor("holdfast started"));
    const logged = agent.log.find((r) => r.msg === "cache file damaged: proxying goes on");
    assert.equal(logged?.path, cache, agent.text());

    const list = await fetch(`${proxy}/api/v1/pods`, { headers: KUBELET });
    assert.equal(list.status, 200);
    assert.equal((await list.json()).items.length, 20);

    const status = await (await fetch(`${admin}/v1/status`)).json();
    assert.equal(status.cacheFault?.kind, "damaged");
    assert.equal(status.cacheFault?.path, cache);
    assert.match(status.cacheFault?.error, /not a database/);
    assert.deepEqual(await Deno.readFile(status.cacheFault.movedTo), garbage);
    const metrics = await (await fetch(`${admin}/metrics`)).text();
    assert.match(metrics, /holdfast_cache_fault\{kind="damaged"\} 1/);
    assert.match(metrics, /holdfast_cache_fault\{kind="writes-paused"\} 0/);
    assert.equal((await fetch(`${admin}/v1/readyz`)).status, 200);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
