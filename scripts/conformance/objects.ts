/**
 * The objects the suite makes at the apiserver: what exists before holdfast starts, and the
 * creates, modifications and deletes made upstream while holdfast is offline.
 * @module
 */
import type { Admin } from "./apiserver.ts";
import { VARIANTS } from "./nodeclient.ts";

const NS = "/api/v1/namespaces/default";
const SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";

/** A pod already bound to `node` (no scheduler runs). */
export function pod(name: string, node: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "conformance" } },
    spec: { nodeName: node, containers: [{ name: "c", image: "registry.k8s.io/pause:3.10" }] },
  };
}

/** A ClusterIP Service; `proxyName` sets `service.kubernetes.io/service-proxy-name`. */
export function service(name: string, proxyName?: string): Record<string, unknown> {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: "default",
      labels: proxyName ? { "service.kubernetes.io/service-proxy-name": proxyName } : {},
    },
    spec: { ports: [{ port: 80 }] },
  };
}

/** An EndpointSlice of Service `serviceName` with one endpoint on `node`. */
export function endpointSlice(name: string, serviceName: string, node: string) {
  return {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      name,
      namespace: "default",
      labels: { "kubernetes.io/service-name": serviceName },
    },
    addressType: "IPv4",
    endpoints: [{ addresses: ["10.1.0.5"], nodeName: node }],
    ports: [{ port: 80, protocol: "TCP", name: "" }],
  };
}

/** Objects present before holdfast starts: each node with a pod, two services, a slice. */
export async function seed(admin: Admin): Promise<void> {
  // No controller manager runs to make the namespace's default service account that pods need.
  await admin.json("POST", `${NS}/serviceaccounts`, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name: "default" },
  });
  for (const { node } of VARIANTS) {
    await admin.json("POST", "/api/v1/nodes", {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: node, labels: { "kubernetes.io/hostname": node } },
    });
    await admin.json("POST", `${NS}/pods`, pod(`p-${node}`, node));
  }
  await admin.json("POST", `${NS}/services`, service("web"));
  await admin.json("POST", `${NS}/services`, service("other", "elsewhere"));
  await admin.json("POST", SLICES, endpointSlice("web-1", "web", "node-a"));
}

/** Changes made upstream during the first outage; returns what they were. */
export async function changeUpstream(admin: Admin): Promise<string> {
  for (const { node } of VARIANTS) {
    await admin.json("POST", `${NS}/pods`, pod(`p2-${node}`, node));
  }
  await admin.json("DELETE", `${NS}/pods/p-node-a?gracePeriodSeconds=0`);
  const merge = { "content-type": "application/merge-patch+json" };
  const labels = { metadata: { labels: { tier: "front" } } };
  const patched = await admin.request("PATCH", `${NS}/services/web`, labels, merge);
  if (!patched.ok) throw new Error(`PATCH service web: ${patched.status} ${await patched.text()}`);
  await patched.body?.cancel();
  await admin.json("POST", `${NS}/services`, service("api"));
  await admin.json("DELETE", `${SLICES}/web-1`);
  await admin.json("POST", SLICES, endpointSlice("web-2", "web", "node-b"));
  return "pods p2-<node> created, p-node-a deleted, service web relabelled, service api created, " +
    "EndpointSlice web-1 deleted and web-2 created";
}

/** Changes made upstream during the second outage; returns what they were. */
export async function changeUpstreamAgain(admin: Admin): Promise<string> {
  await admin.json("DELETE", `${NS}/pods/p2-node-b?gracePeriodSeconds=0`);
  await admin.json("POST", `${NS}/pods`, pod("p3-node-c", "node-c"));
  await admin.json("DELETE", `${NS}/services/api`);
  return "pod p2-node-b deleted, p3-node-c created, service api deleted";
}
