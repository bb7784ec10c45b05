/**
 * An apiserver reached behind a path prefix (`https://gw/clusters/a/`): proxied requests, the
 * filters' lookups, health checks and queued events all go under the prefix (`upstream/url.ts`).
 */
import { assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";
import { upstreamEventSender } from "../src/node/event_delivery.ts";
import { forward } from "../src/proxy/remote/forward.ts";
import { upstreamJsonGet } from "../src/proxy/remote/json_get.ts";
import { UpstreamPool } from "../src/upstream/pool.ts";
import { fixedIdentity } from "./proxy/identity_fixture.ts";

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

Deno.test("upstream prefix: forward, the filters' lookups and event delivery all build URLs under it", async () => {
  const seen: string[] = [];
  await using gateway = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    (req) => {
      const url = new URL(req.url);
      seen.push(`${req.method} ${url.pathname}${url.search}`);
      return Response.json({}, { status: req.method === "POST" ? 201 : 200 });
    },
  );
  const server = new URL(`http://127.0.0.1:${gateway.addr.port}/clusters/a/`);
  const pool = new UpstreamPool([server], "round-robin");
  using client = Deno.createHttpClient({});
  const deps = { pool, identity: fixedIdentity(client), suspect: () => {}, headerTimeoutMs: 5000 };

  const url = new URL("http://holdfast.local/api/v1/pods?limit=1");
  const forwarded = await forward(new Request(url), url, deps, "node");
  if (forwarded.ok) await forwarded.response.body?.cancel();
  await upstreamJsonGet(deps)("/api/v1/nodes/node-0", "application/json");
  const status = await upstreamEventSender(deps)({
    path: "/api/v1/namespaces/default/events",
    contentType: "application/json",
    userAgent: "kubelet/v1.33.0",
    body: new TextEncoder().encode("{}"),
    queuedAt: Date.now(),
  });
  assertEquals(status, 201);
  assertEquals(seen, [
    "GET /clusters/a/api/v1/pods?limit=1",
    "GET /clusters/a/api/v1/nodes/node-0",
    "POST /clusters/a/api/v1/namespaces/default/events",
  ]);
});
