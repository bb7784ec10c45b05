import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { settingsFromFlags } from "../../src/config/flags.ts";

Deno.test("settingsFromFlags splits list flags on commas across repeats", () => {
  const result = settingsFromFlags({
    servers: ["https://a:6443,https://b:6443", "https://c:6443"],
    cacheAgents: "kubelet, coredns,,",
  });
  assert.ok(!(result instanceof ConfigError));
  assert.deepEqual(result.settings.servers, ["https://a:6443", "https://b:6443", "https://c:6443"]);
  assert.deepEqual(result.settings.cacheAgents, ["kubelet", "coredns"]);
});

Deno.test("settingsFromFlags records each value's flag as its origin", () => {
  const result = settingsFromFlags({ "health.interval": "5s", nodeName: "n" });
  assert.ok(!(result instanceof ConfigError));
  assert.deepEqual(result.origins, {
    nodeName: "--node-name",
    "health.interval": "--health-interval",
  });
});

Deno.test("settingsFromFlags parses integer flags", () => {
  const result = settingsFromFlags({ "health.unhealthyThreshold": "7" });
  assert.ok(!(result instanceof ConfigError));
  assert.equal(result.settings["health.unhealthyThreshold"], 7);
});

Deno.test("settingsFromFlags rejects a non-integer threshold naming the field and flag", () => {
  const err = settingsFromFlags({ "health.healthyThreshold": "2.5" });
  assert.ok(err instanceof ConfigError);
  assert.equal(
    err.toString(),
    'config: health.healthyThreshold: "2.5" is not a whole number (from --healthy-threshold)',
  );
});

Deno.test("settingsFromFlags reads switches as true (given) and rejects other values", () => {
  const result = settingsFromFlags({ adminExposeSecrets: "true", adminAllowRemote: "false" });
  assert.ok(!(result instanceof ConfigError));
  assert.equal(result.settings.adminExposeSecrets, true);
  assert.equal(result.settings.adminAllowRemote, false);
  const err = settingsFromFlags({ adminExposeSecrets: "yes" });
  assert.ok(err instanceof ConfigError);
  assert.equal(err.field, "adminExposeSecrets");
});
