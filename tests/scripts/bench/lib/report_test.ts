import { assert, assertEquals } from "../../../assert.ts";
import type { Row } from "../../../../scripts/bench/lib/measure.ts";
import { formatNumber, renderTable, verdict } from "../../../../scripts/bench/lib/report.ts";

function row(extra: Partial<Row>): Row {
  return { id: "x", metric: "m", measure: "t", ...extra };
}

Deno.test("formatNumber: thousands separators and about three significant digits", () => {
  assertEquals(formatNumber(12345.6), "12,346");
  assertEquals(formatNumber(42.26), "42.3");
  assertEquals(formatNumber(1.234), "1.23");
  assertEquals(formatNumber(0.1234), "0.123");
});

Deno.test("verdict: met, NOT met, NOT measured, and empty without a target", () => {
  assertEquals(verdict(row({ target: "≤ 1 s", met: true })), "met");
  assertEquals(verdict(row({ target: "≤ 1 s", met: false })), "NOT met");
  assertEquals(verdict(row({ target: "≤ 1 s" })), "NOT measured");
  assertEquals(verdict(row({})), "");
});

Deno.test("renderTable: one line per row under a header, notes listed below", () => {
  const table = renderTable([
    row({
      metric: "small GET req/s",
      holdfast: { value: 9000, unit: "req/s", detail: { p99: "2 ms" } },
      baseline: { name: "direct", value: 45000, unit: "req/s" },
      ratio: 0.2,
      target: "ratio ≥ nginx's ratio",
      met: false,
      note: "c=16",
    }),
    row({ metric: "cache lag", target: "p99 ≤ 100 ms", note: "not measured: hook missing" }),
  ]);
  const lines = table.split("\n");
  assert(lines[0].startsWith("| metric"));
  assert(lines[2].includes("9,000 req/s (p99 2 ms)"));
  assert(lines[2].includes("direct: 45,000 req/s"));
  assert(lines[2].includes("0.200×"));
  assert(lines[2].includes("NOT met"));
  assert(lines[3].includes("NOT measured"));
  assert(table.includes("- cache lag: not measured: hook missing"));
});

Deno.test("renderTable: a YurtHub column with the value, or why there is none", () => {
  const table = renderTable([
    row({ metric: "a", yurthub: { value: 1234, unit: "req/s", detail: { p99: "3 ms" } } }),
    row({ metric: "b", yurthub: "not built: go is not installed" }),
    row({ metric: "c" }),
  ]);
  const lines = table.split("\n");
  assert(/\| YurtHub +\|$/.test(lines[0]), lines[0]);
  assert(/\| 1,234 req\/s \(p99 3 ms\) +\|$/.test(lines[2]), lines[2]);
  assert(/\| not built: go is not installed +\|$/.test(lines[3]), lines[3]);
  assert(/\| — +\|$/.test(lines[4]), lines[4]);
});
