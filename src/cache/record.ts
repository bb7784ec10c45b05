/**
 * The stored form of one object: a `Uint8Array` value (stored raw by Deno KV, so its size is
 * exactly what counts against the 65,536 B value limit) holding a small JSON header — metadata,
 * selectable fields, type, media type, time — followed by the object's bytes as the server sent
 * them. An object too large for one value is split: the record keeps only the header, which
 * names a blob, and the bytes go to the blob's parts.
 *
 * Layout: `0x01`, header length (u32, big-endian), header JSON, object bytes (inline records).
 *
 * A sealed record (a resource the config seals, see `seal.ts`) starts with `0x02` instead, and
 * what follows its header is the object's bytes sealed (nothing, sealed, for a split record),
 * with the record's key and header as authenticated data; its blob's parts are sealed one by one.
 * The header stays readable (metadata, selectable fields), so indexes and GC never need the key.
 * @module
 */
import type { ObjectMeta, RawObject } from "../kube/types.ts";
import { concat } from "../streams/concat.ts";
import type { Mutation } from "./batcher.ts";
import { SEAL_OVERHEAD, type Sealer } from "./seal.ts";

/** One cached object: what the server sent, in which media type, and when it was stored. */
export interface StoredObject extends RawObject {
  /** Media type of `bytes` (without parameters), e.g. `application/json`. */
  mediaType: string;
  /** Milliseconds since the epoch. */
  storedAt: number;
}

/** Where the bytes of a split record live. */
export interface BlobRef {
  id: string;
  parts: number;
  size: number;
}

/** The header of a stored record. */
export interface RecordHeader {
  meta: ObjectMeta;
  fields: Record<string, string>;
  typeMeta: { apiVersion: string; kind: string };
  mediaType: string;
  storedAt: number;
  blob?: BlobRef;
  /** The object's bytes are sealed (not part of the stored header JSON: the format byte says). */
  sealed?: boolean;
}

/** An encoded record: its value, its header, and for a split record the blob's parts. */
export interface EncodedRecord {
  value: Uint8Array;
  header: RecordHeader;
  /** The parts of the blob (views of the object's bytes); empty for an inline record. */
  parts: Uint8Array[];
  /** Sealed when committed (the record's value and its blob's parts). */
  sealed: boolean;
}

/** Deno KV's largest value, in bytes (a `Uint8Array` is stored raw). */
export const MAX_VALUE_BYTES = 65_536;

const FORMAT = 1;
const SEALED_FORMAT = 2;
const PREFIX_BYTES = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh random blob id. */
function newBlobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function frame(
  headerBytes: Uint8Array,
  payload: Uint8Array | undefined,
  sealed: boolean,
): Uint8Array {
  const value = new Uint8Array(PREFIX_BYTES + headerBytes.byteLength + (payload?.byteLength ?? 0));
  value[0] = sealed ? SEALED_FORMAT : FORMAT;
  new DataView(value.buffer).setUint32(1, headerBytes.byteLength);
  value.set(headerBytes, PREFIX_BYTES);
  if (payload) value.set(payload, PREFIX_BYTES + headerBytes.byteLength);
  return value;
}

/**
 * Encodes `object` as a record, split into blob parts when it does not fit one value. A record
 * to be `sealed` leaves room in each value for the seal the batcher adds at commit.
 */
export function encodeRecord(
  object: RawObject,
  mediaType: string,
  storedAt: number,
  sealed = false,
): EncodedRecord {
  const room = MAX_VALUE_BYTES - (sealed ? SEAL_OVERHEAD : 0);
  const header: RecordHeader = {
    meta: object.meta,
    fields: object.fields,
    typeMeta: object.typeMeta,
    mediaType,
    storedAt,
  };
  const headerBytes = encoder.encode(JSON.stringify(header));
  const encoded = (value: Uint8Array, parts: Uint8Array[]): EncodedRecord =>
    sealed
      ? { value, header: { ...header, sealed }, parts, sealed }
      : { value, header, parts, sealed };
  if (PREFIX_BYTES + headerBytes.byteLength + object.bytes.byteLength <= room) {
    return encoded(frame(headerBytes, object.bytes, sealed), []);
  }
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < object.bytes.byteLength; offset += room) {
    parts.push(object.bytes.subarray(offset, offset + room));
  }
  header.blob = { id: newBlobId(), parts: parts.length, size: object.bytes.byteLength };
  const pointer = frame(encoder.encode(JSON.stringify(header)), undefined, sealed);
  if (pointer.byteLength > room) {
    throw new RangeError(`object metadata of ${object.meta.name} too large to store`);
  }
  return encoded(pointer, parts);
}

