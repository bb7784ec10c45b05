/**
 * The filters end to end: through holdfast in front of the simulator, kubelet's Service list,
 * kube-proxy's EndpointSlice list (JSON) and a configured component's protobuf Service list come
 * back filtered online, and — since filters run before the bounded tee — the cache holds the
 * filtered view, so the offline answers are filtered too.
 */
import assert from "node:assert/strict";
import type { QueryView } from "../../src/cache/inspect.ts";
import { decodeList, PROTOBUF_MEDIA_TYPE } from "../../src/kube/protobuf/mod.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { readStringField } from "../../src/kube/protobuf/repeated.ts";
import { PATIENT_HEALTH, type Stack, startStack, waitFor } from "../harness.ts";

// deno-lint-ignore no-explicit-any
async function list(stack: Stack, path: string, component: string): Promise<any> {
  const response = await fetch(`${stack.proxyUrl}${path}`, {
    headers: { accept: "application/json", "user-agent": `${component}/v1.37.0` },
  });
  assert.equal(response.status, 200, await response.clone().text());
  return await response.json();
}

const SERVICES = "/api/v1/services";
const SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";

/** default/kubernetes's clusterIP in a protobuf Service list fetched by `edge-agent`. */
async function protobufClusterIP(stack: Stack): Promise<string | undefined> {
  const response = await fetch(`${stack.proxyUrl}${SERVICES}`, {
    headers: { accept: PROTOBUF_MEDIA_TYPE, "user-agent": "edge-agent/1.0" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), PROTOBUF_MEDIA_TYPE);
  const items = decodeList(new Uint8Array(await response.arrayBuffer()))
    .flatMap((part) => part.type === "item" ? [part.object] : []);
  const kubernetes = items.find((item) => item.meta.name === "kubernetes")!;
  return readStringField(findBytes(kubernetes.bytes, 2)!, 3);
}

// deno-lint-ignore no-explicit-any
function observe(services: any, slices: any) {
  // deno-lint-ignore no-explicit-any
  const kubernetes = services.items.find((s: any) => s.metadata.name === "kubernetes");
  // deno-lint-ignore no-explicit-any
  const local = slices.items.find((s: any) => s.metadata.name === "local-only-x1");
  return {
    clusterIP: kubernetes.spec.clusterIP,
    // deno-lint-ignore no-explicit-any
    httpsPort: kubernetes.spec.ports.find((p: any) => p.name === "https").port,
    // deno-lint-ignore no-explicit-any
    localNodes: local.endpoints.map((e: any) => e.nodeName),
  };
}

Deno.test("filters through the proxy: online answers are filtered, and so is the cache offline", async () => {
  await using stack = await startStack({
    config: {
      filters: {
        enabled: ["masterservice", "servicetopology"],
        components: { masterservice: ["kubelet", "edge-agent"] },
        masterServiceAddress: { host: "169.254.2.1", port: 10268 },
      },
      health: PATIENT_HEALTH,
    },
  });
  stack.sim.objects.create("services", {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: "local-only",
      namespace: "default",
      annotations: { "openyurt.io/topologyKeys": "kubernetes.io/hostname" },
    },
    spec: { ports: [{ name: "http", port: 80, protocol: "TCP" }], type: "ClusterIP" },
  });
  stack.sim.objects.create("endpointslices", {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name: "local-only-x1",
      namespace: "default",
      labels: { "kubernetes.io/service-name": "local-only" },
    },
    addressType: "IPv4",
    endpoints: [
      { addresses: ["10.244.0.7"], conditions: { ready: true }, nodeName: "node-0" },
      { addresses: ["10.244.1.7"], conditions: { ready: true }, nodeName: "node-1" },
    ],
    ports: [{ name: "http", port: 8080, protocol: "TCP" }],
  });

  const expected = { clusterIP: "169.254.2.1", httpsPort: 10268, localNodes: ["node-0"] };
  const online = observe(
    await list(stack, SERVICES, "kubelet"),
    await list(stack, SLICES, "kube-proxy"),
  );
  assert.deepEqual(online, expected);
  assert.equal(await protobufClusterIP(stack), "169.254.2.1");
  // Another component sees the objects as the cloud has them.
  const unfiltered = observe(
    await list(stack, SERVICES, "coredns"),
    await list(stack, SLICES, "kubectl"),
  );
  assert.deepEqual(unfiltered, {
    clusterIP: "10.96.0.1",
    httpsPort: 443,
    localNodes: ["node-0", "node-1"],
  });

  await waitFor("both lists cached", async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    const done = (component: string, resource: string) =>
      ls.queries.some((q: QueryView) =>
        q.component === component && q.resource.startsWith(resource) && q.complete && !q.stale
      );
    return done("kubelet", "services") && done("kube-proxy", "endpointslices") &&
      done("edge-agent", "services");
  });
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => {
    return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode === "offline";
  });
  const offline = observe(
    await list(stack, SERVICES, "kubelet"),
    await list(stack, SLICES, "kube-proxy"),
  );
  assert.deepEqual(offline, expected);
  assert.equal(await protobufClusterIP(stack), "169.254.2.1");
});
