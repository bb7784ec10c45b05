import { assert, assertEquals } from "../assert.ts";
import { Slots } from "../../src/proxy/admission.ts";
import { createProxyHandler, type ProxyDeps } from "../../src/proxy/handler.ts";
import { UpstreamPool, type UpstreamServer } from "../../src/upstream/pool.ts";
import { fixedIdentity, LOOPBACK, LOOPBACK_CLIENTS } from "./identity_fixture.ts";

interface Seen {
  url: URL;
  headers: Headers;
}

type Upstream = Deno.HttpServer<Deno.NetAddr> & { url: URL; requests: Seen[] };

function startUpstream(handler: (req: Request) => Response | Promise<Response>): Upstream {
  const requests: Seen[] = [];
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, (req) => {
    requests.push({ url: new URL(req.url), headers: new Headers(req.headers) });
    return handler(req);
  });
  return Object.assign(server, {
    url: new URL(`http://127.0.0.1:${server.addr.port}`),
    requests,
  });
}

interface Proxy {
  url: URL;
  client: Deno.HttpClient;
  suspected: UpstreamServer[];
  pool: UpstreamPool;
  [Symbol.asyncDispose](): Promise<void>;
}

function startProxy(upstreams: URL[], extra: Partial<ProxyDeps> = {}): Proxy {
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool(upstreams, "round-robin");
  const suspected: UpstreamServer[] = [];
  const handler = createProxyHandler({
    pool,
    identity: fixedIdentity(client),
    anonymous: LOOPBACK_CLIENTS,
    suspect: (s) => suspected.push(s),
    cacheAgents: new Set(),
    filters: [],
    maxCacheLagBytes: 1 << 20,
    headerTimeoutMs: 2000,
    ...extra,
  });
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", onListen: () => {} },
    async (req, info) => (await handler(req, info.remoteAddr)).response,
  );
  return {
    url: new URL(`http://127.0.0.1:${server.addr.port}`),
    client,
    suspected,
    pool,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      client.close();
    },
  };
}

Deno.test("proxy: forwards method, path, query, headers and body; Host is the upstream's", async () => {
  await using upstream = startUpstream(async (req) =>
    Response.json({ method: req.method, body: await req.text(), host: req.headers.get("host") })
  );
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(new URL("/api/v1/namespaces/a/pods/b?dryRun=All", proxy.url), {
    method: "PATCH",
    headers: { "content-type": "application/merge-patch+json", "x-extra": "1" },
    body: '{"metadata":{"labels":{"a":"b"}}}',
  });
  const echoed = await response.json();
  assertEquals(echoed.method, "PATCH");
  assertEquals(echoed.body, '{"metadata":{"labels":{"a":"b"}}}');
  assertEquals(echoed.host, upstream.url.host);
  const seen = upstream.requests[0];
  assertEquals(seen.url.pathname + seen.url.search, "/api/v1/namespaces/a/pods/b?dryRun=All");
  assertEquals(seen.headers.get("x-extra"), "1");
  assertEquals(seen.headers.get("accept-encoding"), "gzip");
});

Deno.test("proxy: hop-by-hop headers are dropped both ways", async () => {
  await using upstream = startUpstream(() =>
    new Response("ok", {
      headers: { "x-hop": "1", "connection": "x-hop", "keep-alive": "timeout=5" },
    })
  );
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(proxy.url, {
    headers: { "connection": "x-private", "x-private": "secret", "proxy-authorization": "Basic x" },
  });
  await response.body?.cancel();
  assertEquals(upstream.requests[0].headers.get("x-private"), null);
  assertEquals(upstream.requests[0].headers.get("proxy-authorization"), null);
  assertEquals(response.headers.get("x-hop"), null);
  assertEquals(response.headers.get("keep-alive"), null);
});

Deno.test("proxy: a gzip upstream body reaches the client decoded, without stale encoding headers", async () => {
  const text = JSON.stringify({ kind: "PodList", items: Array(200).fill({ a: "b".repeat(50) }) });
  const gz = await new Response(
    new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")),
  ).arrayBuffer();
  await using upstream = startUpstream(() =>
    new Response(gz, {
      headers: { "content-encoding": "gzip", "content-type": "application/json" },
    })
  );
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(proxy.url, { client: proxy.client });
  assertEquals(await response.text(), text);
});

