/**
 * Query identities and query records. A query is one (component, group/version/resource,
 * namespace, label selector, field selector, transform) the cache has seen a LIST or WATCH for;
 * its record says whether the cache holds a complete snapshot of it, at which resourceVersion,
 * and which generation of stored objects is that snapshot.
 * @module
 */
import type { GroupVersionResource } from "../kube/types.ts";

/**
 * The identity of a cached list/watch query. Selectors are in canonical form (normalised by the
 * caller), so equal queries have equal identities. `namespace` is "" for cluster-wide requests;
 * `transform` is "" for full objects, otherwise the `as=`/`g=`/`v=` transform (Table,
 * PartialObjectMetadata). `format` keeps copies in different wire formats apart: absent or "" for
 * JSON, else the media type (e.g. `application/vnd.kubernetes.protobuf`); the store sets it from
 * the response, so a protobuf listing never replaces the JSON copy (protobuf cannot be turned into
 * JSON without the schema).
 */
export interface QueryIdentity {
  component: string;
  group: string;
  version: string;
  resource: string;
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  transform: string;
  format?: string;
}

/** Everything the cache knows about one query, as stored. */
export interface QueryRecord extends QueryIdentity {
  /** Store-internal id, used in the keys of the query's objects. */
  id: number;
  /** The generation of stored objects that is this query's snapshot. */
  generation: number;
  /** True once a full LIST (or watch-list) was stored; never true for a merely watched query. */
  complete: boolean;
  /** True when a response for this query was given up on; a stale query is not complete. */
  stale: boolean;
  /** Why the query went stale ("" when it is not). */
  staleReason: string;
  /** The resourceVersion the snapshot is current at (the list's, advanced by watch events). */
  resourceVersion: string;
  /**
   * The resourceVersion of the last complete listing (absent in records written before it was
   * kept): watch events older than it mean the upstream went backwards.
   */
  listResourceVersion?: string;
  /** The resourceVersion from which stored tombstones are a complete deletion history. */
  historyFrom: string;
  /** Milliseconds since the epoch of the last complete listing; 0 when never listed. */
  listedAt: number;
  /** Milliseconds since the epoch of the last change to this record. */
  updatedAt: number;
  /** Media type of the last listing (without parameters). */
  mediaType: string;
  /** Kind and apiVersion of the last list response (e.g. `PodList`, `v1`). */
  listKind: string;
  listApiVersion: string;
  /** Objects in the snapshot. */
  objectCount: number;
  /** Stored bytes of the snapshot's objects. */
  bytes: number;
  /** Sequence numbers of the oldest stored tombstone and of the next one to write. */
  tombstoneFirst: number;
  tombstoneNext: number;
}

const IDENTITY_FIELDS = [
  "component",
  "group",
  "version",
  "resource",
  "namespace",
  "labelSelector",
  "fieldSelector",
  "transform",
] as const;

const JSON_MEDIA_TYPE = "application/json";

/** The identity fields of `query` only (callers may pass richer objects). */
export function identityOf(query: QueryIdentity): QueryIdentity {
  const identity: QueryIdentity = {
    component: query.component,
    group: query.group,
    version: query.version,
    resource: query.resource,
    namespace: query.namespace,
    labelSelector: query.labelSelector,
    fieldSelector: query.fieldSelector,
    transform: query.transform,
  };
  if (query.format) identity.format = query.format;
  return identity;
}

/** A string equal for equal identities, different otherwise. */
export function identityString(query: QueryIdentity): string {
  const fields = IDENTITY_FIELDS.map((field) => query[field]);
  return JSON.stringify(query.format ? [...fields, query.format] : fields);
}

/** `query` for its copy in `mediaType` (parameters ignored); JSON is the unmarked copy. */
export function inFormat(query: QueryIdentity, mediaType: string): QueryIdentity {
  const essence = mediaType.split(";")[0].trim().toLowerCase();
  const identity = identityOf(query);
  if (essence === JSON_MEDIA_TYPE) delete identity.format;
  else identity.format = essence;
  return identity;
}

/** The group/version/resource of a query. */
export function gvrOf(query: QueryIdentity): GroupVersionResource {
  return { group: query.group, version: query.version, resource: query.resource };
}

/** Whether the offline path may answer the query as a complete list. */
export function isServable(record: QueryRecord): boolean {
  return record.complete && !record.stale;
}

/** A fresh record for a query the cache has not stored anything for yet. */
export function newQueryRecord(query: QueryIdentity, id: number, generation: number): QueryRecord {
  return {
    ...identityOf(query),
    id,
    generation,
    complete: false,
    stale: false,
    staleReason: "",
    resourceVersion: "",
    historyFrom: "",
    listedAt: 0,
    updatedAt: Date.now(),
    mediaType: "",
    listKind: "",
    listApiVersion: "",
    objectCount: 0,
    bytes: 0,
    tombstoneFirst: 0,
    tombstoneNext: 0,
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A query record as a stored value. */
export function encodeQueryRecord(record: QueryRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record));
}

/** A stored query record. Throws on a value that is not one. */
export function decodeQueryRecord(value: Uint8Array): QueryRecord {
  const record = JSON.parse(decoder.decode(value));
  if (typeof record?.id !== "number" || typeof record.generation !== "number") {
    throw new TypeError("not a query record");
  }
  return record;
}
