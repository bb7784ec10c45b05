/**
 * The kind and apiVersion of cached lists and of their items, for the list bodies and watch
 * bookmarks the offline path writes. They come from the snapshot's recorded list response, else
 * from a cached item, else from the resources node components use.
 * @module
 */
import type { QueryRecord } from "../../cache/query.ts";
import type { RawObject } from "../../kube/types.ts";

/** Kinds of the resources node components list and watch, by resource (group-independent). */
const KINDS: Readonly<Record<string, string>> = {
  configmaps: "ConfigMap",
  csidrivers: "CSIDriver",
  csinodes: "CSINode",
  endpoints: "Endpoints",
  endpointslices: "EndpointSlice",
  events: "Event",
  leases: "Lease",
  namespaces: "Namespace",
  nodes: "Node",
  persistentvolumeclaims: "PersistentVolumeClaim",
  persistentvolumes: "PersistentVolume",
  pods: "Pod",
  runtimeclasses: "RuntimeClass",
  secrets: "Secret",
  serviceaccounts: "ServiceAccount",
  servicecidrs: "ServiceCIDR",
  services: "Service",
  volumeattachments: "VolumeAttachment",
};

/** Kind and apiVersion of an object or list. */
export interface TypeMeta {
  kind: string;
  apiVersion: string;
}

/** The list type of `record`'s responses (`sample` is any of its items). */
export function listTypeOf(record: QueryRecord, sample?: RawObject): TypeMeta {
  const apiVersion = record.listApiVersion || sample?.typeMeta.apiVersion ||
    (record.group === "" ? record.version : `${record.group}/${record.version}`);
  if (record.listKind) return { kind: record.listKind, apiVersion };
  const item = sample?.typeMeta.kind || KINDS[record.resource] || "";
  return { kind: item ? `${item}List` : "", apiVersion };
}

/** The type of `record`'s items (`sample` is any of them). */
export function itemTypeOf(record: QueryRecord, sample?: RawObject): TypeMeta {
  if (sample?.typeMeta.kind) return sample.typeMeta;
  const list = listTypeOf(record, sample);
  return { kind: list.kind.replace(/List$/, ""), apiVersion: list.apiVersion };
}
