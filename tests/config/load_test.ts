import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { denoConfigIO, loadConfig } from "../../src/config/load.ts";
import { memoryIO } from "./memory_io.ts";

const FILE = `servers: [https://file:6443]
nodeName: from-file
lbMode: priority
health:
  interval: 10s
`;

Deno.test("loadConfig: flags win over the file, the file over defaults", async () => {
  const config = await loadConfig({
    configFile: "/etc/holdfast.yaml",
    flags: { nodeName: "from-flag", "health.interval": "20s" },
  }, memoryIO({ "/etc/holdfast.yaml": FILE }));
  assert.ok(!(config instanceof ConfigError), String(config));
  assert.equal(config.nodeName, "from-flag");
  assert.equal(config.health.intervalMs, 20_000);
  assert.equal(config.lbMode, "priority");
  assert.deepEqual(config.servers.map((url) => url.host), ["file:6443"]);
  assert.equal(config.health.timeoutMs, 2000);
});

Deno.test("loadConfig: a --server flag replaces the file's servers", async () => {
  const config = await loadConfig({
    configFile: "/etc/holdfast.yaml",
    flags: { servers: ["https://flag:6443"] },
  }, memoryIO({ "/etc/holdfast.yaml": FILE }));
  assert.ok(!(config instanceof ConfigError));
  assert.deepEqual(config.servers.map((url) => url.host), ["flag:6443"]);
});

Deno.test("loadConfig names the file's line for a bad value in the file", async () => {
  const err = await loadConfig(
    { configFile: "/c.yaml" },
    memoryIO({ "/c.yaml": "servers: [https://a:6443]\nhealth:\n  interval: 5x\n" }),
  );
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.toString(),
    'config: health.interval: "5x" is not a duration (use 500ms, 5s, 1m) (from /c.yaml:3:13)',
  );
});

Deno.test("loadConfig reports an unreadable config file", async () => {
  const err = await loadConfig({ configFile: "/absent.yaml" }, memoryIO());
  assert.ok(err instanceof ConfigError);
  assert.equal(err.toString(), "config: /absent.yaml: cannot read: no such file");
});

Deno.test("loadConfig works without a config file", async () => {
  const config = await loadConfig({ flags: { servers: "https://a:6443" } }, memoryIO());
  assert.ok(!(config instanceof ConfigError));
  assert.equal(config.nodeName, "edge-1");
});

Deno.test("denoConfigIO reads real files relative to the config file", async () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/token`, "secret-token\n");
    Deno.writeTextFileSync(
      `${dir}/holdfast.yaml`,
      "servers: [https://a:6443]\nupstream:\n  tokenFile: token\n",
    );
    const config = await loadConfig({ configFile: `${dir}/holdfast.yaml` });
    assert.ok(!(config instanceof ConfigError), String(config));
    assert.equal(config.upstream.token, "secret-token");
    assert.equal(config.upstream.tokenFile, `${dir}/token`);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("denoConfigIO says 'no such file' for a missing file", () => {
  assert.throws(() => denoConfigIO.readTextFile("/definitely/not/here"), /^Error: no such file$/);
});
