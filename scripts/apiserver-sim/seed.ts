/**
 * The simulator's initial cluster: the captured objects (eight kube-system pods, the coredns
 * Deployment, the FooBar CRD and its two objects) plus generated ones at any scale, modelled on the
 * captured ones: namespaces, nodes (from the minikube Node), pods spread over nodes and namespaces
 * (from the captured coredns pod, sharing its unchanged parts), services with their
 * EndpointSlices, `default/kubernetes`, `kube-system/kube-dns`, configmaps (including
 * `kube-root-ca.crt` everywhere), secrets, service accounts, node leases and events.
 *
 * Generated names: nodes `node-<i>`, namespaces `ns-<i>`, pods `app-<a>-<hash>-<i>` labelled
 * `app=app-<a>`, `tier` ∈ frontend/backend/cache and `env` ∈ prod/staging, services `app-<a>`
 * (every fifth headless), configmaps `config-<i>`, secrets `secret-<i>`. Pod `i` runs on node
 * `i % nodes`; every 25th pod has phase Succeeded and every 50th (of the rest) Pending.
 * @module
 */
import type { Fixtures, Json } from "./fixtures.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";
import type { Store } from "./store.ts";
import { timestamp } from "./writes.ts";

/** How many objects to generate. */
export interface Scale {
  /** Pods in all, the eight captured kube-system pods included. */
  pods: number;
  nodes: number;
  /** Generated namespaces `ns-<i>`, besides default, kube-system, kube-public, kube-node-lease. */
  namespaces: number;
  /** Generated services (one per app), each with an EndpointSlice. */
  services: number;
  configmaps: number;
  secrets: number;
  events: number;
}

/** The default scale: a small cluster, quick to start in tests. */
export const DEFAULT_SCALE: Scale = {
  pods: 30,
  nodes: 3,
  namespaces: 2,
  services: 4,
  configmaps: 4,
  secrets: 4,
  events: 10,
};

const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];
const TIERS = ["frontend", "backend", "cache"];

