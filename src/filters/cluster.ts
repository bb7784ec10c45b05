/**
 * What `servicetopology` and `nodeportisolation` need to know about the cluster, learned from the
 * upstream through an injected JSON getter (metadata only, where the server offers it) and
 * remembered for a while: this node's pool (from the config, else the Node's
 * `apps.openyurt.io/nodepool` label), the nodes of a pool (nodes carrying that label), and a
 * Service's annotation — from one list of all Services, so a list of a thousand EndpointSlices
 * costs one request, not a thousand; a Service missing from that list (made since) is fetched on
 * its own. Anything that cannot be learned is `undefined`, and the filters then leave objects as
 * they are.
 * @module
 */
import type { JsonObject } from "./filter.ts";

/** The label OpenYurt puts on a node to name its pool. */
export const NODE_POOL_LABEL = "apps.openyurt.io/nodepool";

/**
 * Fetches a JSON document by API path with the given `Accept`; undefined when it cannot (absent,
 * refused, unreachable).
 */
export type JsonGet = (path: string, accept: string) => Promise<JsonObject | undefined>;

/** Metadata of one object, or plain JSON from a server that cannot give only that. */
const OBJECT_METADATA = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1," +
  "application/json";
/** Metadata of a list's objects, or the plain list. */
const LIST_METADATA = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1," +
  "application/json";

/** The cluster facts filters depend on. */
export interface ClusterView {
  /** This node's name. */
  readonly nodeName: string;
  /** This node's pool; "" when it is in none, undefined when that cannot be learned now. */
  nodePool(): Promise<string | undefined>;
  /** The names of the nodes in `pool`, or undefined when they cannot be learned now. */
  poolNodes(pool: string): Promise<ReadonlySet<string> | undefined>;
  /**
   * The annotation `key` of Service `namespace/name`: null when the Service has none, undefined
   * when that cannot be learned now (the Service cannot be read).
   */
  serviceAnnotation(
    namespace: string,
    name: string,
    key: string,
  ): Promise<string | null | undefined>;
}

/** One key's values over all Services, and which Services there were. */
interface AnnotationSnapshot {
  values: Map<string, string>;
  services: Set<string>;
}

/** Options of {@link clusterView}. */
export interface ClusterViewOptions {
  nodeName: string;
  /** The node's pool as configured; when absent it is read from the Node object. */
  nodePool?: string;
  get: JsonGet;
  /** How long a learned fact is trusted (default 30 s). */
  ttlMs?: number;
  /** Most facts remembered at once (default 1024). */
  maxEntries?: number;
  now?: () => number;
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== "object" || value === null) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === "string") out[key] = v;
  return out;
}

function metadataOf(object: JsonObject): JsonObject {
  const meta = object.metadata;
  return typeof meta === "object" && meta !== null ? meta as JsonObject : {};
}

/** A {@link ClusterView} over `options.get`, remembering each answer for `ttlMs`. */
export function clusterView(options: ClusterViewOptions): ClusterView {
  const ttl = options.ttlMs ?? 30_000;
  const maxEntries = options.maxEntries ?? 1024;
  const now = options.now ?? Date.now;
  const memo = new Map<string, { at: number; value: Promise<unknown> }>();

  function remembered<T>(key: string, learn: () => Promise<T>): Promise<T> {
    const entry = memo.get(key);
    if (entry && now() - entry.at < ttl) return entry.value as Promise<T>;
    memo.delete(key);
    if (memo.size >= maxEntries) memo.delete(memo.keys().next().value!);
    const value = learn().catch(() => undefined as T);
    memo.set(key, { at: now(), value });
    return value;
  }

  const path = encodeURIComponent;
  return {
    nodeName: options.nodeName,
    nodePool() {
      if (options.nodePool !== undefined) return Promise.resolve(options.nodePool);
      return remembered("pool", async () => {
        const node = await options.get(`/api/v1/nodes/${path(options.nodeName)}`, OBJECT_METADATA);
        if (node === undefined) return undefined;
        return stringMap(metadataOf(node).labels)[NODE_POOL_LABEL] ?? "";
      });
    },
    poolNodes(pool) {
      return remembered(`nodes ${pool}`, async () => {
        const selector = path(`${NODE_POOL_LABEL}=${pool}`);
        const list = await options.get(`/api/v1/nodes?labelSelector=${selector}`, LIST_METADATA);
        if (list === undefined || !Array.isArray(list.items)) return undefined;
        const names = list.items.map((node: JsonObject) => metadataOf(node).name);
        return new Set(names.filter((name): name is string => typeof name === "string"));
      });
    },
    async serviceAnnotation(namespace, name, key) {
      const id = `${namespace}/${name}`;
      const snapshot = await remembered<AnnotationSnapshot | undefined>(
        `services ${key}`,
        async () => {
          const list = await options.get("/api/v1/services", LIST_METADATA);
          if (list === undefined || !Array.isArray(list.items)) return undefined;
          const snapshot: AnnotationSnapshot = { values: new Map(), services: new Set() };
          for (const service of list.items as JsonObject[]) {
            const meta = metadataOf(service);
            const seen = `${meta.namespace}/${meta.name}`;
            snapshot.services.add(seen);
            const value = stringMap(meta.annotations)[key];
            if (value !== undefined) snapshot.values.set(seen, value);
          }
          return snapshot;
        },
      );
      if (snapshot?.services.has(id)) return snapshot.values.get(id) ?? null;
      return remembered(`service ${key} ${id}`, async () => {
        const service = await options.get(
          `/api/v1/namespaces/${path(namespace)}/services/${path(name)}`,
          OBJECT_METADATA,
        );
        if (service === undefined) return undefined;
        return stringMap(metadataOf(service).annotations)[key] ?? null;
      });
    },
  };
}