Deno.test("proxy: a client's bearer token passes through; otherwise the configured token is used", async () => {
  await using upstream = startUpstream((req) => new Response(req.headers.get("authorization")));
  using client = Deno.createHttpClient({});
  await using proxy = startProxy([upstream.url], { identity: fixedIdentity(client, "node-token") });
  const own = await fetch(proxy.url, { headers: { authorization: "Bearer pod-token" } });
  assertEquals(await own.text(), "Bearer pod-token");
  const none = await fetch(proxy.url);
  assertEquals(await none.text(), "Bearer node-token");
});

Deno.test("proxy: each watch event reaches the client before the next one is sent", async () => {
  const gate = Promise.withResolvers<void>();
  const release: (() => void)[] = [];
  await using upstream = startUpstream(() => {
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        const enc = new TextEncoder();
        for (let i = 0; i < 3; i++) {
          controller.enqueue(enc.encode(`{"type":"ADDED","object":{"n":${i}}}\n`));
          await new Promise<void>((r) => release.push(r));
        }
        controller.close();
        gate.resolve();
      },
    });
    return new Response(body, { headers: { "content-type": "application/json" } });
  });
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(new URL("/api/v1/pods?watch=true", proxy.url));
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  for (let i = 0; i < 3; i++) {
    const { value } = await reader.read();
    assert(value?.includes(`"n":${i}`), `event ${i} arrived alone: ${value}`);
    release.shift()!();
  }
  await gate.promise;
  assertEquals((await reader.read()).done, true);
});

Deno.test("proxy: a client that goes away aborts the upstream request at once", async () => {
  const aborted = Promise.withResolvers<void>();
  await using upstream = startUpstream((req) => {
    req.signal.addEventListener("abort", () => aborted.resolve());
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"type":"ADDED","object":{}}\n'));
      },
    });
    return new Response(body);
  });
  await using proxy = startProxy([upstream.url]);
  const controller = new AbortController();
  const response = await fetch(new URL("/api/v1/pods?watch=1", proxy.url), {
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  await reader.read();
  controller.abort();
  await reader.cancel().catch(() => {});
  const outcome = await Promise.race([
    aborted.promise.then(() => "aborted"),
    new Promise((r) => setTimeout(() => r("still open"), 5000)),
  ]);
  assertEquals(outcome, "aborted");
});

Deno.test("proxy: an unreachable upstream is a 503 Status and marks the server suspect", async () => {
  const closed = startUpstream(() => new Response());
  const url = closed.url;
  await closed.shutdown();
  await using proxy = startProxy([url]);
  const response = await fetch(new URL("/api/v1/pods", proxy.url));
  assertEquals(response.status, 503);
  const status = await response.json();
  assertEquals(status.kind, "Status");
  assertEquals(status.reason, "ServiceUnavailable");
  assertEquals(response.headers.get("retry-after"), "1");
  assertEquals(proxy.suspected.length, 1);
});

Deno.test("proxy: a GET that cannot connect is retried once on another healthy server", async () => {
  const closed = startUpstream(() => new Response());
  const dead = closed.url;
  await closed.shutdown();
  await using alive = startUpstream(() => new Response("from the live one"));
  await using proxy = startProxy([dead, alive.url]);
  for (let i = 0; i < 4; i++) {
    const response = await fetch(new URL("/api/v1/nodes", proxy.url));
    assertEquals(await response.text(), "from the live one");
  }
});

Deno.test("proxy: connection upgrades get a 501 Status instead of a hang", async () => {
  await using upstream = startUpstream(() => new Response("should not be reached"));
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(new URL("/api/v1/namespaces/a/pods/b/exec?command=sh", proxy.url), {
    headers: { connection: "Upgrade", upgrade: "SPDY/3.1" },
  });
  assertEquals(response.status, 501);
  assertEquals((await response.json()).reason, "NotImplemented");
  assertEquals(upstream.requests.length, 0);
});

