/**
 * Looking into the cache: what `holdfast cache ls` / `cache get` show (computed from a store, or
 * asked from a running agent's admin listener, whose routes are `admin/cache_routes.ts`), and
 * `cache verify`'s integrity check of a KV file.
 * @module
 */
import { type DocumentStats, documentStats } from "./documents.ts";
import { codecFor } from "../kube/codecs.ts";
import type { GroupVersionResource } from "../kube/types.ts";
import { BlobDamaged, readBlob } from "./blobs.ts";
import {
  blobPrefix,
  type ComponentResource,
  generationPrefix,
  parseBlobPartKey,
  parseGenerationKey,
  parsePendingBlobKey,
  parseQueryKey,
  parseResourceKey,
  parseSingleKey,
  parseSnapshotKey,
  parseTombstoneKey,
  PENDING_BLOB_PREFIX,
  queryPrefix,
  resourcePrefix,
  singlePrefix,
  snapshotPrefix,
  tombstonePrefix,
} from "./keys.ts";
import { decodeQueryRecord, isServable, type QueryRecord } from "./query.ts";
import { type BlobRef, openRecordValue, readHeader, type StoredObject } from "./record.ts";
import { redactedObject } from "./redact.ts";
import { SealBroken, type Sealer } from "./seal.ts";
import type { CacheStats, CacheStore } from "./store.ts";

/** One query as `cache ls` shows it. */
export interface QueryView {
  component: string;
  resource: string;
  namespace: string;
  labelSelector: string;
  fieldSelector: string;
  transform: string;
  resourceVersion: string;
  complete: boolean;
  stale: boolean;
  staleReason: string;
  /** ISO time of the last complete listing, "" if never. */
  listedAt: string;
  /** ISO time of the last change. */
  updatedAt: string;
  mediaType: string;
  objects: number;
  bytes: number;
}

/** What `cache ls` shows. */
export interface LsView {
  resources: (CacheStats & { name: string })[];
  queries: QueryView[];
  /** Whole documents: discovery and kubectl Tables. */
  documents: DocumentStats[];
}

/** One object as `cache get` shows it: metadata, plus the object (parsed JSON, or base64). */
export interface ObjectView {
  component: string;
  resource: string;
  namespace: string;
  name: string;
  kind: string;
  apiVersion: string;
  resourceVersion: string;
  uid: string;
  labels: Record<string, string>;
  fields: Record<string, string>;
  mediaType: string;
  storedAt: string;
  size: number;
  /** The object, for JSON media types. */
  object?: unknown;
  /** The object's bytes in base64, for other media types (protobuf). */
  base64?: string;
  /** The values of the object's `data` and `stringData` are hidden (a sealed resource). */
  redacted?: boolean;
}

/** `pods.v1.core`, `deployments.v1.apps`: a resource's full name as `cache ls` prints it. */
export function resourceName(gvr: GroupVersionResource): string {
  return `${gvr.resource}.${gvr.version}.${gvr.group || "core"}`;
}

function queryView(record: QueryRecord): QueryView {
  return {
    component: record.component,
    resource: resourceName(record),
    namespace: record.namespace,
    labelSelector: record.labelSelector,
    fieldSelector: record.fieldSelector,
    transform: record.transform,
    resourceVersion: record.resourceVersion,
    complete: isServable(record),
    stale: record.stale,
    staleReason: record.staleReason,
    listedAt: record.listedAt ? new Date(record.listedAt).toISOString() : "",
    updatedAt: new Date(record.updatedAt).toISOString(),
    mediaType: record.mediaType,
    objects: record.objectCount,
    bytes: record.bytes,
  };
}

/** The `cache ls` view of a store. */
export async function lsView(store: CacheStore): Promise<LsView> {
  const resources = (await store.stats()).map((stats) => ({ ...stats, name: resourceName(stats) }));
  return { resources, queries: await queryViews(store), documents: await documentStats(store.kv) };
}

