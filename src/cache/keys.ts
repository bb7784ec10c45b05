/**
 * The Deno KV key layout of the cache and of the state that shares its file (documents, the
 * offline event queue and leases), and the size of a key as Deno KV counts it. The cache's own
 * keys start with `"c"`, apart from that state's.
 *
 * | key | value |
 * |---|---|
 * | `c q <component> <group> <version> <resource> <namespace> <labels> <fields> <transform> [<format>]` | query record (JSON); `format` only for non-JSON copies |
 * | `c g <query id> <generation>` | marker: this generation of the query exists (for GC) |
 * | `c d <query id> <generation> <namespace> <name>` | object of a query snapshot (record) |
 * | `c t <query id> <generation> <seq>` | tombstone: a DELETED event's object (record) |
 * | `c o <component> <group> <version> <resource> <transform> <namespace> <name>` | single object (record) |
 * | `c r <component> <group> <version> <resource>` | index: something is stored for this resource |
 * | `c b <blob id> <part>` | part of a record too large for one value |
 * | `c pb <blob id>` | marker: blob written, its record not yet (for GC) |
 * | `documents header <path> <transform>` | header of a stored document (discovery, Tables) |
 * | `documents chunk <path> <transform> <generation> <index>` | one chunk of a stored document |
 * | `event_queue meta` | the offline event queue's head, next sequence number and totals |
 * | `event_queue item <seq>` | one queued event |
 * | `leases <namespace> <name> [<identity>]` | a lease written offline (`identity`: not the node) |
 *
 * A query key too long for Deno KV (2,048 B) ends in a digest of the identity instead of the
 * identity's tail.
 *
 * Every family has a builder and a parser: `parse…Key` returns the named fields of a key of its
 * family, or undefined for any other key, so no caller reads a key by position.
 * @module
 */
import type { GroupVersionResource } from "../kube/types.ts";
import { identityString, type QueryIdentity } from "./query.ts";
import { sha256Hex } from "./sha256.ts";

/** Largest encoded key Deno KV writes. */
export const MAX_KEY_BYTES = 2048;

const ROOT = "c";
const DOCUMENTS = "documents";
const EVENT_QUEUE = "event_queue";
const LEASES = "leases";

/** The shape of one key part after the family's two leading parts. */
type PartType = "string" | "number" | "name";

/** The parts after `[root, tag]` when `key` has that family's shape, else undefined. */
function partsOf(
  key: Deno.KvKey,
  root: string,
  tag: string,
  shape: readonly PartType[],
): Deno.KvKeyPart[] | undefined {
  if (key.length !== 2 + shape.length || key[0] !== root || key[1] !== tag) return undefined;
  const parts = key.slice(2);
  const fits = parts.every((part, i) => {
    const type = typeof part;
    return shape[i] === "name" ? type === "string" || type === "number" : type === shape[i];
  });
  return fits ? parts : undefined;
}

/** A component's group/version/resource, as the cache's keys name them. */
export interface ComponentResource extends GroupVersionResource {
  component: string;
}

/**
 * The fields of a query record's key: the whole identity, or (for an identity too long for a key)
 * its component and resource and the digest of the rest.
 */
export type QueryKeyFields =
  | (ComponentResource & { identity: QueryIdentity; digest?: undefined })
  | (ComponentResource & { identity?: undefined; digest: string });

/** Key of a query's record. */
export function queryKey(query: QueryIdentity): Deno.KvKey {
  const head = [ROOT, "q", query.component, query.group, query.version, query.resource];
  const full = [
    ...head,
    query.namespace,
    query.labelSelector,
    query.fieldSelector,
    query.transform,
    ...(query.format ? [query.format] : []),
  ];
  if (encodedKeySize(full) <= MAX_KEY_BYTES) return full;
  const digest = sha256Hex(identityString(query));
  return [...head, `#${digest}`];
}

