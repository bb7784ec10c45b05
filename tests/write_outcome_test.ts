/**
 * No write answered twice: through a running agent, an event POST whose upstream hung is a 504
 * Timeout (not answered and queued locally), while one that certainly never reached the upstream
 * (connection refused) is queued and reaches the simulator exactly once after recovery.
 */
import { assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";

const EVENTS = "/api/v1/namespaces/default/events";

function event(name: string): string {
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name, namespace: "default" },
    involvedObject: { kind: "Node", name: "node-0" },
    reason: "Probe",
    message: "written through holdfast",
    type: "Normal",
  });
}

async function mode(adminUrl: string): Promise<string> {
  return (await (await fetch(`${adminUrl}/v1/status`)).json()).mode;
}

function post(proxyUrl: string, name: string): Promise<Response> {
  return fetch(proxyUrl + EVENTS, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "kubelet/v1.31.0" },
    body: event(name),
  });
}

Deno.test("writes: an event POST to a hung upstream is a 504 Timeout, and is created once on retry", async () => {
  await using stack = await startStack({
    config: {
      limits: {
        upstreamHeaderTimeoutMs: 300,
        offlineLists: 4,
        watches: 1000,
      },
    },
  });
  const hang = stack.sim.faults.add({ kind: "hang", match: { method: "POST", path: EVENTS } });
  const hung = await post(stack.proxyUrl, "hung-write");
  const status = await hung.json();
  assertEquals([hung.status, status.kind, status.reason, status.code], [
    504,
    "Status",
    "Timeout",
    504,
  ]);
  // No Retry-After: client-go would retry the write by itself, and maybe apply it twice.
  assertEquals(hung.headers.get("retry-after"), null);

  // Recovery: nothing was queued, so a link flap delivers nothing; the client's retry creates it.
  stack.sim.faults.clear(hang);
  await stack.sim.faults.linkDown();
  await waitFor("offline", async () => (await mode(stack.adminUrl)) === "offline");
  await stack.sim.faults.linkUp();
  await waitFor("online", async () => (await mode(stack.adminUrl)) === "online");
  const retried = await post(stack.proxyUrl, "hung-write");
  assertEquals(retried.status, 201);
  await retried.body?.cancel();
  const created = stack.sim.requests.recent({ method: "POST", path: EVENTS })
    .filter((r) => r.status === 201);
  assertEquals(created.length, 1);
});

Deno.test("writes: an event POST that cannot connect is queued and delivered exactly once", async () => {
  await using stack = await startStack();
  await stack.sim.faults.linkDown();
  const queued = await post(stack.proxyUrl, "refused-write");
  assertEquals(queued.status, 201);
  await queued.body?.cancel();
  await waitFor("offline", async () => (await mode(stack.adminUrl)) === "offline");
  await stack.sim.faults.linkUp();
  await waitFor(
    "the queued event delivered",
    () => stack.sim.objects.get("events", "refused-write", "default") !== undefined,
  );
  await waitFor("online", async () => (await mode(stack.adminUrl)) === "online");
  const posts = stack.sim.requests.recent({ method: "POST", path: EVENTS });
  assertEquals(posts.map((r) => r.status), [201]);
});
