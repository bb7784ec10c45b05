import assert from "node:assert/strict";
import { defaultSettings } from "../../src/config/fields.ts";
import { mergeSettings } from "../../src/config/merge.ts";

Deno.test("mergeSettings lets a later layer win field by field, with its origin", () => {
  const merged = mergeSettings(
    defaultSettings(),
    {
      settings: { listen: "0.0.0.0:1", lbMode: "priority" },
      origins: { listen: "f:1:9", lbMode: "f:2:9" },
    },
    { settings: { listen: "0.0.0.0:2" }, origins: { listen: "--listen" } },
  );
  assert.equal(merged.settings.listen, "0.0.0.0:2");
  assert.equal(merged.origins.listen, "--listen");
  assert.equal(merged.settings.lbMode, "priority");
  assert.equal(merged.origins.lbMode, "f:2:9");
  assert.equal(merged.settings["health.path"], "/readyz");
  assert.equal(merged.origins["health.path"], "default");
});

Deno.test("mergeSettings replaces a list whole rather than appending", () => {
  const merged = mergeSettings(
    defaultSettings(),
    { settings: { cacheAgents: ["kubelet"] }, origins: { cacheAgents: "--cache-agents" } },
  );
  assert.deepEqual(merged.settings.cacheAgents, ["kubelet"]);
});

Deno.test("defaultSettings returns a fresh copy each time", () => {
  defaultSettings().settings.cacheAgents?.push("mutated");
  assert.ok(!defaultSettings().settings.cacheAgents?.includes("mutated"));
});
