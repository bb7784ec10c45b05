import { assert, assertEquals } from "../../../assert.ts";
import { percentile, spread } from "../../../../scripts/bench/lib/stats.ts";

Deno.test("percentile: nearest rank on unsorted samples", () => {
  const samples = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
  assertEquals(percentile(samples, 50), 5);
  assertEquals(percentile(samples, 99), 10);
  assertEquals(percentile(samples, 10), 1);
});

Deno.test("percentile: one sample is every percentile", () => {
  assertEquals(percentile([7], 1), 7);
  assertEquals(percentile([7], 99), 7);
});

Deno.test("percentile: no samples give NaN", () => {
  assert(Number.isNaN(percentile([], 50)));
});

Deno.test("percentile: does not reorder the caller's array", () => {
  const samples = [3, 1, 2];
  percentile(samples, 50);
  assertEquals(samples, [3, 1, 2]);
});

Deno.test("spread: p50, p99 and count of 100 samples", () => {
  const samples = Array.from({ length: 100 }, (_, i) => i + 1);
  assertEquals(spread(samples), { p50: 50, p99: 99, count: 100 });
});
