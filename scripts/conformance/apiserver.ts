/**
 * The suite's direct line to kube-apiserver (never through the relay or holdfast), as the
 * cluster's administrator: raw requests, what a query holds (`namespace/name@resourceVersion`, as
 * nodeclient reports its caches), and the objects the suite creates, changes and deletes.
 * @module
 */
import type { RealCluster } from "../realcluster/cluster.ts";

/** An administrator's client of the real kube-apiserver. */
export interface Admin {
  /** A request to `path` (with query) on the apiserver. */
  request(method: string, path: string, body?: unknown, headers?: HeadersInit): Promise<Response>;
  /** The request, failing unless it answers 2xx; its JSON body. */
  json(method: string, path: string, body?: unknown): Promise<Record<string, unknown>>;
  /** What a LIST of `path` holds: sorted `namespace/name@resourceVersion`. */
  keys(path: string): Promise<string[]>;
  close(): void;
}

/** A client of `cluster` with its administrator's client certificate. */
export async function adminClient(cluster: RealCluster): Promise<Admin> {
  const client = Deno.createHttpClient({
    caCerts: [cluster.caCert],
    cert: await Deno.readTextFile(cluster.pki.admin.certFile!),
    key: await Deno.readTextFile(cluster.pki.admin.keyFile!),
  });
  const request = (method: string, path: string, body?: unknown, headers?: HeadersInit) =>
    fetch(`${cluster.url}${path}`, {
      method,
      client,
      headers: {
        "user-agent": "conformance/v1 (admin)",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  const json = async (method: string, path: string, body?: unknown) => {
    const response = await request(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return JSON.parse(text);
  };
  return {
    request,
    json,
    async keys(path) {
      const list = await json("GET", path);
      return objectKeys(list.items as Record<string, unknown>[]);
    },
    close: () => client.close(),
  };
}

/** Sorted `namespace/name@resourceVersion` of JSON objects. */
export function objectKeys(items: Record<string, unknown>[]): string[] {
  return items.map((item) => {
    const meta = item.metadata as { namespace?: string; name: string; resourceVersion: string };
    return `${meta.namespace ?? ""}/${meta.name}@${meta.resourceVersion}`;
  }).sort();
}

/** The selector kube-proxy (and nodeclient) lists services and EndpointSlices with. */
export const PROXY_SELECTOR = "!service.kubernetes.io/service-proxy-name";

/** The LIST paths whose contents a node's informers must hold, by informer name. */
export function informerQueries(node: string): Record<string, string> {
  const proxy = `labelSelector=${encodeURIComponent(PROXY_SELECTOR)}`;
  return {
    pods: `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${node}`)}`,
    nodes: `/api/v1/nodes?fieldSelector=${encodeURIComponent(`metadata.name=${node}`)}`,
    services: `/api/v1/services?${proxy}`,
    endpointslices: `/apis/discovery.k8s.io/v1/endpointslices?${proxy}`,
  };
}
