/**
 * The cache's Deno KV key layout, and the size of a key as Deno KV counts it. Every key starts
 * with `"c"` so the cache can share a KV file with other state (documents, leases, events).
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
 *
 * A query key too long for Deno KV (2,048 B) ends in a digest of the identity instead of the
 * identity's tail.
 * @module
 */
import { createHash } from "node:crypto";
import type { GroupVersionResource } from "../kube/types.ts";
import { identityString, type QueryIdentity } from "./query.ts";

/** Largest encoded key Deno KV writes. */
export const MAX_KEY_BYTES = 2048;

const ROOT = "c";

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
  const digest = createHash("sha256").update(identityString(query)).digest("hex");
  return [...head, `#${digest}`];
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

/** Prefix of the objects of one generation of a query, or of every snapshot. */
export function snapshotPrefix(queryId?: number, generation?: number): Deno.KvKey {
  if (queryId === undefined || generation === undefined) return [ROOT, "d"];
  return [ROOT, "d", queryId, generation];
}

/** Key of one tombstone of a query generation. */
export function tombstoneKey(queryId: number, generation: number, seq: number): Deno.KvKey {
  return [ROOT, "t", queryId, generation, seq];
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

/** Prefix of the resource index (of a component). */
export function resourcePrefix(component?: string): Deno.KvKey {
  return component === undefined ? [ROOT, "r"] : [ROOT, "r", component];
}

/** Key of one part of a blob. */
export function blobPartKey(blobId: string, part: number): Deno.KvKey {
  return [ROOT, "b", blobId, part];
}

/** Prefix of the parts of one blob, or of all blobs. */
export function blobPrefix(blobId?: string): Deno.KvKey {
  return blobId === undefined ? [ROOT, "b"] : [ROOT, "b", blobId];
}

/** Key of the marker of a blob whose owning record is not written yet. */
export function pendingBlobKey(blobId: string): Deno.KvKey {
  return [ROOT, "pb", blobId];
}

/** Prefix of pending-blob markers. */
export const PENDING_BLOB_PREFIX: Deno.KvKey = [ROOT, "pb"];
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
