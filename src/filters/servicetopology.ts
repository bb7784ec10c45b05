/**
 * `servicetopology`: kube-proxy and coredns see, in each EndpointSlice, only the endpoints their
 * Service's `openyurt.io/topologyKeys` annotation allows: `kubernetes.io/hostname` keeps endpoints
 * on this node; `openyurt.io/nodepool` or `kubernetes.io/zone` keep endpoints on nodes of this
 * node's pool (this node alone when it is in no pool). Endpoints without a node name are dropped
 * under a topology; an emptied slice is still passed on. A slice whose Service, pool or pool
 * members cannot be learned is passed on unchanged.
 * @module
 */
import { keepEndpoints } from "../kube/protobuf/endpoint_slice.ts";
import { readObjectMeta } from "../kube/protobuf/object_meta.ts";
import type { ClusterView } from "./cluster.ts";
import { type JsonObject, objectAt, type ObjectFilter, stringAt } from "./filter.ts";

/** The Service annotation naming the topology its endpoints are limited to. */
export const TOPOLOGY_ANNOTATION = "openyurt.io/topologyKeys";

/** The label naming an EndpointSlice's Service. */
const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

const NODE_TOPOLOGY = "kubernetes.io/hostname";
const POOL_TOPOLOGIES = new Set(["openyurt.io/nodepool", "kubernetes.io/zone"]);

type Keep = (nodeName: string | undefined) => boolean;

/** Creates the `servicetopology` filter over what `cluster` knows. */
export function serviceTopologyFilter(cluster: ClusterView): ObjectFilter {
  /** Which endpoints of the slice of Service `namespace/service` stay; undefined keeps all. */
  async function keeper(namespace: string, service: string | undefined): Promise<Keep | undefined> {
    if (!service) return undefined;
    const topology = await cluster.serviceAnnotation(namespace, service, TOPOLOGY_ANNOTATION);
    const onThisNode: Keep = (node) => node === cluster.nodeName;
    if (topology === NODE_TOPOLOGY) return onThisNode;
    if (!topology || !POOL_TOPOLOGIES.has(topology)) return undefined;
    const pool = await cluster.nodePool();
    if (pool === "") return onThisNode;
    if (pool === undefined) return undefined;
    const members = await cluster.poolNodes(pool);
    if (members === undefined) return undefined;
    return (node) => node !== undefined && members.has(node);
  }
  return {
    name: "servicetopology",
    verbs: { endpointslices: ["list", "watch"] },
    needles: [],
    async json(slice) {
      const meta = objectAt(slice, "metadata");
      const service = objectAt(meta, "labels")[SERVICE_NAME_LABEL];
      const keep = await keeper(stringAt(meta, "namespace"), service as string | undefined);
      if (keep === undefined) return undefined;
      const endpoints = Array.isArray(slice.endpoints) ? slice.endpoints as JsonObject[] : [];
      const kept = endpoints.filter((endpoint) => {
        const node = endpoint?.nodeName;
        return keep(typeof node === "string" ? node : undefined);
      });
      if (kept.length === endpoints.length) return undefined;
      slice.endpoints = kept;
      return slice;
    },
    async protobuf(slice) {
      const meta = readObjectMeta(slice);
      const keep = await keeper(meta.namespace, meta.labels[SERVICE_NAME_LABEL]);
      return keep === undefined ? undefined : keepEndpoints(slice, keep);
    },
  };
}
