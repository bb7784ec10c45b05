/**
 * The JSON objects holdfast writes itself, re-serialised rather than spliced: bookmarks, objects
 * with stamped metadata (offline leases), and objects as plain values for offline status patches.
 * Pure: no I/O.
 * @module
 */
import type { MetadataEdit, ObjectValues, TypeMeta } from "../codec.ts";
import type { RawObject } from "../types.ts";
import { bookmarkAnnotations, bookmarkRawObject } from "../watch_list.ts";
import { parseJsonObject, rawObjectFromJson } from "./object.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON bookmark object: `typeMeta`, and metadata with only the resourceVersion (and marker). */
export function jsonBookmark(
  typeMeta: TypeMeta,
  resourceVersion: string,
  initialEventsEnd: boolean,
): RawObject {
  const metadata = initialEventsEnd
    ? { resourceVersion, annotations: bookmarkAnnotations(true) }
    : { resourceVersion };
  const bytes = encoder.encode(JSON.stringify({ ...typeMeta, metadata }));
  return bookmarkRawObject(typeMeta, resourceVersion, bytes);
}

/** The JSON object `bytes` with `fields` set in its metadata (existing members keep their place). */
export function setJsonMetadata(bytes: Uint8Array, fields: MetadataEdit): Uint8Array {
  const object = parseJsonObject(bytes);
  object.metadata = { ...(object.metadata as object | undefined), ...fields };
  return encoder.encode(JSON.stringify(object));
}

/**
 * The `metadata.generateName` of a JSON object that has one and no name yet; undefined for any
 * other object, and for bytes that are not JSON.
 */
export function pendingGenerateName(bytes: Uint8Array): string | undefined {
  let object: { metadata?: { name?: unknown; generateName?: unknown } };
  try {
    object = JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
  const meta = object?.metadata;
  if (typeof meta !== "object" || meta === null || meta.name) return undefined;
  if (typeof meta.generateName !== "string" || meta.generateName === "") return undefined;
  return meta.generateName;
}

/** JSON objects as plain values. */
export const jsonValues: ObjectValues = {
  decode: (bytes) => parseJsonObject(bytes),
  encode: (value, resource) => rawObjectFromJson(encoder.encode(JSON.stringify(value)), resource),
};
