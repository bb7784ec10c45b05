import assert from "node:assert/strict";
import { buildResponseFilters } from "../../src/filters/build.ts";
import type { JsonGet } from "../../src/filters/cluster.ts";
import type { Config, FiltersConfig } from "../../src/config/types.ts";
import { filterList, service, TYPES } from "./objects.ts";

const neverAsked: JsonGet = () => Promise.reject(new Error("no lookups expected"));
const LIST = "/api/v1/services";
const kubernetes = service("default", "kubernetes");
const cloud = service("default", "cloud", "LoadBalancer", { "svc.openyurt.io/discard": "true" });

function build(filters?: FiltersConfig) {
  return buildResponseFilters({ nodeName: "edge-1", filters } as Config, neverAsked);
}

Deno.test("build: no filters config, or nothing enabled, builds no filter", () => {
  assert.deepEqual(build(), []);
  assert.deepEqual(build({ enabled: [], components: {} }), []);
  assert.deepEqual(build({ enabled: ["masterservice"], components: {} }), []);
});

Deno.test("build: enabled filters apply to their default components, or the configured ones", async () => {
  const [byDefault] = build({
    enabled: ["masterservice", "discardcloudservice"],
    components: {},
    masterServiceAddress: { host: "10.0.0.9", port: 6443 },
  });
  const kubelet = await filterList(
    byDefault,
    { path: LIST, component: "kubelet" },
    TYPES.services,
    [
      kubernetes,
      cloud,
    ],
  );
  assert.deepEqual(kubelet.json.map((s) => [s.metadata.name, s.spec.clusterIP]), [
    ["kubernetes", "10.0.0.9"],
    ["cloud", "clusterIPValue"],
  ]);
  const kubeProxy = await filterList(
    byDefault,
    { path: LIST, component: "kube-proxy" },
    TYPES.services,
    [kubernetes, cloud],
  );
  assert.deepEqual(kubeProxy.json, [kubernetes.json]);

  const [configured] = build({
    enabled: ["discardcloudservice"],
    components: { discardcloudservice: ["edge-agent"] },
  });
  const proxy = await filterList(
    configured,
    { path: LIST, component: "kube-proxy" },
    TYPES.services,
    [
      cloud,
    ],
  );
  assert.equal(proxy.applied, false);
  const agent = await filterList(
    configured,
    { path: LIST, component: "edge-agent" },
    TYPES.services,
    [
      cloud,
    ],
  );
  assert.deepEqual(agent.pb, []);
});