/** The fields of a query record's key; undefined for a key of another family. */
export function parseQueryKey(key: Deno.KvKey): QueryKeyFields | undefined {
  const head = ["string", "string", "string", "string"] as const;
  const digested = partsOf(key, ROOT, "q", [...head, "string"]);
  if (digested) {
    const [component, group, version, resource, digest] = digested as string[];
    if (!digest.startsWith("#")) return undefined;
    return { component, group, version, resource, digest: digest.slice(1) };
  }
  const parts = partsOf(key, ROOT, "q", [...head, "string", "string", "string", "string"]) ??
    partsOf(key, ROOT, "q", [...head, "string", "string", "string", "string", "string"]);
  if (!parts) return undefined;
  const [component, group, version, resource, namespace, labelSelector, fieldSelector, transform] =
    parts as string[];
  const format = parts[8] as string | undefined;
  // The builder leaves an empty format out: a key that carries one is not its output.
  if (format === "") return undefined;
  const identity: QueryIdentity = {
    component,
    group,
    version,
    resource,
    namespace,
    labelSelector,
    fieldSelector,
    transform,
    ...(format === undefined ? {} : { format }),
  };
  return { component, group, version, resource, identity };
}

/** Prefix of the query records of a component (and resource). */
export function queryPrefix(component?: string, gvr?: GroupVersionResource): Deno.KvKey {
  if (component === undefined) return [ROOT, "q"];
  if (!gvr) return [ROOT, "q", component];
  return [ROOT, "q", component, gvr.group, gvr.version, gvr.resource];
}

/** Key of the marker of one generation of a query. */
export function generationKey(queryId: number, generation: number): Deno.KvKey {
  return [ROOT, "g", queryId, generation];
}

/** A query's generation, as generation marker keys name it. */
export interface GenerationKeyFields {
  queryId: number;
  generation: number;
}

/** The fields of a generation marker's key; undefined for a key of another family. */
export function parseGenerationKey(key: Deno.KvKey): GenerationKeyFields | undefined {
  const parts = partsOf(key, ROOT, "g", ["number", "number"]);
  if (!parts) return undefined;
  const [queryId, generation] = parts as number[];
  return { queryId, generation };
}

/** Prefix of the generation markers of a query, or of all queries. */
export function generationPrefix(queryId?: number): Deno.KvKey {
  return queryId === undefined ? [ROOT, "g"] : [ROOT, "g", queryId];
}

/** Key of one object in a query snapshot; nameless items (Table rows) are keyed by position. */
export function snapshotKey(
  queryId: number,
  generation: number,
  namespace: string,
  name: string | number,
): Deno.KvKey {
  return [ROOT, "d", queryId, generation, namespace, name];
}

/** The fields of a snapshot object's key. */
export interface SnapshotKeyFields extends GenerationKeyFields {
  namespace: string;
  /** The object's name, or its position for a nameless item (a Table row). */
  name: string | number;
}

/** The fields of a snapshot object's key; undefined for a key of another family. */
export function parseSnapshotKey(key: Deno.KvKey): SnapshotKeyFields | undefined {
  const parts = partsOf(key, ROOT, "d", ["number", "number", "string", "name"]);
  if (!parts) return undefined;
  const [queryId, generation, namespace, name] = parts as [number, number, string, string | number];
  return { queryId, generation, namespace, name };
}

/** Prefix of the objects of one generation of a query, or of every snapshot. */
export function snapshotPrefix(queryId?: number, generation?: number): Deno.KvKey {
  if (queryId === undefined || generation === undefined) return [ROOT, "d"];
  return [ROOT, "d", queryId, generation];
}

/** Key of one tombstone of a query generation. */
export function tombstoneKey(queryId: number, generation: number, seq: number): Deno.KvKey {
  return [ROOT, "t", queryId, generation, seq];
}

/** The fields of a tombstone's key. */
export interface TombstoneKeyFields extends GenerationKeyFields {
  seq: number;
}

