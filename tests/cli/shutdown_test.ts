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

Deno.test("SIGTERM under offline load: exit 0 within 5 s, queued events kept and delivered once, next start serves offline", async () => {
  await using sim = await startSimulator({ scale: { pods: 200, nodes: 2 } });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-sigterm-" });
  const cache = `${dir}/cache.kv`;
  const args = [
    ...agentArgs(sim.url, cache),
    "--health-interval",
    "300ms",
    "--health-timeout",
    "250ms",
  ];
  const event = (i: number) =>
    JSON.stringify({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: `shutdown-${i}`, namespace: "default" },
      involvedObject: { kind: "Node", name: "node-0" },
      reason: "Test",
      message: `event ${i}`,
    });
  const mode = async (admin: string) => (await (await fetch(`${admin}/v1/status`)).json()).mode;
  const until = async (what: string, check: () => Promise<boolean>) => {
    const deadline = Date.now() + 20_000;
    while (!(await check().catch(() => false))) {
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  try {
    let names: string[] = [];
    {
      await using agent = spawnAgent(args);
      const { proxy, admin } = agentUrls(await agent.waitFor("holdfast started"));
      const list = async () => {
        const response = await fetch(`${proxy}${PODS}`, { headers: KUBELET });
        const body = await response.json();
        if (response.status !== 200) return false;
        names = body.items.map((pod: { metadata: { name: string } }) => pod.metadata.name).sort();
        return true;
      };
      await until("an online LIST", list);
      await sim.faults.linkDown();
      await until("offline mode", async () => (await mode(admin)) === "offline");
      await until("the LIST from the cache", list);
      for (let i = 0; i < 5; i++) {
        const created = await fetch(`${proxy}/api/v1/namespaces/default/events`, {
          method: "POST",
          headers: { ...KUBELET, "content-type": "application/json" },
          body: event(i),
        });
        assert.equal(created.status, 201, await created.text());
      }
      // Load while the signal arrives: open watches and offline LISTs in flight.
      const watches = await Promise.all(
        Array.from(
          { length: 20 },
          () => fetch(`${proxy}${PODS}?watch=true&timeoutSeconds=600`, { headers: KUBELET }),
        ),
      );
      const lists = Array.from(
        { length: 8 },
        () =>
          fetch(`${proxy}${PODS}`, { headers: KUBELET }).then((r) => r.arrayBuffer()).catch(
            () => {},
          ),
      );
      const signalled = Date.now();
      agent.child.kill("SIGTERM");
      assert.equal(await agent.exited(), 0, agent.text());
      const seconds = (Date.now() - signalled) / 1000;
      assert.ok(seconds < 5, `took ${seconds} s`);
      await Promise.all([...lists, ...watches.map((w) => w.body?.cancel().catch(() => {}))]);
    }
    await using again = spawnAgent(args);
    const { proxy, admin } = agentUrls(await again.waitFor("holdfast started"));
    await until("offline after the restart", async () => (await mode(admin)) === "offline");
    const status = await (await fetch(`${admin}/v1/status`)).json();
    assert.equal(status.events.queued, 5, JSON.stringify(status.events));
    const offline = await fetch(`${proxy}${PODS}`, { headers: KUBELET });
    const body = await offline.json();
    assert.equal(offline.status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.items.map((p: { metadata: { name: string } }) => p.metadata.name).sort(),
      names,
    );

    await sim.faults.linkUp();
    const delivered = () =>
      sim.objects.list("events", "default").filter((e) =>
        String((e.metadata as { name: string }).name).startsWith("shutdown-")
      );
    await until("the queued events delivered", () => Promise.resolve(delivered().length === 5));
    await until(
      "the queue drained",
      async () => (await (await fetch(`${admin}/v1/status`)).json()).events.queued === 0,
    );
    assert.equal(delivered().length, 5);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
