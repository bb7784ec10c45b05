/**
 * SIGHUP as a subprocess: the config file is read again; the log level, health checks and cached
 * components change without dropping an open watch; a bad file is refused and the running config
 * stays; fields that need a restart are named.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import { agentUrls, KUBELET, spawnAgent } from "./agent_process.ts";

const PODS = "/api/v1/pods";

Deno.test("SIGHUP reloads the level and cached components, keeps a watch open, refuses a bad file", async () => {
  await using sim = await startSimulator({ scale: { pods: 5, nodes: 1 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-reload-" });
  try {
    const file = `${dir}/config.yaml`;
    const write = (level: string, agents: string, extra = "") =>
      Deno.writeTextFile(
        file,
        `servers: [${sim.url}]\nlisten: 127.0.0.1:0\nadminListen: 127.0.0.1:0\n` +
          `cachePath: ${dir}/cache.kv\nlog:\n  level: ${level}\ncacheAgents: [${agents}]\n${extra}`,
      );
    await write("info", "coredns");
    await using agent = spawnAgent(["--config", file]);
    const { proxy, admin } = agentUrls(await agent.waitFor("holdfast started"));
    const watch = await fetch(`${proxy}${PODS}?watch=true&timeoutSeconds=600`, {
      headers: KUBELET,
    });
    const events = watch.body!.getReader();
    await events.read();
    const kubeletQueries = async () =>
      (await (await fetch(`${admin}/v1/status`)).json()).queries
        .filter((q: { component: string }) => q.component === "kubelet").length;

    const before = (await (await fetch(`${proxy}${PODS}`, { headers: KUBELET })).json()).items;
    assert.equal(await kubeletQueries(), 0, "kubelet is not a cached component yet");
    assert.ok(!agent.log.some((r) => r.msg === "proxied"), "no debug lines at info");

    await write("debug", "kubelet", "nodeName: renamed-node\n");
    agent.child.kill("SIGHUP");
    const reloaded = await agent.waitFor("config reloaded");
    assert.equal(reloaded.logLevel, "debug");
    const restart = await agent.waitFor("changed config takes effect at restart");
    assert.deepEqual(restart.restart, ["nodeName"]);

    const list = await fetch(`${proxy}${PODS}`, { headers: KUBELET });
    assert.equal((await list.json()).items.length, before.length);
    await agent.waitFor("proxied"); // a debug line: the level changed
    const deadline = Date.now() + 10_000;
    while (await kubeletQueries() === 0) {
      assert.ok(Date.now() < deadline, "kubelet's LIST was never cached after the reload");
      await new Promise((r) => setTimeout(r, 50));
    }

    await write("loud", "kubelet");
    agent.child.kill("SIGHUP");
    const refused = await agent.waitFor("config reload refused: the running config stays");
    assert.match(String(refused.error), /log\.level/);

    // The watch opened before both reloads is still open and delivers changes.
    await sim.objects.churn({ resource: "pods", rate: 100, count: 1, op: "modify" }).done;
    let seen = "";
    while (!seen.includes('"type":"MODIFIED"')) {
      const { value, done } = await events.read();
      assert.ok(!done, "the watch was dropped by a reload");
      seen += new TextDecoder().decode(value);
    }
    await events.cancel();
    agent.child.kill("SIGTERM");
    assert.equal(await agent.exited(), 0, agent.text());
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
