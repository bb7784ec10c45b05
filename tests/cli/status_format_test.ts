import assert from "node:assert/strict";
import type { StatusReport } from "../../src/admin/status_report.ts";
import { formatBytes, formatStatus } from "../../src/cli/status_format.ts";

const REPORT: StatusReport = {
  version: "0.1.0",
  mode: "online",
  nodeName: "edge-1",
  upstreams: [
    { url: "https://10.0.0.1:6443/", healthy: true, lastCheck: "2025-01-01T00:00:00.000Z" },
    { url: "https://10.0.0.2:6443/", healthy: false, lastError: "connection refused" },
  ],
  cache: [
    { component: "kubelet", resource: "pods", objects: 12, bytes: 35_000, queries: 2 },
    { component: "coredns", resource: "services", objects: 3, bytes: 900, queries: 1 },
  ],
  documents: [],
};

Deno.test("formatStatus prints mode, upstream health and cache tables", () => {
  assert.equal(
    formatStatus(REPORT),
    [
      "holdfast 0.1.0 on node edge-1: ONLINE",
      "",
      "UPSTREAM                HEALTH     LAST CHECK                LAST ERROR",
      "https://10.0.0.1:6443/  healthy    2025-01-01T00:00:00.000Z  -",
      "https://10.0.0.2:6443/  unhealthy  -                         connection refused",
      "",
      "COMPONENT  RESOURCE  OBJECTS     BYTES  QUERIES",
      "coredns    services        3     900 B        1",
      "kubelet    pods           12  34.2 KiB        2",
      "total                     15  35.1 KiB",
      "",
    ].join("\n"),
  );
});

Deno.test("formatStatus says when the cache is empty", () => {
  assert.match(formatStatus({ ...REPORT, cache: [] }), /^cache: empty$/m);
});

Deno.test("formatStatus lists the documents kept: kubectl tables and discovery", () => {
  const documents: StatusReport["documents"] = [
    { component: "", kind: "discovery", documents: 12, bytes: 81_920 },
    { component: "kubectl", kind: "table", documents: 2, bytes: 3000 },
  ];
  const text = formatStatus({ ...REPORT, cache: [], documents });
  assert.doesNotMatch(text, /cache: empty/);
  assert.match(
    text,
    /COMPONENT\s+DOCUMENTS\s+COUNT\s+BYTES\n\*\s+discovery\s+12\s+80\.0 KiB\nkubectl\s+kubectl tables\s+2\s+2\.9 KiB\n$/,
  );
});

Deno.test("formatBytes picks binary units", () => {
  assert.equal(formatBytes(0), "0 B");
  assert.equal(formatBytes(1023), "1023 B");
  assert.equal(formatBytes(1536), "1.5 KiB");
  assert.equal(formatBytes(3 * 1024 ** 3), "3.0 GiB");
});
