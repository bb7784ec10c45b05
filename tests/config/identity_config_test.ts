import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { defaultSettings, type Settings } from "../../src/config/fields.ts";
import { mergeSettings } from "../../src/config/merge.ts";
import { resolveConfig } from "../../src/config/resolve.ts";
import type { Config } from "../../src/config/types.ts";
import { CERT_PEM, KEY_PEM, memoryIO } from "./memory_io.ts";

const SERVER = { servers: ["https://10.0.0.1:6443"] };
const FILES = memoryIO({ "/c.crt": CERT_PEM, "/c.key": KEY_PEM, "/ca.crt": CERT_PEM });
const TOKEN_ID = "token:0123456789abcdef0123456789abcdef";

function resolve(settings: Settings): Promise<Config | ConfigError> {
  const origins = Object.fromEntries(Object.keys(settings).map((key) => [key, `--${key}`]));
  return resolveConfig(mergeSettings(defaultSettings(), { settings, origins }), FILES);
}

async function fieldOf(settings: Settings): Promise<string> {
  const result = await resolve(settings);
  assert.ok(result instanceof ConfigError, "expected a ConfigError");
  return result.field;
}

Deno.test("config: identity aliases are FROM->TO between identities, TO may be node", async () => {
  const config = await resolve({
    ...SERVER,
    identityAliases: [
      "cert:/O=system:nodes/CN=system:node:edge-1 -> node",
      `${TOKEN_ID}->cert:/CN=app`,
    ],
    identityKey: "/var/lib/holdfast/id.key",
  });
  assert.ok(!(config instanceof ConfigError), String(config));
  assert.deepEqual(config.identityAliases, {
    "cert:/O=system:nodes/CN=system:node:edge-1": "node",
    [TOKEN_ID]: "cert:/CN=app",
  });
  assert.equal(config.identityKeyPath, "/var/lib/holdfast/id.key");
  for (
    const entry of [
      "cert:/CN=a",
      "node -> cert:/CN=a",
      "token:abc -> node",
      "cert:/CN=a -> kubelet",
      "cert:/CN=a -> cert:/CN=a",
    ]
  ) {
    assert.equal(await fieldOf({ ...SERVER, identityAliases: [entry] }), "identityAliases", entry);
  }
  assert.equal(
    await fieldOf({
      ...SERVER,
      identityAliases: ["cert:/CN=a -> node", "cert:/CN=a -> cert:/CN=b"],
    }),
    "identityAliases",
  );
  assert.equal(await fieldOf({ ...SERVER, identityKey: "" }), "identityKey");
});

Deno.test("config: the HTTPS listener is off by default and its files are checked, naming the field", async () => {
  const off = await resolve(SERVER);
  assert.ok(!(off instanceof ConfigError));
  assert.equal(off.https, undefined);
  const on = await resolve({
    ...SERVER,
    "https.listen": "0.0.0.0:10268",
    "https.cert": "/c.crt",
    "https.key": "/c.key",
    "https.clientCA": "/ca.crt",
  });
  assert.ok(!(on instanceof ConfigError), String(on));
  assert.deepEqual(on.https, {
    listen: { hostname: "0.0.0.0", port: 10268 },
    cert: CERT_PEM,
    key: KEY_PEM,
    certFile: "/c.crt",
    keyFile: "/c.key",
    clientCA: CERT_PEM,
  });
  const listen = { ...SERVER, "https.listen": "127.0.0.1:10268" };
  assert.equal(await fieldOf({ ...SERVER, "https.listen": "nowhere" }), "https.listen");
  assert.equal(await fieldOf({ ...SERVER, "https.cert": "/c.crt" }), "https.cert");
  assert.equal(await fieldOf({ ...listen, "https.cert": "/c.crt" }), "https.cert");
  assert.equal(await fieldOf({ ...listen, "https.key": "/c.key" }), "https.key");
  assert.equal(
    await fieldOf({ ...listen, "https.cert": "/c.key", "https.key": "/c.key" }),
    "https.cert",
  );
  assert.equal(await fieldOf({ ...listen, "https.clientCA": "/missing" }), "https.clientCA");
});