/** The fields of a tombstone's key; undefined for a key of another family. */
export function parseTombstoneKey(key: Deno.KvKey): TombstoneKeyFields | undefined {
  const parts = partsOf(key, ROOT, "t", ["number", "number", "number"]);
  if (!parts) return undefined;
  const [queryId, generation, seq] = parts as number[];
  return { queryId, generation, seq };
}

/** Prefix of the tombstones of one generation of a query, or of every query. */
export function tombstonePrefix(queryId?: number, generation?: number): Deno.KvKey {
  if (queryId === undefined || generation === undefined) return [ROOT, "t"];
  return [ROOT, "t", queryId, generation];
}

/** Key of a single object stored from a GET/create/update/patch response. */
export function singleKey(
  component: string,
  gvr: GroupVersionResource,
  transform: string,
  namespace: string,
  name: string,
): Deno.KvKey {
  return [ROOT, "o", component, gvr.group, gvr.version, gvr.resource, transform, namespace, name];
}

/** The fields of a single object's key. */
export interface SingleKeyFields extends ComponentResource {
  transform: string;
  namespace: string;
  name: string;
}

/** The fields of a single object's key; undefined for a key of another family. */
export function parseSingleKey(key: Deno.KvKey): SingleKeyFields | undefined {
  const parts = partsOf(key, ROOT, "o", Array(7).fill("string"));
  if (!parts) return undefined;
  const [component, group, version, resource, transform, namespace, name] = parts as string[];
  return { component, group, version, resource, transform, namespace, name };
}

/** Prefix of single objects of a component (and resource). */
export function singlePrefix(component?: string, gvr?: GroupVersionResource): Deno.KvKey {
  if (component === undefined) return [ROOT, "o"];
  if (!gvr) return [ROOT, "o", component];
  return [ROOT, "o", component, gvr.group, gvr.version, gvr.resource];
}

/** Key of the index entry saying something is stored for a component's resource. */
export function resourceKey(component: string, gvr: GroupVersionResource): Deno.KvKey {
  return [ROOT, "r", component, gvr.group, gvr.version, gvr.resource];
}

/** The fields of a resource index key; undefined for a key of another family. */
export function parseResourceKey(key: Deno.KvKey): ComponentResource | undefined {
  const parts = partsOf(key, ROOT, "r", Array(4).fill("string"));
  if (!parts) return undefined;
  const [component, group, version, resource] = parts as string[];
  return { component, group, version, resource };
}

/** Prefix of the resource index (of a component). */
export function resourcePrefix(component?: string): Deno.KvKey {
  return component === undefined ? [ROOT, "r"] : [ROOT, "r", component];
}

/** Key of one part of a blob. */
export function blobPartKey(blobId: string, part: number): Deno.KvKey {
  return [ROOT, "b", blobId, part];
}

/** The fields of a blob part's key. */
export interface BlobPartKeyFields {
  blobId: string;
  part: number;
}

/** The fields of a blob part's key; undefined for a key of another family. */
export function parseBlobPartKey(key: Deno.KvKey): BlobPartKeyFields | undefined {
  const parts = partsOf(key, ROOT, "b", ["string", "number"]);
  if (!parts) return undefined;
  const [blobId, part] = parts as [string, number];
  return { blobId, part };
}

/** Prefix of the parts of one blob, or of all blobs. */
export function blobPrefix(blobId?: string): Deno.KvKey {
  return blobId === undefined ? [ROOT, "b"] : [ROOT, "b", blobId];
}

/** Key of the marker of a blob whose owning record is not written yet. */
export function pendingBlobKey(blobId: string): Deno.KvKey {
  return [ROOT, "pb", blobId];
}

/** The blob id of a pending-blob marker's key; undefined for a key of another family. */
export function parsePendingBlobKey(key: Deno.KvKey): { blobId: string } | undefined {
  const parts = partsOf(key, ROOT, "pb", ["string"]);
  return parts ? { blobId: parts[0] as string } : undefined;
}

