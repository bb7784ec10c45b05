import { assert, assertEquals } from "../assert.ts";
import { HealthChecker } from "../../src/upstream/health.ts";
import { UpstreamPool } from "../../src/upstream/pool.ts";
import { fixedIdentity } from "../proxy/identity_fixture.ts";

/** A /readyz server whose answer the test switches; counts probes and records their headers. */
function readyzServer() {
  const state = { healthy: true, probes: 0, authorization: "" as string | null };
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    state.probes++;
    state.authorization = req.headers.get("authorization");
    return new Response(state.healthy ? "ok" : "not ready", { status: state.healthy ? 200 : 500 });
  });
  return { server, state, url: new URL(`http://127.0.0.1:${server.addr.port}`) };
}

async function until(check: () => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const config = {
  path: "/readyz",
  intervalMs: 20,
  timeoutMs: 2000,
  unhealthyThreshold: 3,
  healthyThreshold: 2,
};

/** A started checker probing a /readyz server once (the next probe would come in ten minutes). */
function onceOnlyChecker(healthy: boolean) {
  const upstream = readyzServer();
  upstream.state.healthy = healthy;
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool([upstream.url], "round-robin");
  const checker = new HealthChecker(
    pool,
    { ...config, intervalMs: 600_000 },
    fixedIdentity(client),
  );
  checker.start();
  return { upstream, client, pool, checker };
}

Deno.test("health: a server turns unhealthy after the threshold of failures, healthy after successes", async () => {
  const upstream = readyzServer();
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool([upstream.url], "round-robin");
  const flips: { healthy: boolean; probes: number }[] = [];
  pool.onHealthChange((s) => flips.push({ healthy: s.healthy, probes: upstream.state.probes }));
  const checker = new HealthChecker(pool, config, fixedIdentity(client, "node-token"));
  checker.start();
  await until(() => upstream.state.probes >= 2, "first probes");
  assertEquals(pool.online, true);
  assertEquals(upstream.state.authorization, "Bearer node-token");

  const failingFrom = upstream.state.probes;
  upstream.state.healthy = false;
  await until(() => !pool.online, "unhealthy");
  assert(
    flips[0].probes - failingFrom >= 3,
    `unhealthy after ${flips[0].probes - failingFrom} failures`,
  );
  assertEquals(pool.servers[0].lastError, "health check answered 500");

  const passingFrom = upstream.state.probes;
  upstream.state.healthy = true;
  await until(() => pool.online, "healthy again");
  assert(
    flips[1].probes - passingFrom >= 2,
    `healthy after ${flips[1].probes - passingFrom} passes`,
  );
  await checker.stop();
  client.close();
  await upstream.server.shutdown();
});

Deno.test("health: suspect() probes at once instead of waiting for the interval", async () => {
  const { upstream, client, pool, checker } = onceOnlyChecker(true);
  await until(() => upstream.state.probes === 1, "the first probe");
  await new Promise((r) => setTimeout(r, 20));
  checker.suspect(pool.servers[0]);
  await until(() => upstream.state.probes === 2, "a probe right after suspect()");
  await checker.stop();
  client.close();
  await upstream.server.shutdown();
});

Deno.test("health: an unreachable server is marked unhealthy with the connection error", async () => {
  const gone = readyzServer();
  await gone.server.shutdown();
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool([gone.url], "round-robin");
  const checker = new HealthChecker(pool, config, fixedIdentity(client));
  checker.start();
  await until(() => !pool.online, "unhealthy");
  assert(pool.servers[0].lastError, "a reason is recorded");
  await checker.stop();
  client.close();
});

Deno.test("health: a server behind a path prefix is probed under its prefix", async () => {
  const paths: string[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    const url = new URL(req.url);
    paths.push(url.pathname + url.search);
    return new Response("ok", { status: url.pathname === "/clusters/a/readyz" ? 200 : 404 });
  });
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool(
    [new URL(`http://127.0.0.1:${server.addr.port}/clusters/a/`)],
    "round-robin",
  );
  const checker = new HealthChecker(
    pool,
    { ...config, path: "/readyz?verbose", unhealthyThreshold: 1 },
    fixedIdentity(client),
  );
  checker.start();
  await until(() => paths.length >= 2, "two probes");
  await checker.stop();
  assertEquals(paths[0], "/clusters/a/readyz?verbose");
  assertEquals(pool.online, true);
  client.close();
  await server.shutdown();
});

Deno.test("health: the first probe's failure marks a server unhealthy at once (restart on a dead link)", async () => {
  const { upstream, client, pool, checker } = onceOnlyChecker(false);
  await until(() => !pool.online, "unhealthy after the first probe");
  assertEquals(upstream.state.probes, 1);
  await checker.stop();
  client.close();
  await upstream.server.shutdown();
});