/** Every query of a store, sorted by component, resource and namespace. */
export async function queryViews(store: CacheStore): Promise<QueryView[]> {
  const order = (q: QueryView) => `${q.component}\0${q.resource}\0${q.namespace}`;
  return (await store.queries()).map(queryView).sort((a, b) => order(a) < order(b) ? -1 : 1);
}

/** A resource named on the command line is unknown or ambiguous for the component. */
export class UnknownResource extends Error {
  /** Says what was asked and what is cached. */
  constructor(component: string, text: string, candidates: string[]) {
    super(
      candidates.length === 0
        ? `nothing cached for ${component} matches resource "${text}"`
        : `resource "${text}" is ambiguous for ${component}: ${candidates.join(", ")}`,
    );
    this.name = "UnknownResource";
  }
}

/**
 * Resolves `pods`, `pods.v1`, `pods.v1.core`, `deployments.apps` or `deployments.v1.apps`
 * against what is cached for `component`.
 */
export function resolveResource(
  stats: CacheStats[],
  component: string,
  text: string,
): GroupVersionResource {
  const dot = text.indexOf(".");
  const resource = dot === -1 ? text : text.slice(0, dot);
  const rest = dot === -1 ? "" : text.slice(dot + 1);
  const matches = stats.filter((s) => {
    if (s.component !== component || s.resource !== resource) return false;
    const group = s.group || "core";
    return rest === "" || rest === group || rest === `${s.version}.${group}` ||
      (s.group === "" && rest === s.version);
  });
  if (matches.length !== 1) {
    throw new UnknownResource(component, text, matches.map(resourceName));
  }
  const { group, version } = matches[0];
  return { group, version, resource };
}

/**
 * The `cache get` view of a stored object; with `redact`, the values of its `data` and
 * `stringData` are hidden ({@link redactedObject}).
 */
export function objectView(
  component: string,
  gvr: GroupVersionResource,
  object: StoredObject,
  redact = false,
): ObjectView {
  const view: ObjectView = {
    component,
    resource: resourceName(gvr),
    namespace: object.meta.namespace,
    name: object.meta.name,
    kind: object.typeMeta.kind,
    apiVersion: object.typeMeta.apiVersion,
    resourceVersion: object.meta.resourceVersion,
    uid: object.meta.uid,
    labels: object.meta.labels,
    fields: object.fields,
    mediaType: object.mediaType,
    storedAt: new Date(object.storedAt).toISOString(),
    size: object.bytes.byteLength,
  };
  if (redact) {
    const shown = redactedObject(object);
    return shown === undefined
      ? { ...view, redacted: true }
      : { ...view, object: shown, redacted: true };
  }
  const values = codecFor(object.mediaType)?.values;
  if (values) {
    try {
      view.object = values.decode(object.bytes);
      return view;
    } catch {
      // Not a valid object after all: shown as base64 below.
    }
  }
  view.base64 = btoa(Array.from(object.bytes, (byte) => String.fromCharCode(byte)).join(""));
  return view;
}

/**
 * Finds an object by component, resource text and namespace/name; null when not cached. Objects
 * of the store's sealed resources, and Secrets, are redacted unless `exposeSecrets`.
 */
export async function findObject(
  store: CacheStore,
  component: string,
  resource: string,
  namespace: string,
  name: string,
  exposeSecrets = false,
): Promise<ObjectView | null> {
  const gvr = resolveResource(await store.stats(), component, resource);
  const object = await store.getObject(component, gvr, namespace, name);
  if (!object) return null;
  const secret = gvr.resource === "secrets" || store.sealedResources.has(gvr.resource);
  return objectView(component, gvr, object, secret && !exposeSecrets);
}

/** What `cache verify` found. */
export interface VerifyReport {
  /** Records checked (query records, objects, tombstones, single objects). */
  checked: number;
  /** Problems that start-up would not repair: the cache is damaged. */
  damage: string[];
  /** Leftovers of an interrupted write that the next start-up collects. */
  garbage: string[];
}

