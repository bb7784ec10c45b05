import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../src/config/duration.ts";

Deno.test("parseDuration reads ms, s, m and h", () => {
  assert.equal(parseDuration("500ms"), 500);
  assert.equal(parseDuration("5s"), 5000);
  assert.equal(parseDuration("1m"), 60_000);
  assert.equal(parseDuration("2h"), 7_200_000);
});

Deno.test("parseDuration adds compound parts and decimals (1m30s, 1.5s)", () => {
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("1.5s"), 1500);
});

Deno.test("parseDuration rejects a bad unit, a bare number, spaces and empty text", () => {
  for (const text of ["5x", "5", "5 s", "", "s", "-5s", "5s "]) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

Deno.test("formatDuration writes the largest units first", () => {
  assert.equal(formatDuration(500), "500ms");
  assert.equal(formatDuration(5000), "5s");
  assert.equal(formatDuration(90_000), "1m30s");
  assert.equal(formatDuration(0), "0s");
});