/** Prefix of pending-blob markers. */
export const PENDING_BLOB_PREFIX: Deno.KvKey = [ROOT, "pb"];

/** Identifies a stored document: its path and the Accept `as=` transform ("" if none). */
export interface DocumentKeyFields {
  path: string;
  transform: string;
}

/** Key of the header of a document. */
export function documentHeaderKey(document: DocumentKeyFields): Deno.KvKey {
  return [DOCUMENTS, "header", document.path, document.transform];
}

/** The fields of a document header's key; undefined for a key of another family. */
export function parseDocumentHeaderKey(key: Deno.KvKey): DocumentKeyFields | undefined {
  const parts = partsOf(key, DOCUMENTS, "header", ["string", "string"]);
  if (!parts) return undefined;
  const [path, transform] = parts as string[];
  return { path, transform };
}

/** Prefix of every document header. */
export const DOCUMENT_HEADER_PREFIX: Deno.KvKey = [DOCUMENTS, "header"];

/** Key of chunk `index` of one generation of a document. */
export function documentChunkKey(
  document: DocumentKeyFields,
  generation: string,
  index: number,
): Deno.KvKey {
  return [...documentChunkPrefix(document, generation), index];
}

/** Prefix of the chunks of one generation of a document. */
export function documentChunkPrefix(document: DocumentKeyFields, generation: string): Deno.KvKey {
  return [DOCUMENTS, "chunk", document.path, document.transform, generation];
}

/** Key of the offline event queue's bookkeeping (head, next sequence number, totals). */
export const EVENT_QUEUE_META_KEY: Deno.KvKey = [EVENT_QUEUE, "meta"];

/** Key of queued event `seq`. */
export function eventQueueItemKey(seq: number): Deno.KvKey {
  return [EVENT_QUEUE, "item", seq];
}

/** The sequence number of a queued event's key; undefined for a key of another family. */
export function parseEventQueueItemKey(key: Deno.KvKey): { seq: number } | undefined {
  const parts = partsOf(key, EVENT_QUEUE, "item", ["number"]);
  return parts ? { seq: parts[0] as number } : undefined;
}

/** Identifies a lease written offline: its namespace and name, and who wrote it if not the node. */
export interface LeaseKeyFields {
  namespace: string;
  name: string;
  /** The writer's identity; absent for the node's own slot. */
  identity?: string;
}

/** Key of the slot of a lease written offline; another identity than the node's has its own. */
export function leaseKey(lease: LeaseKeyFields): Deno.KvKey {
  const { namespace, name, identity } = lease;
  return identity ? [LEASES, namespace, name, identity] : [LEASES, namespace, name];
}

/** Prefix of everything the cache stores. */
export const CACHE_PREFIX: Deno.KvKey = [ROOT];

/** A string equal for equal keys (strings and numbers as parts). */
export function keyString(key: Deno.KvKey): string {
  return JSON.stringify(key);
}

/** UTF-8 length of `text` with each zero byte counted twice (Deno KV escapes them). */
function escapedStringSize(text: string): number {
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0) size += 2;
    else if (code < 0x80) size += 1;
    else if (code < 0x800) size += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      size += 4;
      i++;
    } else size += 3;
  }
  return size;
}

/** Size of `key` as Deno KV encodes it (the unit of its key limits). */
export function encodedKeySize(key: Deno.KvKey): number {
  let size = 0;
  for (const part of key) {
    if (typeof part === "string") size += 2 + escapedStringSize(part);
    else if (typeof part === "number") size += 9;
    else if (typeof part === "boolean") size += 1;
    else if (typeof part === "bigint") size += 20;
    else if (part instanceof Uint8Array) {
      size += 2 + part.byteLength + part.filter((byte) => byte === 0).length;
    }
  }
  return size;
}
