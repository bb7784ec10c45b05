import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { parseConfigFile } from "../../src/config/file.ts";

async function parseError(text: string): Promise<ConfigError> {
  const result = await parseConfigFile(text, "/etc/holdfast/config.yaml");
  assert.ok(result instanceof ConfigError, "expected a ConfigError");
  return result;
}

Deno.test("parseConfigFile flattens sections into dotted keys with line origins", async () => {
  const result = await parseConfigFile(
    "servers: [https://a:6443]\nhealth:\n  interval: 10s\n  unhealthyThreshold: 5\n",
    "/etc/holdfast/config.yaml",
  );
  assert.ok(!(result instanceof ConfigError));
  assert.deepEqual(result.settings, {
    servers: ["https://a:6443"],
    "health.interval": "10s",
    "health.unhealthyThreshold": 5,
  });
  assert.equal(result.origins["health.interval"], "/etc/holdfast/config.yaml:3:13");
});

Deno.test("parseConfigFile gives an empty file and empty sections no settings", async () => {
  for (const text of ["", "# only a comment\n", "upstream:\nhealth:\n"]) {
    const result = await parseConfigFile(text, "c.yaml");
    assert.ok(!(result instanceof ConfigError), text);
    assert.deepEqual(result.settings, {});
  }
});

Deno.test("parseConfigFile resolves relative file paths against the file's folder", async () => {
  const result = await parseConfigFile(
    "kubeconfig: kubelet.conf\nupstream:\n  ca: /abs/ca.crt\n  tokenFile: ../token\n",
    "/etc/holdfast/config.yaml",
  );
  assert.ok(!(result instanceof ConfigError));
  assert.equal(result.settings.kubeconfig, "/etc/holdfast/kubelet.conf");
  assert.equal(result.settings["upstream.ca"], "/abs/ca.crt");
  assert.equal(result.settings["upstream.tokenFile"], "/etc/token");
});

Deno.test("parseConfigFile rejects an unknown top-level key, listing the known ones", async () => {
  const err = await parseError("server: https://a:6443\n");
  assert.equal(err.field, "server");
  assert.match(err.message, /unknown key \(known keys: servers, nodeName/);
  assert.equal(err.source, "/etc/holdfast/config.yaml:1:1");
});

Deno.test("parseConfigFile rejects an unknown key inside a section", async () => {
  const err = await parseError("health:\n  intervall: 5s\n");
  assert.equal(err.field, "health.intervall");
  assert.match(err.message, /known keys under health: path, interval/);
});

Deno.test("parseConfigFile rejects a dotted key written flat at the top level", async () => {
  assert.equal((await parseError("health.interval: 5s\n")).field, "health.interval");
});

Deno.test("parseConfigFile rejects a number where a duration string is expected", async () => {
  const err = await parseError("health:\n  interval: 5\n");
  assert.equal(err.field, "health.interval");
  assert.equal(err.message, "expected a string, got number 5");
});

Deno.test("parseConfigFile rejects a string where a whole number is expected", async () => {
  const err = await parseError("health:\n  healthyThreshold: two\n");
  assert.equal(err.field, "health.healthyThreshold");
  assert.equal(err.message, 'expected a whole number, got string "two"');
});

Deno.test("parseConfigFile rejects a fractional threshold", async () => {
  assert.match((await parseError("health:\n  healthyThreshold: 1.5\n")).message, /whole number/);
});

Deno.test("parseConfigFile rejects a single string where a list is expected", async () => {
  const err = await parseError("servers: https://a:6443\n");
  assert.equal(err.field, "servers");
  assert.match(err.message, /expected a list of strings, got string/);
});

Deno.test("parseConfigFile rejects a key with no value", async () => {
  assert.match((await parseError("nodeName:\n")).message, /has no value/);
});

Deno.test("parseConfigFile rejects a section that is not a mapping", async () => {
  const err = await parseError("health: fast\n");
  assert.equal(err.field, "health");
  assert.match(err.message, /expected a mapping of keys, got string "fast"/);
});

Deno.test("parseConfigFile rejects a document that is not a mapping", async () => {
  assert.match((await parseError("- a\n- b\n")).message, /must be a mapping/);
});

Deno.test("parseConfigFile reports invalid YAML with its line and column", async () => {
  const err = await parseError("nodeName: a\nservers: [https://a\n");
  assert.equal(err.field, "/etc/holdfast/config.yaml");
  assert.match(err.message, /^invalid YAML at line 3, column 1: /);
});

Deno.test("parseConfigFile reports a duplicate key as invalid YAML", async () => {
  assert.match(
    (await parseError("nodeName: a\nnodeName: b\n")).message,
    /invalid YAML at line 2, column 1: Map keys must be unique/,
  );
});

Deno.test("parseConfigFile rejects several YAML documents", async () => {
  assert.match((await parseError("nodeName: a\n---\nnodeName: b\n")).message, /more than one YAML/);
});

Deno.test("parseConfigFile reads switches as YAML booleans only", async () => {
  const result = await parseConfigFile("adminExposeSecrets: true\n", "/c.yaml");
  assert.ok(!(result instanceof ConfigError));
  assert.equal(result.settings.adminExposeSecrets, true);
  const err = await parseError('adminExposeSecrets: "yes"\n');
  assert.equal(err.field, "adminExposeSecrets");
  assert.match(err.message, /expected true or false/);
});
