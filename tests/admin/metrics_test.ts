import assert from "node:assert/strict";
import { createMetrics } from "../../src/admin/metrics.ts";
import { VERSION } from "../../src/version.ts";

Deno.test("metrics text has holdfast_upstream_healthy with its server label", async () => {
  const metrics = createMetrics();
  metrics.upstreamHealthy.set({ server: "https://10.0.0.1:6443" }, 1);
  metrics.upstreamHealthy.set({ server: "https://10.0.0.2:6443" }, 0);
  const text = await metrics.registry.metrics();
  assert.match(text, /^holdfast_upstream_healthy\{server="https:\/\/10\.0\.0\.1:6443"\} 1$/m);
  assert.match(text, /^holdfast_upstream_healthy\{server="https:\/\/10\.0\.0\.2:6443"\} 0$/m);
});

Deno.test("every metric name starts with holdfast_", async () => {
  const metrics = createMetrics();
  metrics.requests.inc({ verb: "list", resource: "pods", component: "kubelet", code: "200" });
  const text = await metrics.registry.metrics();
  const names = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
  assert.ok(names.length >= 10);
  for (const name of names) assert.match(name, /^holdfast_/);
});

Deno.test("request counter and histogram carry their labels", async () => {
  const metrics = createMetrics();
  const labels = { verb: "get", resource: "nodes", component: "kubelet" };
  metrics.requests.inc({ ...labels, code: "200" });
  metrics.requestDuration.observe(labels, 0.02);
  const text = await metrics.registry.metrics();
  assert.match(
    text,
    /^holdfast_requests_total\{verb="get",resource="nodes",component="kubelet",code="200"\} 1$/m,
  );
  assert.match(
    text,
    /^holdfast_request_duration_seconds_count\{verb="get",resource="nodes",component="kubelet"\} 1$/m,
  );
});

Deno.test("process gauges report resident memory at scrape time", async () => {
  const text = await createMetrics().registry.metrics();
  const rss = Number(/^holdfast_process_resident_memory_bytes (\d+)$/m.exec(text)?.[1]);
  assert.ok(rss > 0);
});

Deno.test("build info carries the version", async () => {
  const text = await createMetrics().registry.metrics();
  assert.ok(text.includes(`holdfast_build_info{version="${VERSION}"} 1`));
});

Deno.test("two metric sets do not share values", async () => {
  const a = createMetrics();
  const b = createMetrics();
  a.modeTransitions.inc({ to: "offline" });
  assert.doesNotMatch(
    await b.registry.metrics(),
    /holdfast_mode_transitions_total\{to="offline"\}/,
  );
});