interface Generation {
  marker: boolean;
  objects: number;
  bytes: number;
  tombstones: number[];
  blobs: BlobRef[];
}

/**
 * Checks a cache KV file: every record decodes and its blob parts are all there, every query's
 * generation holds `objectCount` objects and its tombstones, counters match, and nothing is
 * stored that no record, marker or generation accounts for; sealed records and their blobs open
 * with `sealer` (without one, each sealed record is reported). Reads only.
 */
export async function verifyCache(kv: Deno.Kv, sealer?: Sealer): Promise<VerifyReport> {
  const report: VerifyReport = { checked: 0, damage: [], garbage: [] };
  const sealed = new Set<string>();
  const checkSeal = async (key: Deno.KvKey, value: Uint8Array) => {
    try {
      if (!sealer) throw new SealBroken(key);
      await openRecordValue(sealer, key, value);
    } catch (error) {
      if (!(error instanceof SealBroken)) throw error;
      report.damage.push(
        sealer
          ? error.message
          : `record ${JSON.stringify(key)} is sealed and no seal key was given`,
      );
    }
  };
  const foreign = (key: Deno.KvKey) =>
    report.damage.push(`key ${JSON.stringify(key)} is malformed`);
  const records = new Map<number, QueryRecord>();
  for await (const { key, value } of kv.list<Uint8Array>({ prefix: queryPrefix() })) {
    report.checked++;
    if (!parseQueryKey(key)) foreign(key);
    try {
      const record = decodeQueryRecord(value);
      if (records.has(record.id)) report.damage.push(`query id ${record.id} used twice`);
      records.set(record.id, record);
    } catch {
      report.damage.push(`query record ${JSON.stringify(key)} does not decode`);
    }
  }
  const generations = new Map<string, Generation>();
  const generation = (id: number, gen: number) => {
    const name = `${id}/${gen}`;
    let found = generations.get(name);
    if (!found) {
      found = { marker: false, objects: 0, bytes: 0, tombstones: [], blobs: [] };
      generations.set(name, found);
    }
    return found;
  };
  for (const record of records.values()) generation(record.id, record.generation);
  for await (const { key } of kv.list({ prefix: generationPrefix() })) {
    const marker = parseGenerationKey(key);
    if (marker) generation(marker.queryId, marker.generation).marker = true;
    else foreign(key);
  }
  const live: BlobRef[] = [];
  const readRecord = async (key: Deno.KvKey, value: Uint8Array) => {
    report.checked++;
    try {
      const header = readHeader(value);
      if (header.sealed) {
        await checkSeal(key, value);
        if (header.blob) sealed.add(header.blob.id);
      }
      return { header, size: value.byteLength + (header.blob?.size ?? 0) };
    } catch {
      report.damage.push(`record ${JSON.stringify(key)} does not decode`);
      return undefined;
    }
  };
  for (
    const [prefix, parse] of [
      [snapshotPrefix(), parseSnapshotKey],
      [tombstonePrefix(), parseTombstoneKey],
    ] as const
  ) {
    for await (const { key, value } of kv.list<Uint8Array>({ prefix })) {
      const parsed = parse(key);
      if (!parsed) {
        foreign(key);
        continue;
      }
      const found = generation(parsed.queryId, parsed.generation);
      const read = await readRecord(key, value);
      if (!read) continue;
      if (read.header.blob) found.blobs.push(read.header.blob);
      if ("seq" in parsed) {
        found.tombstones.push(parsed.seq);
      } else {
        found.objects++;
        found.bytes += read.size;
      }
    }
  }
  const resourceId = (parsed: ComponentResource) =>
    JSON.stringify([parsed.component, parsed.group, parsed.version, parsed.resource]);
  const singles = new Map<string, { objects: number; bytes: number }>();
  for await (const { key, value } of kv.list<Uint8Array>({ prefix: singlePrefix() })) {
    const parsed = parseSingleKey(key);
    if (!parsed) {
      foreign(key);
      continue;
    }
    const read = await readRecord(key, value);
    if (!read) continue;
    if (read.header.blob) live.push(read.header.blob);
    const id = resourceId(parsed);
    const count = singles.get(id) ?? { objects: 0, bytes: 0 };
    count.objects++;
    count.bytes += read.size;
    singles.set(id, count);
  }
  for await (const { key, value } of kv.list<Uint8Array>({ prefix: resourcePrefix() })) {
    const parsed = parseResourceKey(key);
    if (!parsed) {
      foreign(key);
      continue;
    }
    const id = resourceId(parsed);
    const counted = singles.get(id) ?? { objects: 0, bytes: 0 };
    const stored = JSON.parse(new TextDecoder().decode(value));
    if (stored.objects !== counted.objects || stored.bytes !== counted.bytes) {
      report.damage.push(
        `single objects of ${id}: counter says ${stored.objects} (${stored.bytes} B), found ${counted.objects} (${counted.bytes} B)`,
      );
    }
    singles.delete(id);
  }
  for (const id of singles.keys()) report.damage.push(`single objects of ${id} have no counter`);

  const collectable: BlobRef[] = [];
  for (const [name, found] of generations) {
    const [id, gen] = name.split("/").map(Number);
    const record = records.get(id);
    if (record?.generation === gen) {
      live.push(...found.blobs);
      if (found.objects !== record.objectCount || found.bytes !== record.bytes) {
        report.damage.push(
          `query ${id} (${
            resourceName(record)
          }): record says ${record.objectCount} objects (${record.bytes} B), generation ${gen} holds ${found.objects} (${found.bytes} B)`,
        );
      }
      const expected = record.tombstoneNext - record.tombstoneFirst;
      const inRange = found.tombstones.every((seq) =>
        seq >= record.tombstoneFirst && seq < record.tombstoneNext
      );
      if (found.tombstones.length !== expected || !inRange) {
        report.damage.push(`query ${id}: tombstones do not match the record's sequence numbers`);
      }
    } else if (found.marker) {
      collectable.push(...found.blobs);
      report.garbage.push(
        `query ${id} generation ${gen}: ${found.objects} objects left over (collected at start-up)`,
      );
    } else {
      report.damage.push(
        `query ${id} generation ${gen}: ${found.objects} objects no query or marker refers to`,
      );
    }
  }

  const pending = new Set<string>();
  for await (const { key } of kv.list({ prefix: PENDING_BLOB_PREFIX })) {
    const marker = parsePendingBlobKey(key);
    if (marker) pending.add(marker.blobId);
    else foreign(key);
  }
  const referenced = new Set([...live, ...collectable].map((ref) => ref.id));
  for (const ref of live) {
    const open = sealed.has(ref.id)
      ? (key: Deno.KvKey, part: Uint8Array) =>
        sealer ? sealer.open(key, part) : Promise.reject(new SealBroken(key))
      : undefined;
    try {
      await readBlob(kv, ref, open);
    } catch (error) {
      if (!(error instanceof BlobDamaged) && !(error instanceof SealBroken)) throw error;
      report.damage.push(
        sealer || !(error instanceof SealBroken)
          ? error.message
          : `blob ${ref.id} is sealed and no seal key was given`,
      );
    }
    if (pending.has(ref.id)) report.damage.push(`blob ${ref.id} is referenced but marked pending`);
  }
  const unreferenced = new Set<string>();
  for await (const { key } of kv.list({ prefix: blobPrefix() })) {
    const part = parseBlobPartKey(key);
    if (!part) foreign(key);
    else if (!referenced.has(part.blobId)) unreferenced.add(part.blobId);
  }
  for (const id of unreferenced) {
    if (pending.has(id)) {
      report.garbage.push(`blob ${id}: parts of an unwritten record (collected at start-up)`);
    } else report.damage.push(`blob ${id}: parts no record refers to`);
  }
  for (const id of pending) {
    if (!referenced.has(id) && !unreferenced.has(id)) {
      report.garbage.push(`blob ${id}: pending marker without parts (collected at start-up)`);
    }
  }
  return report;
}
