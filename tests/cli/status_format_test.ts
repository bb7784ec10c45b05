import assert from "node:assert/strict";
import type { StatusReport } from "../../src/admin/status_report.ts";
import { duration, formatBytes, formatStatus } from "../../src/cli/status_format.ts";

const NOW = Date.parse("2025-01-01T01:00:00.000Z");

const REPORT: StatusReport = {
  version: "0.1.0",
  mode: "online",
  modeSince: "2025-01-01T00:00:00.000Z",
  nodeName: "edge-1",
  upstreams: [
    { url: "https://10.0.0.1:6443/", healthy: true, lastCheck: "2025-01-01T00:00:00.000Z" },
    { url: "https://10.0.0.2:6443/", healthy: false, lastError: "connection refused" },
  ],
  cache: [
    { component: "kubelet", resource: "pods", objects: 12, bytes: 35_000, queries: 2 },
    { component: "coredns", resource: "services", objects: 3, bytes: 900, queries: 1 },
  ],
  queries: [],
  documents: [],
  events: { queued: 0, bytes: 0, maxEvents: 2000, maxBytes: 4 * 1024 * 1024 },
  cacheHot: { bytes: 0, maxBytes: 64 * 1024 * 1024, queries: 0 },
};

Deno.test("formatStatus prints mode, upstream health and cache tables", () => {
  assert.equal(
    formatStatus(REPORT, NOW),
    [
      "holdfast 0.1.0 on node edge-1: ONLINE for 1h0m (since 2025-01-01T00:00:00.000Z)",
      "queued events: 0 of 2000 (0 B of 4.0 MiB)",
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

Deno.test("formatStatus: how long offline, queued events, and each query's last sync", () => {
  const query = {
    component: "kubelet",
    resource: "pods",
    namespace: "",
    labelSelector: "",
    fieldSelector: "spec.nodeName=edge-1",
    transform: "",
    resourceVersion: "812",
    complete: true,
    stale: false,
    staleReason: "",
    listedAt: "2025-01-01T00:59:18.000Z",
    updatedAt: "2025-01-01T00:59:50.000Z",
    mediaType: "application/json",
    objects: 12,
    bytes: 35_000,
  };
  const text = formatStatus({
    ...REPORT,
    mode: "offline",
    modeSince: "2025-01-01T00:47:30.000Z",
    queries: [query, { ...query, resource: "services", stale: true, staleReason: "cut" }],
    events: { queued: 5, bytes: 2048, maxEvents: 2000, maxBytes: 4 * 1024 * 1024 },
  }, NOW);
  assert.match(
    text,
    /^holdfast 0\.1\.0 on node edge-1: OFFLINE for 12m30s \(since 2025-01-01T00:47:30\.000Z\)$/m,
  );
  assert.match(
    text,
    /^queued events: 5 of 2000 \(2\.0 KiB of 4\.0 MiB\), delivered when the cloud is back$/m,
  );
  assert.match(
    text,
    /^kubelet +pods +\* +fields=spec\.nodeName=edge-1 +812 +12 +42s ago +complete$/m,
  );
  assert.match(text, /^kubelet +services .* 42s ago +stale \(cut\)$/m);
});

Deno.test("duration: the two largest units", () => {
  assert.equal(duration(0), "0s");
  assert.equal(duration(59_999), "59s");
  assert.equal(duration(61_000), "1m1s");
  assert.equal(duration(7_500_000), "2h5m");
  assert.equal(duration(90_000_000), "1d1h");
  assert.equal(duration(-5), "0s");
});

Deno.test("formatStatus names the cache fault and where a damaged file went", () => {
  const text = formatStatus({
    ...REPORT,
    cacheFault: {
      kind: "damaged",
      path: "/var/lib/holdfast/cache.kv",
      error: "file is not a database",
      movedTo: "/var/lib/holdfast/cache.kv.corrupt-2026-01-01T00-00-00.000Z",
      since: "2026-01-01T00:00:00.000Z",
    },
  });
  assert.match(
    text,
    /^cache fault \(damaged, since 2026-01-01T00:00:00.000Z\): \/var\/lib\/holdfast\/cache.kv: file is not a database$/m,
  );
  assert.match(text, /^damaged file moved to \/var\/lib\/holdfast\/cache.kv.corrupt-2026/m);
});
