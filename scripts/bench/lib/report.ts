/**
 * Renders the benchmark rows as a Markdown table (metric, holdfast, baseline, ratio, target,
 * met?, YurtHub) and as the JSON document written under `bench-results/`.
 * @module
 */
import type { Measured, Row } from "./measure.ts";

/** Formats a number for the table: thousands separators, about three significant digits. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

function cell(measured: Measured | string | undefined, name?: string): string {
  if (!measured) return "—";
  if (typeof measured === "string") return measured;
  const value = `${formatNumber(measured.value)} ${measured.unit}`.trim();
  const detail = Object.entries(measured.detail ?? {}).map(([k, v]) => `${k} ${v}`).join(", ");
  const prefix = name ? `${name}: ` : "";
  return detail ? `${prefix}${value} (${detail})` : `${prefix}${value}`;
}

/** The "met?" cell: met, NOT met, NOT measured (a target without a value) or empty. */
export function verdict(row: Row): string {
  if (!row.target) return "";
  if (row.met === undefined) return "NOT measured";
  return row.met ? "met" : "NOT met";
}

/** The rows as a Markdown table, with notes listed under it. */
export function renderTable(rows: readonly Row[]): string {
  const header = ["metric", "holdfast", "baseline", "ratio", "target", "met?", "YurtHub"];
  const body = rows.map((row) => [
    row.metric,
    cell(row.holdfast),
    cell(row.baseline, row.baseline?.name),
    row.ratio === undefined ? "—" : `${formatNumber(row.ratio)}×`,
    row.target ?? "",
    verdict(row),
    cell(row.yurthub),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  const out = [line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`];
  out.push(...body.map(line));
  const notes = rows.filter((row) => row.note).map((row) => `- ${row.metric}: ${row.note}`);
  if (notes.length > 0) out.push("", "Notes:", ...notes);
  return out.join("\n");
}

/** The machine the run happened on. */
export interface Machine {
  nproc: number;
  cpuModel: string;
  memTotalMb: number;
  deno: string;
  kernel: string;
}

/** Reads the machine facts from `/proc` and `Deno`. */
export async function describeMachine(): Promise<Machine> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo");
  const meminfo = await Deno.readTextFile("/proc/meminfo");
  return {
    nproc: navigator.hardwareConcurrency,
    cpuModel: cpuinfo.match(/^model name\s*:\s*(.*)$/m)?.[1] ?? "unknown",
    memTotalMb: Math.round(Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? 0) / 1024),
    deno: Deno.version.deno,
    kernel: Deno.osRelease(),
  };
}

/** The JSON document of one run. */
export interface RunDocument {
  mode: "quick" | "full";
  startedAt: string;
  durationS: number;
  machine: Machine;
  sizes: unknown;
  rows: Row[];
}
