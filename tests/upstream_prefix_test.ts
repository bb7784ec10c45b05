/**
 * An apiserver reached behind a path prefix (`https://gw/clusters/a/`): proxied requests, health
 * checks and queued events all go under the prefix.
 */
import { assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";

Deno.test("upstream prefix: queued events are delivered under the server's path prefix", async () => {
  let ready = false;
  const seen: string[] = [];
  await using gateway = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname}`);
      if (url.pathname === "/clusters/a/readyz") {
        return new Response(ready ? "ok" : "not ready", { status: ready ? 200 : 500 });
      }
      return Response.json({}, { status: url.pathname.startsWith("/clusters/a/") ? 201 : 404 });
    },
  );
  const server = new URL(`http://127.0.0.1:${gateway.addr.port}/clusters/a/`);
  await using stack = await startStack({ config: { servers: [server], upstream: {} } });
  const mode = async () => (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode;
  await waitFor("offline mode", async () => (await mode()) === "offline");

  const event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "queued-behind-prefix", namespace: "default" },
    involvedObject: { kind: "Node", name: "node-0" },
    reason: "Test",
    message: "sent while offline",
  };
  const created = await fetch(`${stack.proxyUrl}/api/v1/namespaces/default/events`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "kubelet/v1.33.0" },
    body: JSON.stringify(event),
  });
  await created.body?.cancel();
  assertEquals(created.status, 201);

  ready = true;
  await waitFor("the queued event", () => seen.some((line) => line.startsWith("POST ")));
  assertEquals(seen.filter((line) => line.startsWith("POST ")), [
    "POST /clusters/a/api/v1/namespaces/default/events",
  ]);
  assertEquals(seen.filter((line) => !line.includes("/clusters/a/")), []);
});
