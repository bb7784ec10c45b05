import assert from "node:assert/strict";
import { ConfigError } from "../../src/config/error.ts";
import { FIELDS } from "../../src/config/fields.ts";
import { loadConfig } from "../../src/config/load.ts";

const EXAMPLE = new URL("../../config.example.yaml", import.meta.url);

Deno.test("config.example.yaml is a valid config", async () => {
  const config = await loadConfig({ configFile: EXAMPLE.pathname });
  assert.ok(!(config instanceof ConfigError), String(config));
});

Deno.test("config.example.yaml documents every field and its flag", () => {
  const text = Deno.readTextFileSync(EXAMPLE);
  for (const spec of FIELDS) {
    const name = spec.key.split(".").pop();
    assert.match(text, new RegExp(`^\\s*(#\\s*)?${name}:`, "m"), `key ${spec.key}`);
    assert.ok(text.includes(`Flag: ${spec.flag}`), `flag ${spec.flag}`);
  }
});
