import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { defaultSettings, type Settings } from "../../src/config/fields.ts";
import { mergeSettings } from "../../src/config/merge.ts";
import { parseKubeconfig } from "../../src/config/kubeconfig.ts";
import { type ConfigIO, resolveConfig } from "../../src/config/resolve.ts";
import type { Config } from "../../src/config/types.ts";
import { KUBECONFIG } from "./kubeconfigs.ts";
import { CERT_PEM, KEY_PEM, memoryIO } from "./memory_io.ts";

const SERVER = { servers: ["https://10.0.0.1:6443"] };

/** Resolves defaults plus `settings` (origin `test`). */
function resolve(settings: Settings, io: ConfigIO = memoryIO()): Promise<Config | ConfigError> {
  const origins = Object.fromEntries(Object.keys(settings).map((key) => [key, `--${key}`]));
  return resolveConfig(
    mergeSettings(defaultSettings(), { settings, origins }),
    io,
    parseKubeconfig,
  );
}

async function ok(settings: Settings, io?: ConfigIO): Promise<Config> {
  const result = await resolve(settings, io);
  if (result instanceof ConfigError) throw new Error(result.toString());
  return result;
}

async function error(settings: Settings, io?: ConfigIO): Promise<ConfigError> {
  const result = await resolve(settings, io);
  assert.ok(result instanceof ConfigError, "expected a ConfigError");
  return result;
}

Deno.test("resolveConfig fills every default", async () => {
  const config = await ok(SERVER);
  assert.deepEqual(config, {
    servers: [new URL("https://10.0.0.1:6443")],
    nodeName: "edge-1",
    listen: { hostname: "127.0.0.1", port: 10261 },
    adminListen: { hostname: "127.0.0.1", port: 10267 },
    adminExposeSecrets: false,
    cachePath: "/var/lib/holdfast/cache.kv",
    cacheSealedResources: ["secrets"],
    cacheKeyFile: "/var/lib/holdfast/cache.kv.key",
    cacheAgents: ["kubelet", "kube-proxy", "coredns", "flanneld", "holdfast"],
    cacheMaxQueries: 64,
    cacheMaxMiB: 1024,
    cacheHotMiB: 64,
    upstream: {},
    anonymousRequests: "node-identity-for-loopback-components",
    nodeIdentityComponents: ["kubelet", "kube-proxy", "coredns", "flanneld"],
    lbMode: "round-robin",
    health: {
      path: "/readyz",
      intervalMs: 5000,
      timeoutMs: 2000,
      unhealthyThreshold: 3,
      healthyThreshold: 2,
    },
    limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: 500 },
    log: { level: "info", format: "text" },
    filters: {
      enabled: [
        "masterservice",
        "servicetopology",
        "discardcloudservice",
        "inclusterconfig",
        "nodeportisolation",
      ],
      components: {},
    },
  });
});

Deno.test("resolveConfig rejects limits that are not positive, naming the field", async () => {
  assert.equal((await error({ ...SERVER, "limits.offlineLists": 0 })).field, "limits.offlineLists");
  assert.equal((await error({ ...SERVER, "limits.watches": 1.5 })).field, "limits.watches");
  const err = await error({ ...SERVER, "limits.upstreamHeaderTimeout": "0s" });
  assert.equal(err.field, "limits.upstreamHeaderTimeout");
});

Deno.test("resolveConfig takes a hot snapshot budget of 0 (none), not a negative one", async () => {
  assert.equal((await ok({ ...SERVER, cacheHotMiB: 0 })).cacheHotMiB, 0);
  assert.equal((await error({ ...SERVER, cacheHotMiB: -1 })).field, "cacheHotMiB");
});

Deno.test("resolveConfig defaults the node name to the lower-cased host name", async () => {
  assert.equal((await ok(SERVER, memoryIO({}, "Edge-7"))).nodeName, "edge-7");
});

Deno.test("resolveConfig rejects a host name that is not a node name, pointing at --node-name", async () => {
  const err = await error(SERVER, memoryIO({}, "edge_7"));
  assert.equal(err.field, "nodeName");
  assert.match(err.message, /host name "edge_7" is not a valid node name.*--node-name/);
});

Deno.test("resolveConfig rejects a bad duration naming the field and its origin", async () => {
  const err = await error({ ...SERVER, "health.interval": "5x" });
  assert.equal(
    err.toString(),
    'config: health.interval: "5x" is not a duration (use 500ms, 5s, 1m) (from --health.interval)',
  );
});

Deno.test("resolveConfig rejects a timeout equal to or longer than the interval", async () => {
  const err = await error({ ...SERVER, "health.interval": "1s", "health.timeout": "1s" });
  assert.equal(err.field, "health.timeout");
  assert.equal(err.message, "1s must be shorter than health.interval (1s)");
});

