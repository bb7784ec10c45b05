import { assertEquals } from "../../../assert.ts";
import { sumSamples } from "../../../../scripts/bench/lib/metrics_text.ts";

const TEXT = `# HELP holdfast_cache_objects_written_total Objects stored.
# TYPE holdfast_cache_objects_written_total counter
holdfast_cache_objects_written_total{component="kubelet",resource="pods"} 120
holdfast_cache_objects_written_total{resource="pods",component="kube-proxy"} 7
holdfast_cache_objects_written_total{component="kubelet",resource="nodes"} 3
holdfast_cache_objects_written_total_extra{component="kubelet",resource="pods"} 999
holdfast_offline 0
`;

Deno.test("sumSamples: matches labels in any order", () => {
  const name = "holdfast_cache_objects_written_total";
  assertEquals(sumSamples(TEXT, name, { component: "kube-proxy", resource: "pods" }), 7);
});

Deno.test("sumSamples: sums every sample when no labels are given", () => {
  assertEquals(sumSamples(TEXT, "holdfast_cache_objects_written_total"), 130);
});

Deno.test("sumSamples: a metric whose name only starts with the asked name is not counted", () => {
  const name = "holdfast_cache_objects_written_total";
  assertEquals(sumSamples(TEXT, name, { component: "kubelet", resource: "pods" }), 120);
});

Deno.test("sumSamples: a sample without labels", () => {
  assertEquals(sumSamples(TEXT, "holdfast_offline"), 0);
});

Deno.test("sumSamples: an absent metric sums to 0", () => {
  assertEquals(sumSamples(TEXT, "holdfast_nothing"), 0);
});