/** Fills `store` with the seed cluster. */
export function seed(store: Store, registry: ResourceRegistry, fixtures: Fixtures, scale: Scale) {
  const now = timestamp();
  const type = (group: string, resource: string) =>
    registry.types.find((t) => t.group === group && t.resource === resource)!;
  const put = (t: ResourceType, body: Json) => {
    const { kind: _k, apiVersion: _a, ...rest } = body;
    store.put(t, { kind: t.kind, apiVersion: t.groupVersion, ...rest });
  };
  const created = (name: string, namespace?: string, extra: Json = {}): Json => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: crypto.randomUUID(),
    creationTimestamp: now,
    ...extra,
  });

  const namespaces = [
    ...SYSTEM_NAMESPACES,
    ...range(scale.namespaces).map((i) => `ns-${i}`),
  ];
  for (const name of namespaces) {
    put(type("", "namespaces"), {
      metadata: created(name, undefined, { labels: { "kubernetes.io/metadata.name": name } }),
      spec: { finalizers: ["kubernetes"] },
      status: { phase: "Active" },
    });
  }
  const appNamespaces = scale.namespaces > 0 ? namespaces.slice(SYSTEM_NAMESPACES.length) : [
    "default",
  ];

  const nodeNames = range(Math.max(1, scale.nodes)).map((i) => `node-${i}`);
  const nodeIPs = nodeNames.map((_, i) => `192.168.${Math.floor(i / 250)}.${(i % 250) + 2}`);
  seedNodes(put, type("", "nodes"), type("coordination.k8s.io", "leases"), fixtures.node, {
    nodeNames,
    nodeIPs,
    now,
  });

  for (const ns of namespaces) {
    put(type("", "serviceaccounts"), { metadata: created("default", ns) });
    put(type("", "configmaps"), {
      metadata: created("kube-root-ca.crt", ns, {
        annotations: { "kubernetes.io/description": "Contains a CA bundle." },
      }),
      data: { "ca.crt": "-----BEGIN CERTIFICATE-----\nsimulated\n-----END CERTIFICATE-----\n" },
    });
  }

  // The captured kube-system pods, moved onto node-0.
  for (const pod of fixtures.pods) {
    const { resourceVersion: _rv, ...meta } = pod.metadata as Json;
    put(type("", "pods"), {
      ...pod,
      metadata: meta,
      spec: { ...(pod.spec as Json), nodeName: nodeNames[0] },
      status: { ...(pod.status as Json), hostIP: nodeIPs[0], hostIPs: [{ ip: nodeIPs[0] }] },
    });
  }
  for (const deployment of fixtures.deployments) {
    const { resourceVersion: _rv, ...meta } = deployment.metadata as Json;
    put(type("apps", "deployments"), { ...deployment, metadata: meta });
  }

  const apps = Math.max(1, scale.services);
  const template = fixtures.pods.find((p) =>
    (p.metadata as Json).name?.toString().startsWith("coredns")
  )!;
  const podsByApp = new Map<
    number,
    Array<{ name: string; ip: string; node: string; ns: string }>
  >();
  const generated = Math.max(0, scale.pods - fixtures.pods.length);
  for (let i = 0; i < generated; i++) {
    const app = i % apps;
    const ns = appNamespaces[app % appNamespaces.length];
    const node = i % nodeNames.length;
    const hash = (0x5f3759 + app * 7919).toString(16).slice(0, 10);
    const name = `app-${app}-${hash}-${i}`;
    const ip = `10.${64 + Math.floor(i / 65000)}.${Math.floor(i / 250) % 256}.${(i % 250) + 2}`;
    const phase = i % 25 === 24 ? "Succeeded" : i % 50 === 49 ? "Pending" : "Running";
    const templateMeta = template.metadata as Json;
    put(type("", "pods"), {
      metadata: {
        name,
        generateName: `app-${app}-${hash}-`,
        namespace: ns,
        uid: crypto.randomUUID(),
        generation: 1,
        creationTimestamp: now,
        labels: {
          app: `app-${app}`,
          "pod-template-hash": hash,
          tier: TIERS[i % TIERS.length],
          env: i % 4 === 3 ? "staging" : "prod",
        },
        ownerReferences: [{
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `app-${app}-${hash}`,
          uid: `00000000-0000-4000-8000-${app.toString(16).padStart(12, "0")}`,
          controller: true,
          blockOwnerDeletion: true,
        }],
        managedFields: templateMeta.managedFields,
      },
      spec: { ...(template.spec as Json), nodeName: nodeNames[node] },
      status: {
        ...(template.status as Json),
        phase,
        hostIP: nodeIPs[node],
        hostIPs: [{ ip: nodeIPs[node] }],
        podIP: ip,
        podIPs: [{ ip }],
      },
    });
    if (phase === "Running") {
      const list = podsByApp.get(app) ?? [];
      list.push({ name, ip, node: nodeNames[node], ns });
      podsByApp.set(app, list);
    }
  }

  seedServices(put, created, {
    services: type("", "services"),
    endpoints: type("", "endpoints"),
    slices: type("discovery.k8s.io", "endpointslices"),
  }, { apps: scale.services, appNamespaces, podsByApp, firstNodeIP: nodeIPs[0] });

  for (let i = 0; i < scale.configmaps; i++) {
    put(type("", "configmaps"), {
      metadata: created(`config-${i}`, appNamespaces[i % appNamespaces.length], {
        labels: { app: `app-${i % apps}` },
      }),
      data: { "settings.yaml": `replicas: ${i}\nlogLevel: info\n`, index: String(i) },
    });
  }
  for (let i = 0; i < scale.secrets; i++) {
    put(type("", "secrets"), {
      metadata: created(`secret-${i}`, appNamespaces[i % appNamespaces.length], {
        labels: { app: `app-${i % apps}` },
      }),
      data: { password: btoa(`password-${i}`) },
      type: "Opaque",
    });
  }
  for (let i = 0; i < scale.events; i++) {
    const node = nodeNames[i % nodeNames.length];
    put(type("", "events"), {
      metadata: created(`${node}.${(0x17f00000 + i).toString(16)}`, "default"),
      involvedObject: { kind: "Node", name: node, uid: node, apiVersion: "v1" },
      reason: i % 2 ? "NodeReady" : "Starting",
      message: i % 2 ? `Node ${node} status is now: NodeReady` : "Starting kubelet.",
      source: { component: "kubelet", host: node },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type: "Normal",
      eventTime: null,
      reportingComponent: "kubelet",
      reportingInstance: node,
    });
  }

  put(type("apiextensions.k8s.io", "customresourcedefinitions"), withoutRV(fixtures.crd));
  for (const object of fixtures.customResources) {
    const t = registry.byKind((object.apiVersion as string).split("/")[0], object.kind as string)!;
    store.put(t, withoutRV(object));
  }
  store.compact();
}