Deno.test("resolveConfig derives the default timeout from the interval", async () => {
  assert.equal((await ok({ ...SERVER, "health.interval": "1s" })).health.timeoutMs, 500);
  assert.equal((await ok({ ...SERVER, "health.interval": "3s" })).health.timeoutMs, 1500);
  assert.equal((await ok({ ...SERVER, "health.interval": "1m" })).health.timeoutMs, 2000);
  assert.equal(
    (await ok({ ...SERVER, "health.interval": "1s", "health.timeout": "900ms" })).health.timeoutMs,
    900,
  );
});

Deno.test("resolveConfig rejects a zero duration", async () => {
  assert.match((await error({ ...SERVER, "health.timeout": "0s" })).message, /longer than zero/);
});

Deno.test("resolveConfig rejects thresholds below 1", async () => {
  assert.equal(
    (await error({ ...SERVER, "health.unhealthyThreshold": 0 })).field,
    "health.unhealthyThreshold",
  );
  assert.equal(
    (await error({ ...SERVER, "health.healthyThreshold": -2 })).field,
    "health.healthyThreshold",
  );
});

Deno.test("resolveConfig rejects a health path without a leading slash", async () => {
  assert.equal((await error({ ...SERVER, "health.path": "readyz" })).field, "health.path");
});

Deno.test("resolveConfig rejects a health path that is not normalized, and keeps its query", async () => {
  for (const path of ["//evil/readyz", "/\\evil", "/a/../readyz", "/%2F%2Fevil"]) {
    assert.equal((await error({ ...SERVER, "health.path": path })).field, "health.path", path);
  }
  assert.equal(
    (await ok({ ...SERVER, "health.path": "/readyz?verbose" })).health.path,
    "/readyz?verbose",
  );
});

Deno.test("resolveConfig checks anonymousRequests and nodeIdentityComponents", async () => {
  assert.equal((await ok({ ...SERVER, anonymousRequests: "refuse" })).anonymousRequests, "refuse");
  const mode = await error({ ...SERVER, anonymousRequests: "allow" });
  assert.equal(mode.field, "anonymousRequests");
  assert.equal(mode.message, '"allow" is not one of node-identity-for-loopback-components, refuse');
  const components = await ok({ ...SERVER, nodeIdentityComponents: ["Kubelet", "*"] });
  assert.deepEqual(components.nodeIdentityComponents, ["*"]);
  assert.equal(
    (await error({ ...SERVER, nodeIdentityComponents: ["kubelet/v1"] })).field,
    "nodeIdentityComponents",
  );
});

Deno.test("resolveConfig rejects an unknown lb mode, log level and log format", async () => {
  assert.equal(
    (await error({ ...SERVER, lbMode: "fastest" })).message,
    '"fastest" is not one of round-robin, priority',
  );
  assert.equal((await error({ ...SERVER, "log.level": "trace" })).field, "log.level");
  assert.equal((await error({ ...SERVER, "log.format": "xml" })).field, "log.format");
});

Deno.test("resolveConfig requires some server", async () => {
  const err = await error({});
  assert.equal(err.field, "servers");
  assert.match(err.message, /^no upstream server/);
});

Deno.test("resolveConfig rejects an unparsable server URL", async () => {
  assert.match((await error({ servers: ["10.0.0.1:6443"] })).message, /is not a URL/);
});

Deno.test("resolveConfig rejects a non-http(s) server scheme", async () => {
  assert.match(
    (await error({ servers: ["ftp://a:21"] })).message,
    /is not an https:\/\/ \(or http:\/\/\) URL/,
  );
});

Deno.test("resolveConfig accepts http servers and keeps their order", async () => {
  const config = await ok({ servers: ["http://b:8080", "https://a:6443"] });
  assert.deepEqual(config.servers.map((url) => url.href), ["http://b:8080/", "https://a:6443/"]);
});

Deno.test("resolveConfig rejects credentials in a server URL", async () => {
  assert.match((await error({ servers: ["https://user:pw@a:6443"] })).message, /credentials/);
});

Deno.test("resolveConfig rejects a server listed twice", async () => {
  assert.match(
    (await error({ servers: ["https://a:6443", "https://a:6443/"] })).message,
    /listed twice/,
  );
});

Deno.test("resolveConfig rejects a listen address with a port out of range", async () => {
  const err = await error({ ...SERVER, listen: "127.0.0.1:70000" });
  assert.equal(err.field, "listen");
  assert.match(err.message, /out of range/);
});

Deno.test("resolveConfig rejects the admin listener on the proxy's address", async () => {
  assert.equal((await error({ ...SERVER, adminListen: "127.0.0.1:10261" })).field, "adminListen");
});

