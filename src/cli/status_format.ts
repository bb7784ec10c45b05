/**
 * Renders a `StatusReport` as the readable tables `holdfast status` prints.
 * @module
 */
import type { DocumentStatus, StatusReport } from "../admin/status_report.ts";

/**
 * Mode line, then an upstream table, a cache table (sorted by component, resource) and a table of
 * the whole documents kept (discovery, kubectl Tables).
 */
export function formatStatus(report: StatusReport): string {
  const lines = [
    `holdfast ${report.version} on node ${report.nodeName}: ${report.mode.toUpperCase()}`,
    "",
  ];
  lines.push(...table(
    ["UPSTREAM", "HEALTH", "LAST CHECK", "LAST ERROR"],
    report.upstreams.map((up) => [
      up.url,
      up.healthy ? "healthy" : "unhealthy",
      up.lastCheck ?? "-",
      up.lastError ?? "-",
    ]),
    [],
  ));
  lines.push("");
  if (report.cache.length === 0 && report.documents.length === 0) {
    lines.push("cache: empty");
  } else if (report.cache.length > 0) {
    const rows = [...report.cache]
      .sort((a, b) =>
        a.component.localeCompare(b.component) || a.resource.localeCompare(b.resource)
      )
      .map((c) => [c.component, c.resource, `${c.objects}`, formatBytes(c.bytes), `${c.queries}`]);
    const total = report.cache.reduce(
      (sum, c) => ({ objects: sum.objects + c.objects, bytes: sum.bytes + c.bytes }),
      { objects: 0, bytes: 0 },
    );
    rows.push(["total", "", `${total.objects}`, formatBytes(total.bytes), ""]);
    lines.push(...table(["COMPONENT", "RESOURCE", "OBJECTS", "BYTES", "QUERIES"], rows, [2, 3, 4]));
  }
  if (report.documents.length > 0) {
    if (report.cache.length > 0) lines.push("");
    lines.push(...documentTable(report.documents));
  }
  return lines.join("\n") + "\n";
}

/** The documents table of `status` and `cache ls` ("*": discovery, shared by every component). */
export function documentTable(documents: DocumentStatus[]): string[] {
  return table(
    ["COMPONENT", "DOCUMENTS", "COUNT", "BYTES"],
    documents.map((d) => [
      d.component || "*",
      d.kind === "table" ? "kubectl tables" : "discovery",
      `${d.documents}`,
      formatBytes(d.bytes),
    ]),
    [2, 3],
  );
}

/** 512 → `512 B`, 1536 → `1.5 KiB`, 3 * 2^20 → `3.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** Space-padded columns; the columns listed in `right` are right-aligned. */
export function table(headers: string[], rows: string[][], right: number[]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const render = (cells: string[]) =>
    cells.map((cell, i) => right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ").trimEnd();
  return [render(headers), ...rows.map(render)];
}