function withoutRV(object: Json): Json {
  const { resourceVersion: _rv, ...meta } = object.metadata as Json;
  return { ...object, metadata: meta };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

type Put = (type: ResourceType, body: Json) => void;

function seedNodes(
  put: Put,
  nodes: ResourceType,
  leases: ResourceType,
  template: Json,
  { nodeNames, nodeIPs, now }: { nodeNames: string[]; nodeIPs: string[]; now: string },
) {
  const templateMeta = template.metadata as Json;
  const templateStatus = template.status as Json;
  const renewTime = new Date().toISOString().replace("Z", "000Z");
  nodeNames.forEach((name, i) => {
    const labels: Json = {
      ...(templateMeta.labels as Json),
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "kubernetes.io/arch": "amd64",
    };
    delete labels["node-role.kubernetes.io/master"];
    if (i === 0) labels["node-role.kubernetes.io/control-plane"] = "";
    put(nodes, {
      metadata: {
        name,
        uid: crypto.randomUUID(),
        creationTimestamp: now,
        labels,
        annotations: templateMeta.annotations,
      },
      spec: { podCIDR: `10.${64 + i}.0.0/24`, podCIDRs: [`10.${64 + i}.0.0/24`] },
      status: {
        ...templateStatus,
        addresses: [{ type: "InternalIP", address: nodeIPs[i] }, {
          type: "Hostname",
          address: name,
        }],
        conditions: (templateStatus.conditions as Json[]).map((c) => ({
          ...c,
          lastHeartbeatTime: now,
        })),
      },
    });
    put(leases, {
      metadata: {
        name,
        namespace: "kube-node-lease",
        uid: crypto.randomUUID(),
        creationTimestamp: now,
        ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: name }],
      },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime },
    });
  });
}

interface ServiceTypes {
  services: ResourceType;
  endpoints: ResourceType;
  slices: ResourceType;
}

interface ServicePlan {
  apps: number;
  appNamespaces: string[];
  podsByApp: Map<number, Array<{ name: string; ip: string; node: string; ns: string }>>;
  firstNodeIP: string;
}

function seedServices(
  put: Put,
  created: (name: string, namespace?: string, extra?: Json) => Json,
  types: ServiceTypes,
  plan: ServicePlan,
) {
  const sliceLabels = (service: string, headless = false): Json => ({
    "kubernetes.io/service-name": service,
    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    ...(headless ? { "service.kubernetes.io/headless": "" } : {}),
  });
  put(types.services, {
    metadata: created("kubernetes", "default", {
      labels: { component: "apiserver", provider: "kubernetes" },
    }),
    spec: {
      clusterIP: "10.96.0.1",
      clusterIPs: ["10.96.0.1"],
      ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    },
    status: { loadBalancer: {} },
  });
  put(types.endpoints, {
    metadata: created("kubernetes", "default", {
      labels: { "endpointslice.kubernetes.io/skip-mirror": "true" },
    }),
    subsets: [{
      addresses: [{ ip: plan.firstNodeIP }],
      ports: [{ name: "https", port: 6443, protocol: "TCP" }],
    }],
  });
  put(types.slices, {
    metadata: created("kubernetes", "default", { labels: sliceLabels("kubernetes") }),
    addressType: "IPv4",
    endpoints: [{ addresses: [plan.firstNodeIP], conditions: { ready: true } }],
    ports: [{ name: "https", port: 6443, protocol: "TCP" }],
  });
  put(types.services, {
    metadata: created("kube-dns", "kube-system", {
      labels: { "k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS" },
    }),
    spec: {
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      selector: { "k8s-app": "kube-dns" },
      ports: [
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 },
      ],
      sessionAffinity: "None",
      type: "ClusterIP",
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      internalTrafficPolicy: "Cluster",
    },
    status: { loadBalancer: {} },
  });
  for (let app = 0; app < plan.apps; app++) {
    const name = `app-${app}`;
    const ns = plan.appNamespaces[app % plan.appNamespaces.length];
    const headless = app % 5 === 4;
    const clusterIP = headless ? "None" : `10.96.${1 + Math.floor(app / 250)}.${(app % 250) + 2}`;
    put(types.services, {
      metadata: created(name, ns, { labels: { app: name } }),
      spec: {
        clusterIP,
        clusterIPs: [clusterIP],
        selector: { app: name },
        ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: 8080 }],
        sessionAffinity: "None",
        type: "ClusterIP",
        ipFamilies: ["IPv4"],
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
      },
      status: { loadBalancer: {} },
    });
    const pods = (plan.podsByApp.get(app) ?? []).slice(0, 100);
    put(types.slices, {
      metadata: created(`${name}-${(0xa1b2c + app).toString(36).slice(-5)}`, ns, {
        labels: sliceLabels(name, headless),
        generateName: `${name}-`,
        ownerReferences: [{
          apiVersion: "v1",
          kind: "Service",
          name,
          uid: `00000000-0000-4000-9000-${app.toString(16).padStart(12, "0")}`,
          controller: true,
          blockOwnerDeletion: true,
        }],
      }),
      addressType: "IPv4",
      endpoints: pods.map((p) => ({
        addresses: [p.ip],
        conditions: { ready: true, serving: true, terminating: false },
        nodeName: p.node,
        targetRef: { kind: "Pod", namespace: p.ns, name: p.name },
      })),
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    });
  }
}
