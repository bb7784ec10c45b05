/**
 * Hostile requests against a running agent, sent as raw bytes over TCP (so no client library
 * normalizes them first): no request path reaches another host than the apiserver, and no
 * request acts as the node unless the security model allows it.
 */
import { assert, assertEquals } from "./assert.ts";
import { startStack } from "./harness.ts";
import { assertRawStatus as assertStatus, rawRequest } from "./raw_http.ts";

/** A TCP listener that records every connection made to it (and the first bytes sent). */
function startCapture() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: string[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      const buffer = new Uint8Array(4096);
      const n = await conn.read(buffer).catch(() => null);
      seen.push(new TextDecoder().decode(buffer.subarray(0, n ?? 0)));
      conn.close();
    }
  })();
  return {
    address: `127.0.0.1:${listener.addr.port}`,
    seen,
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting.catch(() => {});
    },
  };
}

Deno.test("security: no request target makes holdfast connect to another host, with a token or a certificate", async () => {
  await using capture = startCapture();
  const c = capture.address;
  const tricks = [
    `GET //${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET //${c}/api/v1/pods HTTP/1.1`,
    `GET /\\${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /\\\\${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /%2F%2F${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /%2f%2f${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /%5C%5C${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET http://${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET https://${c}//${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET //user@${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /@${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /api/../..//${c}/api/v1/pods HTTP/1.1\r\nHost: proxy`,
    `GET /api/%2e%2e/%2e%2e//${c}/api HTTP/1.1\r\nHost: proxy`,
    `GET /api/v1/pods%0d%0aHost:%20${c} HTTP/1.1\r\nHost: proxy`,
    `GET /api/v1/pods%00 HTTP/1.1\r\nHost: proxy`,
    `GET /api/v1/pods?x=%0d%0aHost:%20${c} HTTP/1.1\r\nHost: proxy`,
    `GET /api/v1/pods HTTP/1.1\r\nHost: proxy\\\\${c}`,
    `GET /${c}/api/v1/pods HTTP/1.1\r\nHost: proxy\\`,
    // The kubelet's component, and a path that reads as host "api": never cached either.
    `GET //api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: proxy\r\nUser-Agent: kubelet/v1`,
  ];
  for (const upstream of ["token", "certificate"] as const) {
    await using stack = await startStack({
      sim: upstream === "token" ? { tls: false, token: "node-secret" } : { tls: true },
      config: upstream === "token" ? { upstream: { token: "node-secret" } } : {},
    });
    const port = stack.agent.proxyAddress.port;
    for (const trick of tricks) {
      const answer = await rawRequest(port, trick);
      assertStatus(answer, 400, "BadRequest", `${upstream}: ${JSON.stringify(trick)}`);
    }
    // The client's negotiated format: protobuf when it asks for it.
    const protobuf = await rawRequest(
      port,
      `GET //${c}/api/v1/pods HTTP/1.1\r\nHost: proxy\r\nAccept: application/vnd.kubernetes.protobuf`,
    );
    assertEquals(protobuf.status, 400);
    assertEquals(protobuf.headers.get("content-type"), "application/vnd.kubernetes.protobuf");
    assertEquals(stack.sim.requests.recent({ userAgent: "kubelet/v1" }), []);
    const stats = await (await fetch(`${stack.adminUrl}/v1/status`)).json();
    assertEquals(stats.cache.filter((s: { component: string }) => s.component === "kubelet"), []);
    // The stack is sound: the same request with a plain path is answered by the apiserver.
    const plain = await rawRequest(port, "GET /api/v1/namespaces HTTP/1.1\r\nHost: proxy");
    assertEquals(plain.status, 200, plain.body);
  }
  assertEquals(capture.seen, [], "the capture server was contacted");
});

Deno.test("security: raw CR/LF or a tab in the request line never reaches upstream", async () => {
  await using capture = startCapture();
  await using stack = await startStack({ sim: { tls: false, token: "node-secret" } });
  const port = stack.agent.proxyAddress.port;
  const c = capture.address;
  for (
    const trick of [
      `GET /api/v1/pods\nHost: ${c} HTTP/1.1\r\nHost: proxy`,
      `GET /api/v1/pods\r HTTP/1.1\r\nHost: proxy`,
      `GET /api/v1/pods\t//${c} HTTP/1.1\r\nHost: proxy`,
    ]
  ) {
    const answer = await rawRequest(port, trick);
    assert(
      answer.status === 400 || answer.status === 0,
      `${JSON.stringify(trick)}: ${answer.status}`,
    );
  }
  assertEquals(capture.seen, []);
  assertEquals(stack.sim.requests.recent({ path: /pods/ }), []);
});

Deno.test("security: a client's own token goes upstream alone; only configured loopback components act as the node", async () => {
  await using stack = await startStack({
    sim: { tls: true, token: "sim-token" },
    config: { nodeIdentityComponents: ["kubelet"] },
  });
  const path = "/api/v1/namespaces/default/configmaps";
  const send = async (userAgent: string, authorization?: string) => {
    const headers = new Headers({ "user-agent": userAgent });
    if (authorization) headers.set("authorization", authorization);
    const response = await fetch(`${stack.proxyUrl}${path}`, { headers });
    const body = await response.json();
    const seen = stack.sim.requests.recent({ userAgent, path });
    return { status: response.status, reason: body.reason, identity: seen.map((r) => r.identity) };
  };

  // Its own token: forwarded without the node's certificate, so upstream sees only the token.
  assertEquals(await send("pod-app/1", "Bearer sim-token"), {
    status: 200,
    reason: undefined,
    identity: ["token"],
  });
  // A bogus token is the apiserver's to refuse, and it does: it never borrows the node's identity.
  assertEquals(await send("pod-app/2", "Bearer not-a-token"), {
    status: 401,
    reason: "Unauthorized",
    identity: [""],
  });
  // Other schemes are refused here and never forwarded.
  for (
    const [i, authorization] of ["Basic dXNlcjpwYXNz", "Negotiate abc", "Bearer", "x"].entries()
  ) {
    assertEquals(await send(`pod-app/${3 + i}`, authorization), {
      status: 401,
      reason: "Unauthorized",
      identity: [],
    }, authorization);
  }
  // No credential: the node's identity for a configured component from loopback, else 401.
  assertEquals(await send("kubelet/v1.33.0 (linux/amd64)"), {
    status: 200,
    reason: undefined,
    identity: ["cert:system:node:node-0"],
  });
  assertEquals(await send("curl/8.5.0"), { status: 401, reason: "Unauthorized", identity: [] });
  const nameless = await rawRequest(
    stack.agent.proxyAddress.port,
    `GET ${path} HTTP/1.1\r\nHost: p`,
  );
  assertStatus(nameless, 401, "Unauthorized", "no User-Agent");
});

Deno.test("security: anonymousRequests refuse sends no request as the node", async () => {
  await using stack = await startStack({
    sim: { tls: true, token: "sim-token" },
    config: { anonymousRequests: "refuse" },
  });
  const response = await fetch(`${stack.proxyUrl}/api/v1/namespaces`, {
    headers: { "user-agent": "kubelet/v1.33.0" },
  });
  assertEquals((await response.json()).reason, "Unauthorized");
  assertEquals(response.status, 401);
  assertEquals(stack.sim.requests.recent({ path: "/api/v1/namespaces" }), []);
  const own = await fetch(`${stack.proxyUrl}/api/v1/namespaces`, {
    headers: { "user-agent": "kubelet/v1.33.0", authorization: "Bearer sim-token" },
  });
  await own.body?.cancel();
  assertEquals(own.status, 200);
});
