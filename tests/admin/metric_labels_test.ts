import { assertEquals } from "../assert.ts";
import { OTHER, requestLabeler } from "../../src/admin/metric_labels.ts";

Deno.test("metric labels keep cache agents, known clients, built-in resources and kube verbs", () => {
  const label = requestLabeler(new Set(["my-agent"]));
  assertEquals(label("list", "pods", "my-agent"), {
    verb: "list",
    resource: "pods",
    component: "my-agent",
  });
  assertEquals(label("watch", "leases", "kubectl").component, "kubectl");
  assertEquals(label("get", "", "").resource, "");
  assertEquals(label("get", "", "").component, "");
});

Deno.test("metric labels collapse unknown components, resources and verbs into other", () => {
  const label = requestLabeler("*");
  assertEquals(label("frobnicate", "widgets", "curl-7f3a"), {
    verb: OTHER,
    resource: OTHER,
    component: OTHER,
  });
});