Deno.test("resolveConfig allows both listeners on port 0", async () => {
  const config = await ok({ ...SERVER, listen: "127.0.0.1:0", adminListen: "127.0.0.1:0" });
  assert.equal(config.listen.port, 0);
});

Deno.test("resolveConfig lower-cases cache agents and lets * stand alone", async () => {
  assert.deepEqual(
    (await ok({ ...SERVER, cacheAgents: ["Kubelet", "kubelet", "coredns"] })).cacheAgents,
    [
      "kubelet",
      "coredns",
    ],
  );
  assert.deepEqual((await ok({ ...SERVER, cacheAgents: ["kubelet", "*"] })).cacheAgents, ["*"]);
});

Deno.test("resolveConfig rejects a cache agent with a slash", async () => {
  assert.equal((await error({ ...SERVER, cacheAgents: ["kubelet/v1.30"] })).field, "cacheAgents");
});

Deno.test("resolveConfig reads CA, client certificate and key files", async () => {
  const io = memoryIO({ "/ca.crt": CERT_PEM, "/c.crt": CERT_PEM, "/c.key": KEY_PEM });
  const config = await ok({
    ...SERVER,
    "upstream.ca": "/ca.crt",
    "upstream.cert": "/c.crt",
    "upstream.key": "/c.key",
  }, io);
  assert.deepEqual(config.upstream, {
    caCert: CERT_PEM,
    caFile: "/ca.crt",
    clientCert: CERT_PEM,
    clientCertFile: "/c.crt",
    clientKey: KEY_PEM,
    clientKeyFile: "/c.key",
  });
});

Deno.test("resolveConfig rejects an unreadable CA file naming the field and path", async () => {
  const err = await error({ ...SERVER, "upstream.ca": "/missing/ca.crt" });
  assert.equal(
    err.toString(),
    'config: upstream.ca: cannot read "/missing/ca.crt": no such file (from --upstream.ca)',
  );
});

Deno.test("resolveConfig rejects a client certificate without a key", async () => {
  const err = await error(
    { ...SERVER, "upstream.cert": "/c.crt" },
    memoryIO({ "/c.crt": CERT_PEM }),
  );
  assert.equal(err.field, "upstream.cert");
  assert.match(err.message, /needs its key/);
});

Deno.test("resolveConfig rejects a key without a client certificate", async () => {
  assert.equal((await error({ ...SERVER, "upstream.key": "/c.key" })).field, "upstream.key");
});

Deno.test("resolveConfig rejects a key file holding no private key", async () => {
  const io = memoryIO({ "/c.crt": CERT_PEM, "/c.key": CERT_PEM });
  const err = await error({ ...SERVER, "upstream.cert": "/c.crt", "upstream.key": "/c.key" }, io);
  assert.equal(err.field, "upstream.key");
  assert.equal(err.message, '"/c.key" holds no PEM private key');
});

Deno.test("resolveConfig reads and trims the token file, remembering its path", async () => {
  const config = await ok({ ...SERVER, "upstream.tokenFile": "/t" }, memoryIO({ "/t": "abc\n" }));
  assert.deepEqual(config.upstream, { token: "abc", tokenFile: "/t" });
});

Deno.test("resolveConfig rejects an empty token file", async () => {
  assert.match(
    (await error({ ...SERVER, "upstream.tokenFile": "/t" }, memoryIO({ "/t": " \n" }))).message,
    /is empty/,
  );
});

Deno.test("resolveConfig takes server, CA, client pair and token from a kubeconfig", async () => {
  const io = memoryIO({ "/k/config": KUBECONFIG, "/k/ca.crt": CERT_PEM });
  const config = await ok({ kubeconfig: "/k/config" }, io);
  assert.deepEqual(config.servers.map((url) => url.href), ["https://kube:6443/"]);
  assert.deepEqual(config.upstream, {
    caCert: CERT_PEM,
    caFile: "/k/ca.crt",
    clientCert: CERT_PEM,
    clientKey: KEY_PEM,
    token: "kube-token",
  });
});

Deno.test("resolveConfig lets servers and upstream files override the kubeconfig", async () => {
  const other = CERT_PEM.replace("fake", "other");
  const io = memoryIO({ "/k/config": KUBECONFIG, "/ca2.crt": other, "/t": "own" });
  const config = await ok({
    kubeconfig: "/k/config",
    servers: ["https://mine:6443"],
    "upstream.ca": "/ca2.crt",
    "upstream.tokenFile": "/t",
  }, io);
  assert.deepEqual(config.servers.map((url) => url.href), ["https://mine:6443/"]);
  assert.equal(config.upstream.caCert, other);
  assert.equal(config.upstream.token, "own");
  assert.equal(config.upstream.clientKey, KEY_PEM);
});

