import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { openWatch, request } from "./helpers.ts";

const scale = { pods: 10, nodes: 1, namespaces: 1, services: 1 };

async function refused(url: string): Promise<boolean> {
  try {
    await (await fetch(url)).body?.cancel();
    return false;
  } catch {
    return true;
  }
}

Deno.test("faults: link down refuses connections; link up listens on the same port", async () => {
  await using sim = await startSimulator({ scale });
  await sim.faults.linkDown();
  assert.equal(await refused(`${sim.url}/version`), true);
  await sim.faults.linkUp();
  const { status } = await request(`${sim.url}/version`);
  assert.equal(status, 200);
});

Deno.test("faults: link down cuts open watches", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(
    `${sim.url}/api/v1/pods?watch=1&resourceVersion=${sim.resourceVersion}`,
  );
  await sim.faults.linkDown();
  await assert.rejects(() => watch.next());
  await sim.faults.linkUp();
});

Deno.test("faults: cutWatches aborts every open watch mid-stream", async () => {
  await using sim = await startSimulator({ scale });
  const url = `${sim.url}/api/v1/configmaps?watch=1&resourceVersion=${sim.resourceVersion}`;
  const a = await openWatch(url);
  const b = await openWatch(url);
  assert.equal(sim.faults.cutWatches(), 2);
  await assert.rejects(() => a.next());
  await assert.rejects(() => b.next());
  assert.equal(sim.watchCount, 0);
});

Deno.test("faults: an error rule answers its Status code, then runs out", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "error", code: 503, retryAfterSeconds: 2, count: 1 });
  const failed = await request(`${sim.url}/api/v1/nodes`);
  assert.deepEqual([failed.status, failed.body.reason], [503, "ServiceUnavailable"]);
  assert.equal(failed.headers.get("retry-after"), "2");
  const ok = await request(`${sim.url}/api/v1/nodes`);
  assert.equal(ok.status, 200);
});

Deno.test("faults: a rule matching a path leaves other paths alone", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "error", code: 500, match: { path: "/api/v1/pods" } });
  assert.equal((await request(`${sim.url}/api/v1/pods`)).status, 500);
  assert.equal((await request(`${sim.url}/api/v1/nodes`)).status, 200);
});

Deno.test("faults: a hung request is answered once the rule is cleared", async () => {
  await using sim = await startSimulator({ scale });
  const id = sim.faults.add({ kind: "hang", match: { path: "/api/v1/nodes" } });
  const pending = request(`${sim.url}/api/v1/nodes`);
  for (let i = 0; i < 100 && sim.requests.count({ path: "/api/v1/nodes" }) === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.equal((await request(`${sim.url}/version`)).status, 200);
  sim.faults.clear(id);
  assert.equal((await pending).status, 200);
});

Deno.test("faults: a hung request is dropped when the link goes down", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "hang" });
  const outcome = fetch(`${sim.url}/api/v1/nodes`).then(
    (response) => response.body?.cancel().then(() => "answered"),
    () => "dropped",
  );
  for (let i = 0; i < 100 && sim.requests.count() === 0; i++) {
    await new Promise((r) => setTimeout(r, 5));
  }
  await sim.faults.linkDown();
  assert.equal(await outcome, "dropped");
});

Deno.test("faults: a delay rule is used up by one request", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "delay", ms: 30, count: 1 });
  assert.equal((await request(`${sim.url}/version`)).status, 200);
  assert.deepEqual(sim.faults.list(), []);
});

Deno.test("faults: a malformed body is not JSON", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "malformed", count: 1 });
  const response = await fetch(`${sim.url}/api/v1/nodes`);
  assert.equal(response.status, 200);
  await assert.rejects(() => response.json(), SyntaxError);
});

Deno.test("faults: a malformed watch starts with an undecodable frame", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "malformed", match: { watch: true } });
  const watch = await openWatch(
    `${sim.url}/api/v1/nodes?watch=1&resourceVersion=${sim.resourceVersion}`,
  );
  await assert.rejects(() => watch.next(), SyntaxError);
  await watch.close();
});

Deno.test("faults: a truncated body ends in an error", async () => {
  await using sim = await startSimulator({ scale });
  sim.faults.add({ kind: "truncated", count: 1 });
  const response = await fetch(`${sim.url}/api/v1/pods`);
  await assert.rejects(() => response.text());
});

Deno.test("faults: an invalid rule is rejected", async () => {
  await using sim = await startSimulator({ scale });
  assert.throws(() => sim.faults.add({ kind: "error", code: 200 }), TypeError);
});

Deno.test("requests: counted by User-Agent and path, with query and status in the log", async () => {
  await using sim = await startSimulator({ scale });
  const headers = { "user-agent": "kubelet/v1.36.0 (linux/amd64) kubernetes/abc" };
  await request(`${sim.url}/api/v1/nodes?fieldSelector=metadata.name%3Dnode-0`, { headers });
  await request(`${sim.url}/api/v1/nodes?fieldSelector=metadata.name%3Dnode-0`, { headers });
  await request(`${sim.url}/api/v1/pods`);
  assert.equal(sim.requests.count({ userAgent: /^kubelet\//, path: "/api/v1/nodes" }), 2);
  assert.equal(sim.requests.count({ userAgent: /^kubelet\//, path: "/api/v1/pods" }), 0);
  const [first] = sim.requests.recent({ path: "/api/v1/nodes" });
  assert.deepEqual([first.query, first.status], ["fieldSelector=metadata.name%3Dnode-0", 200]);
  sim.requests.reset();
  assert.equal(sim.requests.count(), 0);
});
