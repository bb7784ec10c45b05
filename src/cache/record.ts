/**
 * The stored form of one object: a `Uint8Array` value (stored raw by Deno KV, so its size is
 * exactly what counts against the 65,536 B value limit) holding a small JSON header — metadata,
 * selectable fields, type, media type, time — followed by the object's bytes as the server sent
 * them. An object too large for one value is split: the record keeps only the header, which
 * names a blob, and the bytes go to the blob's parts.
 *
 * Layout: `0x01`, header length (u32, big-endian), header JSON, object bytes (inline records).
 * @module
 */
import type { ObjectMeta, RawObject } from "../kube/types.ts";

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
}

/** An encoded record: its value, its header, and for a split record the blob's parts. */
export interface EncodedRecord {
  value: Uint8Array;
  header: RecordHeader;
  /** The parts of the blob (views of the object's bytes); empty for an inline record. */
  parts: Uint8Array[];
}

/** Deno KV's largest value, in bytes (a `Uint8Array` is stored raw). */
export const MAX_VALUE_BYTES = 65_536;

const FORMAT = 1;
const PREFIX_BYTES = 5;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A fresh random blob id. */
function newBlobId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function frame(headerBytes: Uint8Array, payload: Uint8Array | undefined): Uint8Array {
  const value = new Uint8Array(PREFIX_BYTES + headerBytes.byteLength + (payload?.byteLength ?? 0));
  value[0] = FORMAT;
  new DataView(value.buffer).setUint32(1, headerBytes.byteLength);
  value.set(headerBytes, PREFIX_BYTES);
  if (payload) value.set(payload, PREFIX_BYTES + headerBytes.byteLength);
  return value;
}

/** Encodes `object` as a record, split into blob parts when it does not fit one value. */
export function encodeRecord(
  object: RawObject,
  mediaType: string,
  storedAt: number,
): EncodedRecord {
  const header: RecordHeader = {
    meta: object.meta,
    fields: object.fields,
    typeMeta: object.typeMeta,
    mediaType,
    storedAt,
  };
  const headerBytes = encoder.encode(JSON.stringify(header));
  if (PREFIX_BYTES + headerBytes.byteLength + object.bytes.byteLength <= MAX_VALUE_BYTES) {
    return { value: frame(headerBytes, object.bytes), header, parts: [] };
  }
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < object.bytes.byteLength; offset += MAX_VALUE_BYTES) {
    parts.push(object.bytes.subarray(offset, offset + MAX_VALUE_BYTES));
  }
  header.blob = { id: newBlobId(), parts: parts.length, size: object.bytes.byteLength };
  const pointer = frame(encoder.encode(JSON.stringify(header)), undefined);
  if (pointer.byteLength > MAX_VALUE_BYTES) {
    throw new RangeError(`object metadata of ${object.meta.name} too large to store`);
  }
  return { value: pointer, header, parts };
}

/** Reads the header of a stored record. Throws on a value that is not a record. */
export function readHeader(value: Uint8Array): RecordHeader {
  if (value.byteLength < PREFIX_BYTES || value[0] !== FORMAT) {
    throw new TypeError("not a cache record");
  }
  const length = new DataView(value.buffer, value.byteOffset).getUint32(1);
  if (PREFIX_BYTES + length > value.byteLength) throw new TypeError("truncated cache record");
  const header = JSON.parse(decoder.decode(value.subarray(PREFIX_BYTES, PREFIX_BYTES + length)));
  if (!isHeader(header)) throw new TypeError("cache record without a valid header");
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

/** The object of a record, given its bytes (inline: read from `value`; split: the blob's). */
export function recordObject(
  value: Uint8Array,
  header: RecordHeader,
  blob?: Uint8Array,
): StoredObject {
  const length = new DataView(value.buffer, value.byteOffset).getUint32(1);
  return {
    meta: header.meta,
    fields: header.fields,
    typeMeta: header.typeMeta,
    mediaType: header.mediaType,
    storedAt: header.storedAt,
    bytes: blob ?? value.subarray(PREFIX_BYTES + length),
  };
}
