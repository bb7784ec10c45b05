import { assertEquals } from "../assert.ts";
import {
  type AnonymousPolicy,
  type ClientTls,
  isLoopback,
  upstreamAs,
} from "../../src/proxy/credential.ts";
import { createProxyHandler } from "../../src/proxy/handler.ts";
import { UpstreamPool } from "../../src/upstream/pool.ts";
import { fixedIdentity, LOOPBACK } from "./identity_fixture.ts";

const KUBELETS: AnonymousPolicy = {
  mode: "node-identity-for-loopback-components",
  components: new Set(["kubelet"]),
};
const REMOTE: Deno.NetAddr = { transport: "tcp", hostname: "10.1.2.3", port: 50000 };

function reasonOf(as: ReturnType<typeof upstreamAs>): string {
  return typeof as === "string" ? as : `${as.code} ${as.reason}`;
}

Deno.test("credential: own bearer tokens go alone; no credential is the node only from loopback", () => {
  const cases: [string | null, string, Deno.NetAddr | undefined, AnonymousPolicy, string][] = [
    ["Bearer abc", "curl", REMOTE, KUBELETS, "own-token"],
    ["bearer  abc", "", undefined, { ...KUBELETS, mode: "refuse" }, "own-token"],
    ["Basic dXNlcjpwYXNz", "kubelet", LOOPBACK, KUBELETS, "401 Unauthorized"],
    ["Bearer", "kubelet", LOOPBACK, KUBELETS, "401 Unauthorized"],
    ["Bearer a b", "kubelet", LOOPBACK, KUBELETS, "401 Unauthorized"],
    ["", "kubelet", LOOPBACK, KUBELETS, "401 Unauthorized"],
    [null, "kubelet", LOOPBACK, KUBELETS, "node"],
    [null, "kubelet", REMOTE, KUBELETS, "401 Unauthorized"],
    [null, "kubelet", undefined, KUBELETS, "401 Unauthorized"],
    [null, "curl", LOOPBACK, KUBELETS, "401 Unauthorized"],
    [null, "", LOOPBACK, KUBELETS, "401 Unauthorized"],
    [null, "", LOOPBACK, { ...KUBELETS, components: "*" }, "node"],
    [null, "kubelet", LOOPBACK, { ...KUBELETS, mode: "refuse" }, "401 Unauthorized"],
  ];
  for (const [authorization, component, remote, policy, expected] of cases) {
    assertEquals(
      reasonOf(upstreamAs(authorization, component, remote, policy)),
      expected,
      JSON.stringify([authorization, component, remote?.hostname, policy.mode]),
    );
  }
});

Deno.test("credential: on the HTTPS listener nobody is anonymous; a certificate is the node only when mapped", () => {
  const mapped: AnonymousPolicy = {
    ...KUBELETS,
    components: "*",
    aliases: new Map([
      ["cert:/O=system:nodes/CN=system:node:n", "node"],
      ["cert:/CN=m issuer=AA:BB", "node"],
    ]),
  };
  const cases: [string | null, ClientTls, string][] = [
    [null, {}, "401 Unauthorized"],
    [null, { subject: "/O=system:nodes/CN=system:node:n" }, "node"],
    [null, { subject: "/CN=app" }, "403 Forbidden"],
    [null, { subject: "/CN=m", issuer: "AA:BB" }, "node"],
    [null, { subject: "/CN=m", issuer: "CC:DD" }, "403 Forbidden"],
    [null, { subject: "/O=system:nodes/CN=system:node:n", issuer: "CC:DD" }, "node"],
    [null, { problem: "it is not signed by the configured client CA" }, "401 Unauthorized"],
    ["Bearer t", { subject: "/CN=app" }, "own-token"],
    ["Bearer t", {}, "own-token"],
  ];
  for (const [authorization, tls, expected] of cases) {
    const as = upstreamAs(authorization, "kubelet", LOOPBACK, mapped, tls);
    assertEquals(reasonOf(as), expected, JSON.stringify([authorization, tls]));
  }
});

Deno.test("credential: loopback addresses", () => {
  const tcp = (hostname: string): Deno.NetAddr => ({ transport: "tcp", hostname, port: 1 });
  assertEquals(
    ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"].map((h) => isLoopback(tcp(h))),
    [true, true, true, true],
  );
  assertEquals(
    ["10.0.0.1", "::", "::2", "128.0.0.1", "::ffff:10.0.0.1", "fe80::1"].map((h) =>
      isLoopback(tcp(h))
    ),
    [false, false, false, false, false, false],
  );
  assertEquals(isLoopback({ transport: "udp", hostname: "127.0.0.1", port: 1 }), false);
});

Deno.test("credential: the handler refuses before forwarding or answering offline, in the negotiated format", async () => {
  let reached = 0;
  await using upstream = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, () => {
    reached++;
    return new Response("{}");
  });
  using client = Deno.createHttpClient({});
  const pool = new UpstreamPool([new URL(`http://127.0.0.1:${upstream.addr.port}`)], "priority");
  let answeredLocally = 0;
  const handler = createProxyHandler({
    pool,
    identity: fixedIdentity(client, "node-token"),
    anonymous: KUBELETS,
    suspect: () => {},
    cacheAgents: "*",
    filters: [],
    maxCacheLagBytes: 1024,
    headerTimeoutMs: 2000,
    local: () => {
      answeredLocally++;
      return Promise.resolve(new Response("cached"));
    },
  });
  const request = (accept = "application/json") =>
    new Request("http://holdfast.local/api/v1/secrets", {
      headers: { "user-agent": "kubelet/v1.33.0", accept },
    });
  for (const online of [true, false]) {
    pool.setHealth(pool.servers[0], online);
    const { response } = await handler(request(), REMOTE);
    assertEquals(response.status, 401);
    assertEquals((await response.json()).reason, "Unauthorized");
    const protobuf = (await handler(request("application/vnd.kubernetes.protobuf"), REMOTE))
      .response;
    await protobuf.body?.cancel();
    assertEquals(protobuf.headers.get("content-type"), "application/vnd.kubernetes.protobuf");
  }
  assertEquals({ reached, answeredLocally }, { reached: 0, answeredLocally: 0 });
  // The same request from loopback is the node's, online and offline.
  const offline = (await handler(request(), LOOPBACK)).response;
  assertEquals(await offline.text(), "cached");
  pool.setHealth(pool.servers[0], true);
  const online = (await handler(request(), LOOPBACK)).response;
  await online.body?.cancel();
  assertEquals({ reached, answeredLocally }, { reached: 1, answeredLocally: 1 });
});
