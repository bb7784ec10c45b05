/**
 * Schema-free reads of protobuf messages by field number. Go's generated marshallers write each
 * singular field once, so the first occurrence of a field is its value; for repeated fields the
 * first occurrence is the first element (e.g. `PodStatus.podIPs[0]`).
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";

/** The payload of the first length-delimited field `fieldNo` of `message`, or undefined. */
export function findBytes(message: Uint8Array, fieldNo: number): Uint8Array | undefined {
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.LengthDelimited) return reader.bytes();
    reader.skip(wireType, no);
  }
  return undefined;
}

/** Follows `path` through nested length-delimited fields; `[]` yields `message` itself. */
export function findBytesAt(
  message: Uint8Array,
  path: readonly number[],
): Uint8Array | undefined {
  let current: Uint8Array | undefined = message;
  for (const fieldNo of path) {
    if (current === undefined) return undefined;
    current = findBytes(current, fieldNo);
  }
  return current;
}

/** The first varint field `fieldNo` of `message` as a signed 64-bit integer, or undefined. */
export function findVarint(message: Uint8Array, fieldNo: number): bigint | undefined {
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [no, wireType] = reader.tag();
    if (no === fieldNo && wireType === WireType.Varint) return BigInt(reader.int64());
    reader.skip(wireType, no);
  }
  return undefined;
}

/**
 * Reads a map entry message { key = 1, value = 2 } of two strings into `into` (as an own property,
 * even for a key such as `__proto__`).
 */
export function readStringMapEntry(entry: Uint8Array, into: Record<string, string>): void {
  let key = "";
  let value = "";
  const reader = new BinaryReader(entry);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.LengthDelimited && fieldNo === 1) key = reader.string();
    else if (wireType === WireType.LengthDelimited && fieldNo === 2) value = reader.string();
    else reader.skip(wireType, fieldNo);
  }
  if (key === "__proto__") {
    Object.defineProperty(into, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else {
    into[key] = value;
  }
}