Deno.test("proxy: priority mode sends every request to the first healthy server", async () => {
  await using first = startUpstream(() => new Response("first"));
  await using second = startUpstream(() => new Response("second"));
  const client = Deno.createHttpClient({});
  const pool = new UpstreamPool([first.url, second.url], "priority");
  const handler = createProxyHandler({
    pool,
    identity: fixedIdentity(client),
    anonymous: LOOPBACK_CLIENTS,
    suspect: () => {},
    cacheAgents: new Set(),
    filters: [],
    maxCacheLagBytes: 1024,
    headerTimeoutMs: 2000,
  });
  const answers = [];
  for (let i = 0; i < 3; i++) {
    const request = new Request(new URL("/version", "http://holdfast.local"));
    const { response } = await handler(request, LOOPBACK);
    answers.push(await response.text());
  }
  pool.setHealth(pool.servers[0], false);
  const { response } = await handler(new Request("http://holdfast.local/version"), LOOPBACK);
  answers.push(await response.text());
  client.close();
  assertEquals(answers, ["first", "first", "first", "second"]);
});

Deno.test("proxy: an upstream that accepts but never answers is given up after the header timeout", async () => {
  const hang = Promise.withResolvers<Response>();
  await using upstream = startUpstream(() => hang.promise);
  await using proxy = startProxy([upstream.url], { headerTimeoutMs: 100 });
  const response = await fetch(new URL("/api/v1/pods", proxy.url));
  assertEquals(response.status, 503);
  assertEquals((await response.json()).reason, "ServiceUnavailable");
  assertEquals(proxy.suspected.length, 1);
  hang.resolve(new Response("late"));
});

Deno.test("proxy: a request waiting on a hung upstream is answered as soon as the pool goes offline", async () => {
  const hang = Promise.withResolvers<Response>();
  await using upstream = startUpstream(() => hang.promise);
  await using proxy = startProxy([upstream.url], { headerTimeoutMs: 600_000 });
  const pending = fetch(new URL("/api/v1/pods", proxy.url));
  while (upstream.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
  proxy.pool.setHealth(proxy.pool.servers[0], false);
  const response = await pending;
  assertEquals(response.status, 503);
  assertEquals((await response.json()).reason, "ServiceUnavailable");
  hang.resolve(new Response("late"));
});

Deno.test("proxy: a write whose upstream outcome is unknown gets 504 Timeout, never a local answer", async () => {
  const hang = Promise.withResolvers<void>();
  await using upstream = startUpstream(() => hang.promise.then(() => new Response("late")));
  using _release = { [Symbol.dispose]: () => hang.resolve() };
  const local = () => Promise.resolve(new Response("answered locally", { status: 201 }));
  await using timeout = startProxy([upstream.url], { headerTimeoutMs: 100, local });
  const lease = new URL("/apis/coordination.k8s.io/v1/namespaces/a/leases/b", timeout.url);
  const timedOut = await fetch(lease, { method: "PUT", body: "{}" });
  const status = await timedOut.json();
  assertEquals([status.kind, status.reason, status.code], ["Status", "Timeout", 504]);
  assertEquals(timedOut.status, 504);
  assertEquals(timedOut.headers.get("retry-after"), null); // else client-go re-sends it by itself
  // A read in the same situation is still answered from the cache.
  const read = await fetch(new URL("/api/v1/pods", timeout.url));
  assertEquals(await read.text(), "answered locally");

  await using waiting = startProxy([upstream.url], { headerTimeoutMs: 600_000, local });
  const seen = upstream.requests.length;
  const pending = fetch(new URL("/api/v1/namespaces/a/events", waiting.url), {
    method: "POST",
    body: "{}",
  });
  while (upstream.requests.length === seen) await new Promise((r) => setTimeout(r, 5));
  waiting.pool.setHealth(waiting.pool.servers[0], false);
  const offline = await pending;
  assertEquals(await offline.json().then((s) => s.reason), "Timeout");
  assertEquals(offline.status, 504);
});

Deno.test("proxy: a write that certainly never reached an upstream is answered locally", async () => {
  const closed = startUpstream(() => new Response());
  const url = closed.url;
  await closed.shutdown();
  const local = () => Promise.resolve(new Response("answered locally", { status: 201 }));
  await using proxy = startProxy([url], { local });
  const response = await fetch(new URL("/api/v1/namespaces/a/events", proxy.url), {
    method: "POST",
    body: "{}",
  });
  assertEquals(response.status, 201);
  assertEquals(await response.text(), "answered locally");
});

Deno.test("proxy: a write answered locally after a failed forward still has its body", async () => {
  const closed = startUpstream(() => new Response());
  const url = closed.url;
  await closed.shutdown();
  const local = async (request: Request) => new Response(await request.text(), { status: 201 });
  await using proxy = startProxy([url], { local });
  const lease = `{"kind":"Lease","metadata":{"name":"node-0"},"pad":"${"x".repeat(200_000)}"}`;
  const response = await fetch(
    new URL("/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-0", proxy.url),
    { method: "PUT", body: lease },
  );
  assertEquals(response.status, 201);
  assertEquals(await response.text(), lease);
});

Deno.test("proxy: a write body over kube-apiserver's 3 MiB limit is 413, never sent", async () => {
  const upstream = startUpstream(() => new Response("{}"));
  await using proxy = startProxy([upstream.url]);
  const response = await fetch(new URL("/api/v1/namespaces/a/configmaps", proxy.url), {
    method: "POST",
    body: new Uint8Array(3 * 1024 * 1024 + 1),
  });
  assertEquals(response.status, 413);
  const status = await response.json();
  assertEquals([status.reason, status.message], [
    "RequestEntityTooLarge",
    "Request entity too large: limit is 3145728",
  ]);
  assertEquals(upstream.requests.length, 0);
  await upstream.shutdown();
});

/** A local answer whose body stays open until `finish` is called. */
function heldAnswers() {
  const finishers: (() => void)[] = [];
  const local = () => {
    let finish!: () => void;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("{}"));
        finish = () => controller.close();
      },
    });
    finishers.push(() => finish());
    return Promise.resolve(new Response(body));
  };
  return { local, finishers };
}

