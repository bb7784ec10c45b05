/**
 * SIGTERM as a subprocess: a LIST answered just before the signal is in the cache when the agent
 * starts again, the agent logs "holdfast stopped" and exits 0, within a bound even with a watch
 * open.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import { agentArgs, agentUrls, closedPort, KUBELET, spawnAgent } from "./agent_process.ts";

const PODS = "/api/v1/pods";

Deno.test("SIGTERM right after a LIST keeps that LIST in the cache; logs stopped, exit 0", async () => {
  await using sim = await startSimulator({ scale: { pods: 1500, nodes: 2 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-sigterm-" });
  try {
    const cache = `${dir}/cache.kv`;
    let expected: string[];
    let firstLog: string;
    {
      await using agent = spawnAgent(agentArgs(sim.url, cache));
      const { proxy } = agentUrls(await agent.waitFor("holdfast started"));
      const response = await fetch(`${proxy}${PODS}`, { headers: KUBELET });
      assert.equal(response.status, 200);
      expected = (await response.json()).items.map((pod: { metadata: { name: string } }) =>
        pod.metadata.name
      );
      assert.equal(expected.length, 1500);
      agent.child.kill("SIGTERM");
      assert.equal(await agent.exited(), 0, agent.text());
      firstLog = agent.text();
    }
    await using offline = spawnAgent(agentArgs(`http://127.0.0.1:${closedPort()}`, cache, true));
    const { proxy } = agentUrls(await offline.waitFor("holdfast started"));
    const response = await fetch(`${proxy}${PODS}`, { headers: KUBELET });
    const body = await response.json();
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.items.map((pod: { metadata: { name: string } }) => pod.metadata.name),
      expected,
    );
    assert.ok(firstLog.includes('"msg":"holdfast stopped"'), firstLog);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM with a watch open stops the agent within 5 s, exit 0", async () => {
  await using sim = await startSimulator({ scale: { pods: 5, nodes: 1 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-sigterm-" });
  try {
    await using agent = spawnAgent(agentArgs(sim.url, `${dir}/cache.kv`));
    const { proxy } = agentUrls(await agent.waitFor("holdfast started"));
    const watch = await fetch(`${proxy}${PODS}?watch=true&timeoutSeconds=600`, {
      headers: KUBELET,
    });
    assert.equal(watch.status, 200);
    const reader = watch.body!.getReader();
    await reader.read(); // the stream is open and flowing
    const signalled = Date.now();
    agent.child.kill("SIGTERM");
    const code = await agent.exited();
    const seconds = (Date.now() - signalled) / 1000;
    await reader.cancel().catch(() => {});
    assert.equal(code, 0, agent.text());
    assert.ok(agent.log.some((r) => r.msg === "holdfast stopped"), agent.text());
    assert.ok(seconds < 5, `took ${seconds} s`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
