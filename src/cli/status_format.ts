/**
 * Renders a `StatusReport` as the readable tables `holdfast status` prints.
 * @module
 */
import type { DocumentStatus, StatusReport } from "../admin/status_report.ts";
import type { QueryView } from "../cache/inspect.ts";

/**
 * Mode line (and how long the node has been in it), queued events, then an upstream table, a
 * cache table (sorted by component, resource), the queries with their last sync and freshness,
 * and a table of the whole documents kept (discovery, kubectl Tables). `now` dates the ages.
 */
export function formatStatus(report: StatusReport, now = Date.now()): string {
  const mode = report.mode.toUpperCase();
  const since = `${duration(now - Date.parse(report.modeSince))} (since ${report.modeSince})`;
  const { events } = report;
  const lines = [
    `holdfast ${report.version} on node ${report.nodeName}: ${mode} for ${since}`,
    `queued events: ${events.queued} of ${events.maxEvents} (${formatBytes(events.bytes)} of ${
      formatBytes(events.maxBytes)
    })${events.queued > 0 ? ", delivered when the cloud is back" : ""}`,
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
  if (report.queries.length > 0) lines.push("", ...queryTable(report.queries, now));
  if (report.documents.length > 0) {
    if (report.cache.length > 0) lines.push("");
    lines.push(...documentTable(report.documents));
  }
  const fault = report.cacheFault;
  if (fault) {
    lines.push(
      "",
      `cache fault (${fault.kind}, since ${fault.since}): ${fault.path}: ${fault.error}`,
    );
    if (fault.movedTo) lines.push(`damaged file moved to ${fault.movedTo}`);
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

/** The queries of `status` and `cache ls`: scope, version, size, last sync (age) and freshness. */
export function queryTable(queries: QueryView[], now: number): string[] {
  return table(
    ["COMPONENT", "RESOURCE", "NAMESPACE", "SELECTORS", "RV", "OBJECTS", "LISTED", "STATE"],
    queries.map((q) => [
      q.component,
      q.resource,
      q.namespace || "*",
      selectors(q),
      q.resourceVersion || "-",
      `${q.objects}`,
      q.listedAt === "" ? "never" : `${duration(now - Date.parse(q.listedAt))} ago`,
      freshness(q),
    ]),
    [5],
  );
}

function freshness(query: QueryView): string {
  if (query.stale) return `stale (${query.staleReason})`;
  return query.complete ? "complete" : "incomplete (never fully listed)";
}

function selectors(query: QueryView): string {
  const parts = [
    query.labelSelector && `labels=${query.labelSelector}`,
    query.fieldSelector && `fields=${query.fieldSelector}`,
    query.transform && `as=${query.transform}`,
  ].filter((part) => part);
  return parts.length > 0 ? parts.join(" ") : "-";
}

/** 42_000 → `42s`, 7_500_000 → `2h5m`: a span of milliseconds in its two largest units. */
export function duration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(seconds / 86400);
  const hours = Math.floor(seconds / 3600) % 24;
  const minutes = Math.floor(seconds / 60) % 60;
  if (days > 0) return `${days}d${hours}h`;
  if (hours > 0) return `${hours}h${minutes}m`;
  if (minutes > 0) return `${minutes}m${seconds % 60}s`;
  return `${seconds}s`;
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