Deno.test("proxy: offline LISTs beyond the bound get 429 TooManyRequests until one is done", async () => {
  const held = heldAnswers();
  await using proxy = startProxy([new URL("http://127.0.0.1:1")], {
    local: held.local,
    offlineLists: new Slots(2),
  });
  proxy.pool.setHealth(proxy.pool.servers[0], false);
  const list = () => fetch(new URL("/api/v1/pods", proxy.url));
  const first = await list();
  const second = await list();
  const refused = await list();
  assertEquals(refused.status, 429);
  assertEquals(refused.headers.get("retry-after"), "1");
  const status = await refused.json();
  assertEquals([status.kind, status.reason, status.code], ["Status", "TooManyRequests", 429]);
  // GETs are not bounded.
  const get = await fetch(new URL("/api/v1/namespaces/a/pods/b", proxy.url));
  assertEquals(get.status, 200);
  held.finishers[2]();
  await get.body?.cancel();

  held.finishers[0]();
  assertEquals(await first.text(), "{}");
  const third = await list();
  assertEquals(third.status, 200);
  held.finishers[3]();
  held.finishers[1]();
  await Promise.all([second.text(), third.text()]);
});

Deno.test("proxy: a watch-list compressed per event (kube-apiserver 1.37) reaches the client whole", async () => {
  // kube-apiserver 1.37 (WatchListCompression, on by default) answers a watch-list whose request
  // accepts gzip with one gzip member per flushed event; fetch decodes only the first member.
  const events = [
    '{"type":"ADDED","object":{"kind":"Service","metadata":{"name":"a","resourceVersion":"5"}}}\n',
    '{"type":"ADDED","object":{"kind":"Service","metadata":{"name":"b","resourceVersion":"6"}}}\n',
    '{"type":"BOOKMARK","object":{"kind":"Service","metadata":{"resourceVersion":"7",' +
    '"annotations":{"k8s.io/initial-events-end":"true"}}}}\n',
  ];
  const gzip = async (text: string) =>
    new Uint8Array(
      await new Response(new Blob([text]).stream().pipeThrough(new CompressionStream("gzip")))
        .arrayBuffer(),
    );
  const members = await Promise.all(events.map(gzip));
  await using upstream = startUpstream((req) => {
    const compressed = req.headers.get("accept-encoding")?.includes("gzip");
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const enc = new TextEncoder();
        events.forEach((e, i) => controller.enqueue(compressed ? members[i] : enc.encode(e)));
        controller.close();
      },
    });
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (compressed) headers["content-encoding"] = "gzip";
    return new Response(body, { headers });
  });
  await using proxy = startProxy([upstream.url]);
  const query = "watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan" +
    "&allowWatchBookmarks=true";
  const response = await fetch(new URL(`/api/v1/services?${query}`, proxy.url), {
    client: proxy.client,
  });
  assertEquals(await response.text(), events.join(""));
});