/** Bytes a record takes in KV: its value (sealed, if it is) and its blob's object bytes. */
export function storedSize(record: EncodedRecord): number {
  return record.value.byteLength + (record.sealed ? SEAL_OVERHEAD : 0) +
    (record.header.blob?.size ?? 0);
}

/** The mutation writing `record` at `key` (marked for sealing when the record is sealed). */
export function recordMutation(key: Deno.KvKey, record: EncodedRecord): Mutation {
  return record.sealed
    ? { key, value: record.value, seal: "record" }
    : { key, value: record.value };
}

/** Where the object bytes of a record value start (after its format byte and header). */
function payloadOffset(value: Uint8Array): number {
  return PREFIX_BYTES + new DataView(value.buffer, value.byteOffset).getUint32(1);
}

/**
 * Seals a sealed record's value for `key`: its object bytes are sealed with the key and the
 * header (format byte included) as authenticated data.
 */
export async function sealRecordValue(
  sealer: Sealer,
  key: Deno.KvKey,
  value: Uint8Array,
): Promise<Uint8Array> {
  const offset = payloadOffset(value);
  const head = value.subarray(0, offset);
  const sealed = await sealer.seal(key, value.subarray(offset), head);
  return concat([head, sealed]);
}

/** Opens a sealed record's object bytes (empty for a split record). Throws `SealBroken`. */
export function openRecordValue(
  sealer: Sealer,
  key: Deno.KvKey,
  value: Uint8Array,
): Promise<Uint8Array> {
  const offset = payloadOffset(value);
  return sealer.open(key, value.subarray(offset), value.subarray(0, offset));
}

/** Reads the header of a stored record. Throws on a value that is not a record. */
export function readHeader(value: Uint8Array): RecordHeader {
  if (value.byteLength < PREFIX_BYTES || (value[0] !== FORMAT && value[0] !== SEALED_FORMAT)) {
    throw new TypeError("not a cache record");
  }
  const length = new DataView(value.buffer, value.byteOffset).getUint32(1);
  if (PREFIX_BYTES + length > value.byteLength) throw new TypeError("truncated cache record");
  const header = JSON.parse(decoder.decode(value.subarray(PREFIX_BYTES, PREFIX_BYTES + length)));
  if (!isHeader(header)) throw new TypeError("cache record without a valid header");
  if (value[0] === SEALED_FORMAT) header.sealed = true;
  else delete header.sealed;
  return header;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** Whether a parsed header has the parts readers rely on. */
function isHeader(header: unknown): header is RecordHeader {
  if (!isObject(header) || !isObject(header.meta) || !isObject(header.typeMeta)) return false;
  const { meta, blob } = header;
  return typeof meta.name === "string" && typeof meta.namespace === "string" &&
    typeof meta.resourceVersion === "string" && isObject(meta.labels) &&
    typeof header.mediaType === "string" &&
    isObject(header.fields) && (blob === undefined || isObject(blob));
}

/**
 * The object of a record, given its bytes (inline: read from `value`; split or sealed: the
 * blob's or the opened ones).
 */
export function recordObject(
  value: Uint8Array,
  header: RecordHeader,
  blob?: Uint8Array,
): StoredObject {
  return {
    meta: header.meta,
    fields: header.fields,
    typeMeta: header.typeMeta,
    mediaType: header.mediaType,
    storedAt: header.storedAt,
    bytes: blob ?? value.subarray(payloadOffset(value)),
  };
}
