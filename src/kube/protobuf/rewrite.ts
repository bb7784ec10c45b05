/**
 * Rewrites single fields of an encoded object and keeps every other byte as it was: unknown
 * fields, field order and encodings are untouched, only the changed field and the length prefixes
 * of the messages enclosing it change. A field that is absent is inserted before the first field
 * with a higher number (Go's marshallers write fields in ascending order). Used to derive many
 * objects from one fixture (simulator, benchmarks) and to stamp metadata on cached objects.
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";
import type { MetadataEdit } from "../codec.ts";
import { concat } from "../../streams/concat.ts";
import { messageField, stringField } from "./wire.ts";

/**
 * Replaces every occurrence of field `path[path.length - 1]` inside the message reached through
 * the leading path numbers (first occurrences) with `elements` — complete encoded fields, written
 * where the first old occurrence was.
 */
export function replaceField(
  message: Uint8Array,
  path: readonly number[],
  elements: readonly Uint8Array[],
): Uint8Array {
  if (path.length === 0) throw new RangeError("replaceField needs a non-empty path");
  const [fieldNo, ...rest] = path;
  const pieces: Uint8Array[] = [];
  let copiedUpTo = 0;
  let done = false;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [no, wireType] = reader.tag();
    if (!done && no > fieldNo) {
      pieces.push(message.subarray(copiedUpTo, start), ...replacement(undefined));
      copiedUpTo = start;
      done = true;
    }
    // Only messages on the way are length-delimited; the replaced field may be any scalar.
    if (no !== fieldNo || (rest.length > 0 && wireType !== WireType.LengthDelimited)) {
      reader.skip(wireType, no);
      continue;
    }
    const payload = rest.length > 0 ? reader.bytes() : reader.skip(wireType, no);
    if (rest.length > 0 && done) continue;
    pieces.push(message.subarray(copiedUpTo, start));
    if (!done) pieces.push(...replacement(payload));
    copiedUpTo = reader.pos;
    done = true;
  }
  pieces.push(message.subarray(copiedUpTo));
  if (!done) pieces.push(...replacement(undefined));
  return concat(pieces);

  function replacement(payload: Uint8Array | undefined): readonly Uint8Array[] {
    if (rest.length === 0) return elements;
    return [messageField(fieldNo, replaceField(payload ?? new Uint8Array(0), rest, elements))];
  }
}

/** Sets the string field at `path` (e.g. `[2, 10]` for a Pod's `spec.nodeName`). */
export function setString(message: Uint8Array, path: readonly number[], value: string): Uint8Array {
  return replaceField(message, path, [stringField(path[path.length - 1], value)]);
}

/** Sets `metadata.name` (ObjectMeta field 1). */
export function setName(object: Uint8Array, name: string): Uint8Array {
  return setString(object, [1, 1], name);
}

/** Sets `metadata.namespace` (ObjectMeta field 3). */
export function setNamespace(object: Uint8Array, namespace: string): Uint8Array {
  return setString(object, [1, 3], namespace);
}

/** Sets `metadata.resourceVersion` (ObjectMeta field 6). */
export function setResourceVersion(object: Uint8Array, resourceVersion: string): Uint8Array {
  return setString(object, [1, 6], resourceVersion);
}

/** ObjectMeta's field numbers of the fields {@link setMetadata} sets. */
const METADATA_FIELDS: Readonly<Record<keyof MetadataEdit, number>> = {
  name: 1,
  namespace: 3,
  uid: 5,
  resourceVersion: 6,
};

/** Sets the given string fields of `metadata` (ObjectMeta is field 1 of every object). */
export function setMetadata(object: Uint8Array, fields: MetadataEdit): Uint8Array {
  let bytes = object;
  for (const [name, value] of Object.entries(fields) as [keyof MetadataEdit, string][]) {
    if (value !== undefined) bytes = setString(bytes, [1, METADATA_FIELDS[name]], value);
  }
  return bytes;
}

/** Replaces `metadata.labels` (ObjectMeta field 11), entries sorted by key as Go writes maps. */
export function setLabels(object: Uint8Array, labels: Record<string, string>): Uint8Array {
  const entries = Object.keys(labels).sort().map((key) =>
    messageField(11, concat([stringField(1, key), stringField(2, labels[key])]))
  );
  return replaceField(object, [1, 11], entries);
}
