/**
 * Records too large for one Deno KV value. Their bytes are written as parts under a fresh blob id
 * *before* the record that points at them (one atomic can hold only ~12 parts), with a "pending"
 * marker so that parts whose record never got written are collected at start-up. The record's
 * write removes the marker; whoever overwrites or deletes the record deletes the old parts in
 * the same atomic.
 * @module
 */
import type { Mutation, WriteGroup } from "./batcher.ts";
import { blobPartKey, blobPrefix, parseBlobPartKey, pendingBlobKey } from "./keys.ts";
import type { BlobRef, EncodedRecord } from "./record.ts";

/** Most parts one record may have (its deletion must fit one atomic with the record's). */
export const MAX_BLOB_PARTS = 512;

/** The groups writing a split record's parts (one part each), to add before the record. */
export function blobWriteGroups(record: EncodedRecord, guard?: () => boolean): WriteGroup[] {
  const ref = record.header.blob;
  if (!ref) return [];
  if (ref.parts > MAX_BLOB_PARTS) {
    throw new RangeError(`object of ${ref.size} bytes is too large for the cache`);
  }
  const seal = record.sealed ? { seal: "part" as const } : {};
  return record.parts.map((part, index) => ({
    mutations: index === 0
      ? [{ key: pendingBlobKey(ref.id), value: new Uint8Array(0) }, {
        key: blobPartKey(ref.id, 0),
        value: part,
        ...seal,
      }]
      : [{ key: blobPartKey(ref.id, index), value: part, ...seal }],
    guard,
  }));
}

/** The mutations that, with a record's write, mark its blob (if any) as referenced. */
export function adoptBlob(record: EncodedRecord): Mutation[] {
  const ref = record.header.blob;
  return ref ? [{ key: pendingBlobKey(ref.id), value: null }] : [];
}

/** The mutations deleting a blob's parts. */
export function deleteBlob(ref: BlobRef | undefined): Mutation[] {
  if (!ref) return [];
  return Array.from({ length: ref.parts }, (_, part) => ({
    key: blobPartKey(ref.id, part),
    value: null,
  }));
}

/** A blob whose parts are missing or of the wrong size. */
export class BlobDamaged extends Error {
  /** Names the blob. */
  constructor(ref: BlobRef, found: string) {
    super(
      `cache blob ${ref.id} damaged: expected ${ref.parts} parts of ${ref.size} bytes, ${found}`,
    );
    this.name = "BlobDamaged";
  }
}

/** Opens one sealed part of a blob (see `seal.ts`). */
export type OpenPart = (key: Deno.KvKey, part: Uint8Array) => Promise<Uint8Array>;

/**
 * Reads and joins a blob's parts, opening each with `open` when the blob is sealed. Throws
 * {@link BlobDamaged} when they do not add up (and `SealBroken` when a part does not open).
 */
export async function readBlob(kv: Deno.Kv, ref: BlobRef, open?: OpenPart): Promise<Uint8Array> {
  const bytes = new Uint8Array(ref.size);
  let offset = 0;
  let parts = 0;
  for await (const entry of kv.list<Uint8Array>({ prefix: blobPrefix(ref.id) })) {
    if (!(entry.value instanceof Uint8Array)) throw new BlobDamaged(ref, "a part is not bytes");
    const part = open ? await open(entry.key, entry.value) : entry.value;
    const index = parseBlobPartKey(entry.key)?.part;
    if (index !== parts || offset + part.byteLength > ref.size) {
      throw new BlobDamaged(ref, `part ${String(index)} out of place`);
    }
    bytes.set(part, offset);
    offset += part.byteLength;
    parts++;
  }
  if (parts !== ref.parts || offset !== ref.size) {
    throw new BlobDamaged(ref, `found ${parts} parts of ${offset} bytes`);
  }
  return bytes;
}
