/**
 * `nodeportisolation`: a NodePort or LoadBalancer Service annotated
 * `nodeport.openyurt.io/listen: "pool-a,-pool-b,*"` is seen by kube-proxy only on nodes of a pool
 * it enables — named, else `*`, where `-name` disables a pool. Nodes in no pool (or whose pool
 * cannot be learned) see every Service, as without the filter.
 * @module
 */
import { readObjectMetaDetails } from "../kube/protobuf/object_meta.ts";
import { readServiceType } from "../kube/protobuf/service.ts";
import type { ClusterView } from "./cluster.ts";
import { objectAt, type ObjectFilter, stringAt } from "./filter.ts";

/** The annotation listing the pools a Service's node ports listen in. */
export const LISTEN_ANNOTATION = "nodeport.openyurt.io/listen";

/** Whether the `listen` annotation value enables `pool`. */
export function poolEnabled(listen: string, pool: string): boolean {
  const entries = new Set<string>();
  const seen = new Set<string>();
  for (const raw of listen.split(",")) {
    const entry = raw.trim();
    const name = entry.startsWith("-") ? entry.slice(1) : entry;
    // The first mention of a pool wins, so "a,-a" enables a.
    if (name === "" || seen.has(name)) continue;
    seen.add(name);
    entries.add(entry);
  }
  if (entries.has(pool)) return true;
  if (entries.has(`-${pool}`)) return false;
  return entries.has("*");
}

/** Creates the `nodeportisolation` filter, learning the node's pool from `cluster`. */
export function nodePortIsolationFilter(cluster: ClusterView): ObjectFilter {
  async function keep(type: string, annotations: Record<string, string> | undefined) {
    if (type !== "NodePort" && type !== "LoadBalancer") return true;
    const listen = annotations?.[LISTEN_ANNOTATION];
    if (listen === undefined) return true;
    const pool = await cluster.nodePool();
    if (!pool) return true;
    return poolEnabled(listen, pool);
  }
  return {
    name: "nodeportisolation",
    verbs: { services: ["list", "watch"] },
    needles: [LISTEN_ANNOTATION],
    async json(service) {
      const type = stringAt(objectAt(service, "spec"), "type");
      const annotations = objectAt(objectAt(service, "metadata"), "annotations");
      return await keep(type, annotations as Record<string, string>) ? undefined : null;
    },
    async protobuf(service) {
      const annotations = readObjectMetaDetails(service).annotations;
      return await keep(readServiceType(service), annotations) ? undefined : null;
    },
  };
}
