import assert from "node:assert/strict";
import { createMetrics } from "../../src/admin/metrics.ts";
import { componentLabeler } from "../../src/admin/metric_labels.ts";
import { registerStateMetrics } from "../../src/admin/state_metrics.ts";

const row = (component: string, objects: number, stale = 0) => ({
  component,
  objects,
  bytes: objects * 100,
  queries: 1,
  stale,
});

Deno.test("state gauges sum the cache per component and read it once per scrape", async () => {
  const metrics = createMetrics();
  let reads = 0;
  let rows = [row("kubelet", 3), row("kubelet", 4, 1), row("kube-proxy", 2)];
  registerStateMetrics(metrics, {
    cacheStats: () => {
      reads++;
      return Promise.resolve(rows);
    },
    eventQueue: () => Promise.resolve({ count: 7, bytes: 700 }),
    eventQueueLimits: { maxEvents: 2000, maxBytes: 4096 },
    cacheHot: () => ({ bytes: 1234, maxBytes: 65536 }),
  });
  const text = await metrics.registry.metrics();
  assert.equal(reads, 1);
  assert.match(text, /^holdfast_cache_objects\{component="kubelet"\} 7$/m);
  assert.match(text, /^holdfast_cache_bytes\{component="kube-proxy"\} 200$/m);
  assert.match(text, /^holdfast_cache_hot_bytes 1234$/m);
  assert.match(text, /^holdfast_cache_hot_limit_bytes 65536$/m);
  assert.match(text, /^holdfast_cache_queries\{component="kubelet"\} 2$/m);
  assert.match(text, /^holdfast_cache_stale_queries\{component="kubelet"\} 1$/m);
  assert.match(text, /^holdfast_event_queue_events 7$/m);
  assert.match(text, /^holdfast_event_queue_limit_bytes 4096$/m);

  rows = [row("coredns", 1)]; // a purged component's series disappears
  const next = await metrics.registry.metrics();
  assert.equal(reads, 2);
  assert.doesNotMatch(next, /component="kubelet"/);
  assert.match(next, /^holdfast_cache_objects\{component="coredns"\} 1$/m);
});

Deno.test("state gauges count components outside the bounded set under one label", async () => {
  const metrics = createMetrics();
  registerStateMetrics(metrics, {
    cacheStats: () => Promise.resolve([row("kubelet", 1), row("odd-1", 2), row("odd-2", 3)]),
    eventQueue: () => Promise.resolve({ count: 0, bytes: 0 }),
    eventQueueLimits: { maxEvents: 1, maxBytes: 1 },
    cacheHot: () => ({ bytes: 0, maxBytes: 0 }),
    componentLabel: componentLabeler("*"),
  });
  const text = await metrics.registry.metrics();
  assert.match(text, /^holdfast_cache_objects\{component="other"\} 5$/m);
  assert.match(text, /^holdfast_cache_objects\{component="kubelet"\} 1$/m);
  assert.doesNotMatch(text, /odd-/);
});
