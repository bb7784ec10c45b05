/**
 * What the writer keeps in memory about the current generation of a watched query: each object's
 * resourceVersion, stored size and blob, and the tombstones in order. With it a watch event
 * becomes its write without reading KV first; a read per event would wait behind the commit in
 * flight (Deno KV runs everything on one SQLite thread) and serialise events one commit each.
 * @module
 */
import { parseSnapshotKey, parseTombstoneKey, snapshotPrefix, tombstonePrefix } from "./keys.ts";
import { type BlobRef, readHeader } from "./record.ts";

/** One stored object. */
export interface IndexEntry {
  resourceVersion: string;
  /** Stored bytes (value plus blob). */
  size: number;
  blob?: BlobRef;
}

/** One stored tombstone. */
export interface TombstoneEntry {
  seq: number;
  resourceVersion: string;
  blob?: BlobRef;
}

/** The objects (by {@link objectId}) and tombstones (oldest first) of one generation. */
export interface GenerationIndex {
  generation: number;
  objects: Map<string, IndexEntry>;
  tombstones: TombstoneEntry[];
}

/** The index key of an object. */
export function objectId(namespace: string, name: string): string {
  return JSON.stringify([namespace, name]);
}

/** The index of a generation with nothing stored yet. */
export function emptyIndex(generation: number): GenerationIndex {
  return { generation, objects: new Map(), tombstones: [] };
}

function headerOf(value: Uint8Array) {
  try {
    return readHeader(value);
  } catch {
    return undefined;
  }
}

/**
 * Reads the index of a stored generation (committed data; headers only are decoded). A damaged
 * record is left out, as if absent.
 */
export async function loadIndex(
  kv: Deno.Kv,
  queryId: number,
  generation: number,
): Promise<GenerationIndex> {
  const index = emptyIndex(generation);
  const objects = kv.list<Uint8Array>({ prefix: snapshotPrefix(queryId, generation) });
  for await (const { key, value } of objects) {
    const parsed = parseSnapshotKey(key);
    const header = headerOf(value);
    if (typeof parsed?.name !== "string" || !header) continue;
    index.objects.set(objectId(parsed.namespace, parsed.name), {
      resourceVersion: header.meta.resourceVersion,
      size: value.byteLength + (header.blob?.size ?? 0),
      blob: header.blob,
    });
  }
  const tombstones = kv.list<Uint8Array>({ prefix: tombstonePrefix(queryId, generation) });
  for await (const { key, value } of tombstones) {
    const parsed = parseTombstoneKey(key);
    const header = headerOf(value);
    if (!parsed || !header) continue;
    const { meta, blob } = header;
    index.tombstones.push({ seq: parsed.seq, resourceVersion: meta.resourceVersion, blob });
  }
  return index;
}