Deno.test("resolveConfig rejects a kubeconfig whose CA file is missing", async () => {
  const err = await error({ kubeconfig: "/k/config" }, memoryIO({ "/k/config": KUBECONFIG }));
  assert.equal(err.field, "kubeconfig");
  assert.match(err.message, /cannot read "\/k\/ca.crt"/);
});

Deno.test("resolveConfig rejects an unreadable kubeconfig", async () => {
  const err = await error({ kubeconfig: "/nope" });
  assert.equal(
    err.toString(),
    'config: kubeconfig: cannot read "/nope": no such file (from --kubeconfig)',
  );
});

Deno.test("resolveConfig reads the filters: enabled set, components, master service address, pool", async () => {
  const config = await ok({
    ...SERVER,
    "filters.enabled": ["MasterService", "servicetopology", "masterservice"],
    "filters.masterservice": ["Kubelet", "my-agent"],
    "filters.masterServiceAddress": "169.254.2.1:10268",
    "filters.nodePool": "pool-a",
  });
  assert.deepEqual(config.filters, {
    enabled: ["masterservice", "servicetopology"],
    components: { masterservice: ["kubelet", "my-agent"] },
    masterServiceAddress: { host: "169.254.2.1", port: 10268 },
    nodePool: "pool-a",
  });
  assert.deepEqual(
    (await ok({ ...SERVER, "filters.masterServiceAddress": "[fd00::1]:443" })).filters
      ?.masterServiceAddress,
    { host: "fd00::1", port: 443 },
  );
  assert.deepEqual((await ok({ ...SERVER, "filters.enabled": [] })).filters?.enabled, []);
});

Deno.test("resolveConfig rejects bad filter settings, naming the field", async () => {
  const cases: [Settings, string, RegExp][] = [
    [{ "filters.enabled": ["hostnetworkpropagation"] }, "filters.enabled", /not a filter/],
    [{ "filters.servicetopology": ["kube-proxy/v1"] }, "filters.servicetopology", /component/],
    [
      { "filters.masterServiceAddress": "holdfast.local:10268" },
      "filters.masterServiceAddress",
      /not an IP/,
    ],
    [
      { "filters.masterServiceAddress": "169.254.2.1" },
      "filters.masterServiceAddress",
      /HOST:PORT/,
    ],
    [{ "filters.masterServiceAddress": "169.254.2.1:0" }, "filters.masterServiceAddress", /port 0/],
    [
      { "filters.masterServiceAddress": "300.1.1.1:443" },
      "filters.masterServiceAddress",
      /not an IP/,
    ],
    [{ "filters.nodePool": "Pool_A" }, "filters.nodePool", /not a node pool name/],
  ];
  for (const [settings, field, message] of cases) {
    const err = await error({ ...SERVER, ...settings });
    assert.equal(err.field, field, JSON.stringify(settings));
    assert.match(err.message, message);
  }
});

Deno.test("resolveConfig reads the sealed resources and the key file, rejecting bad names", async () => {
  const config = await ok({
    ...SERVER,
    cachePath: "/x/c.kv",
    cacheSealedResources: ["secrets", "tokens"],
  });
  assert.deepEqual(config.cacheSealedResources, ["secrets", "tokens"]);
  assert.equal(config.cacheKeyFile, "/x/c.kv.key");
  assert.equal((await ok({ ...SERVER, cacheKeyFile: "/k" })).cacheKeyFile, "/k");
  assert.deepEqual((await ok({ ...SERVER, cacheSealedResources: [] })).cacheSealedResources, []);
  for (const bad of ["Secrets", "secrets.v1", "*"]) {
    const err = await error({ ...SERVER, cacheSealedResources: [bad] });
    assert.equal(err.field, "cacheSealedResources");
    assert.match(err.message, /not a resource name/);
  }
});

Deno.test("resolveConfig keeps the admin listener on loopback unless adminAllowRemote", async () => {
  for (const address of ["127.0.0.1:1", "127.1.2.3:1", "[::1]:1", "localhost:1"]) {
    assert.equal((await ok({ ...SERVER, adminListen: address })).adminListen.port, 1, address);
  }
  for (const address of ["0.0.0.0:10267", "10.0.0.5:10267", "[::]:10267", "edge-1:10267"]) {
    const err = await error({ ...SERVER, adminListen: address });
    assert.equal(err.field, "adminListen", address);
    assert.match(err.message, /not a loopback address/);
  }
  const allowed = await ok({ ...SERVER, adminListen: "0.0.0.0:10267", adminAllowRemote: true });
  assert.equal(allowed.adminListen.hostname, "0.0.0.0");
  assert.equal((await ok({ ...SERVER, adminExposeSecrets: true })).adminExposeSecrets, true);
});
