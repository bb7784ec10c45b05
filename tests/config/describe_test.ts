import assert from "node:assert/strict";
import { describeConfig, REDACTED } from "../../src/config/describe.ts";
import type { Config } from "../../src/config/types.ts";
import { CERT_PEM, KEY_PEM } from "./memory_io.ts";

const CONFIG: Config = {
  servers: [new URL("https://a:6443")],
  nodeName: "edge-1",
  listen: { hostname: "::1", port: 10261 },
  adminListen: { hostname: "127.0.0.1", port: 10267 },
  cachePath: "/var/lib/holdfast/cache.kv",
  cacheAgents: ["kubelet"],
  anonymousRequests: "node-identity-for-loopback-components",
  nodeIdentityComponents: ["*"],
  upstream: {
    caCert: CERT_PEM + CERT_PEM,
    clientCert: CERT_PEM,
    clientKey: KEY_PEM,
    token: "s3cr3t",
    tokenFile: "/t",
  },
  lbMode: "priority",
  health: {
    path: "/readyz",
    intervalMs: 1500,
    timeoutMs: 500,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
  },
  limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: 1000 },
  log: { level: "debug", format: "json" },
};

Deno.test("describeConfig redacts the client key and token", () => {
  const shown = describeConfig(CONFIG);
  const text = JSON.stringify(shown);
  assert.ok(!text.includes("s3cr3t"));
  assert.ok(!text.includes("PRIVATE KEY"));
  assert.deepEqual(shown.upstream, {
    caCert: "PEM, 2 certificates",
    clientCert: "PEM, 1 certificate",
    clientKey: REDACTED,
    token: REDACTED,
    tokenFile: "/t",
  });
});

Deno.test("describeConfig writes addresses, URLs and durations as text", () => {
  const shown = describeConfig(CONFIG);
  assert.deepEqual(shown.servers, ["https://a:6443/"]);
  assert.equal(shown.listen, "[::1]:10261");
  assert.deepEqual(shown.health, {
    path: "/readyz",
    interval: "1s500ms",
    timeout: "500ms",
    unhealthyThreshold: 3,
    healthyThreshold: 2,
  });
});

Deno.test("describeConfig shows the filters, the master service address as text", () => {
  const shown = describeConfig({
    ...CONFIG,
    filters: {
      enabled: ["masterservice"],
      components: { masterservice: ["kubelet"] },
      masterServiceAddress: { host: "fd00::1", port: 10268 },
    },
  });
  assert.deepEqual(shown.filters, {
    enabled: ["masterservice"],
    components: { masterservice: ["kubelet"] },
    masterServiceAddress: "[fd00::1]:10268",
  });
});
