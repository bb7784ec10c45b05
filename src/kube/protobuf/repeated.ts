/**
 * Schema-free edits of repeated and scalar fields: map each occurrence of a repeated message field
 * (keep, replace or drop it), read a string field, write a varint field. Every byte a callback
 * leaves alone is kept as it was. Pure.
 * @module
 */
import { BinaryReader, BinaryWriter, WireType } from "./binary.ts";
import { findBytes } from "./message.ts";
import { concat } from "../../streams/concat.ts";
import { messageField } from "./wire.ts";

const decoder = new TextDecoder();

/**
 * What to do with one element: `undefined` keeps its bytes, `null` drops it, bytes replace its
 * payload.
 */
export type ElementEdit = Uint8Array | null | undefined;

/**
 * Passes the payload of every length-delimited field `fieldNo` of `message` to `edit`, in order.
 * Returns undefined when every element was kept, else the rewritten message.
 */
export function mapRepeated(
  message: Uint8Array,
  fieldNo: number,
  edit: (payload: Uint8Array) => ElementEdit,
): Uint8Array | undefined {
  const pieces: Uint8Array[] = [];
  let copiedUpTo = 0;
  let changed = false;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [no, wireType] = reader.tag();
    if (no !== fieldNo || wireType !== WireType.LengthDelimited) {
      reader.skip(wireType, no);
      continue;
    }
    const result = edit(reader.bytes());
    if (result === undefined) continue;
    pieces.push(message.subarray(copiedUpTo, start));
    if (result !== null) pieces.push(messageField(fieldNo, result));
    copiedUpTo = reader.pos;
    changed = true;
  }
  if (!changed) return undefined;
  pieces.push(message.subarray(copiedUpTo));
  return concat(pieces);
}

/** The first string field `fieldNo` of `message`, or undefined when absent. */
export function readStringField(message: Uint8Array, fieldNo: number): string | undefined {
  const bytes = findBytes(message, fieldNo);
  return bytes === undefined ? undefined : decoder.decode(bytes);
}

/** Every string field `fieldNo` of `message` (a `repeated string`), in order. */
export function readStringFields(message: Uint8Array, fieldNo: number): string[] {
  const values: string[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.LengthDelimited) {
      values.push(decoder.decode(reader.bytes()));
    } else reader.skip(wireType, no);
  }
  return values;
}

/** One complete varint field `fieldNo` holding the int32 `value`. */
export function int32Field(fieldNo: number, value: number): Uint8Array {
  return new BinaryWriter().tag(fieldNo, WireType.Varint).int32(value).finish();
}
