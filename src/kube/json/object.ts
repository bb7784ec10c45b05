/**
 * One JSON-encoded Kubernetes object: reading its metadata and selectable fields (one sparse read
 * that decodes only them, see `sparse_reader.ts`), and
 * the byte-level edits the encoders need (adding or recognising `kind`/`apiVersion`) done by
 * splicing, never by re-serialising the object. Pure: no I/O.
 * @module
 */
import {
  type SelectableFieldRead,
  selectableFieldReads,
  selectableFieldsOf,
} from "../selectable_fields.ts";
import type { ObjectMeta, RawObject } from "../types.ts";
import { readSparse, type SparsePlan, sparsePlan } from "./sparse_reader.ts";
import { isJsonWhitespace, JsonValueScanner } from "./value_framer.ts";

/** A JSON object's `kind` and `apiVersion`. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** `bytes` without leading and trailing JSON whitespace (a view, not a copy). */
export function trimJson(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && isJsonWhitespace(bytes[start])) start++;
  while (end > start && isJsonWhitespace(bytes[end - 1])) end--;
  return start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
}

/** Parses bytes holding one JSON object; throws a SyntaxError or TypeError otherwise. */
export function parseJsonObject(bytes: Uint8Array): Record<string, unknown> {
  const value: unknown = JSON.parse(decoder.decode(bytes));
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TypeError(`expected a JSON object, got ${Array.isArray(value) ? "array" : value}`);
  }
  return value as Record<string, unknown>;
}

function stringOf(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Reads `ObjectMeta` from a decoded object (missing fields are ""). */
function objectMetaOf(object: Record<string, unknown>): ObjectMeta {
  const metadata = object.metadata;
  if (metadata === null || typeof metadata !== "object") {
    return { name: "", namespace: "", resourceVersion: "", uid: "", labels: {} };
  }
  const m = metadata as Record<string, unknown>;
  const labels: Record<string, string> = {};
  if (m.labels !== null && typeof m.labels === "object") {
    for (const [key, value] of Object.entries(m.labels as Record<string, unknown>)) {
      if (typeof value === "string") labels[key] = value;
    }
  }
  return {
    name: stringOf(m.name),
    namespace: stringOf(m.namespace),
    resourceVersion: stringOf(m.resourceVersion),
    uid: stringOf(m.uid),
    labels,
  };
}

/** The paths {@link rawObjectOf} reads besides the selectable fields and labels. */
const OBJECT_PATHS = [
  "kind",
  "apiVersion",
  ...["name", "namespace", "resourceVersion", "uid"].map(
    (key) => `metadata.${key}`,
  ),
].map((path) => path.split("."));

/** Sparse plans by the field table they read (one per resource with its own fields). */
const plans = new WeakMap<readonly SelectableFieldRead[], SparsePlan>();

function planOf(resource: string): SparsePlan {
  const reads = selectableFieldReads(resource);
  let plan = plans.get(reads);
  if (plan === undefined) {
    const leaves = [...OBJECT_PATHS, ...reads.flatMap((read) => read.paths)];
    plan = sparsePlan({ leaves, collect: [["metadata", "labels"]] });
    plans.set(reads, plan);
  }
  return plan;
}

/**
 * The RawObject of `object` — the decoded object in `bytes`, whole or as a sparse read of the
 * paths it needs — of `resource`. Its `typeMeta` is the object's own kind/apiVersion, each
 * falling back to `typeMeta` and then "".
 */
export function rawObjectOf(
  object: Record<string, unknown>,
  bytes: Uint8Array,
  resource: string,
  typeMeta?: TypeMeta,
): RawObject {
  return {
    meta: objectMetaOf(object),
    fields: selectableFieldsOf(object, resource),
    typeMeta: {
      apiVersion: stringOf(object.apiVersion) || (typeMeta?.apiVersion ?? ""),
      kind: stringOf(object.kind) || (typeMeta?.kind ?? ""),
    },
    bytes,
  };
}

/**
 * Decodes one JSON object of `resource` into a RawObject whose `bytes` are the input without
 * surrounding whitespace (a view, not a copy): the bytes are all validated, but only the metadata
 * and selectable fields are decoded. Its `typeMeta` is the object's own kind/apiVersion, each
 * falling back to `typeMeta` (list items carry none) and then "". Throws a SyntaxError or
 * TypeError on bytes that are not one JSON object.
 */
export function rawObjectFromJson(
  bytes: Uint8Array,
  resource: string,
  typeMeta?: TypeMeta,
): RawObject {
  const trimmed = trimJson(bytes);
  return rawObjectOf(readSparse(trimmed, planOf(resource)), trimmed, resource, typeMeta);
}

/** One member of a JSON object: its decoded key and where its value lies in the bytes. */
export interface JsonMember {
  key: string;
  start: number;
  end: number;
}

/**
 * The top-level members of the JSON object in `bytes`, in order, with the byte range of each
 * value. Only structure is checked; values are not parsed. Throws a SyntaxError on bytes that are
 * not one object.
 */
export function jsonObjectMembers(bytes: Uint8Array): JsonMember[] {
  const members: JsonMember[] = [];
  const scanner = new JsonValueScanner(bytes.length);
  const fail = (what: string, at: number) =>
    new SyntaxError(`malformed JSON object at byte ${at}: expected ${what}`);
  const skip = (i: number) => {
    while (i < bytes.length && isJsonWhitespace(bytes[i])) i++;
    return i;
  };
  const value = (i: number, what: string) => {
    if (i >= bytes.length) throw fail(what, i);
    const found = scanner.scan(bytes, i, 0);
    if (found === undefined) throw fail(what, bytes.length);
    return found;
  };
  let i = skip(0);
  if (bytes[i] !== 0x7b) throw fail("'{'", i);
  i = skip(i + 1);
  if (bytes[i] === 0x7d) i++;
  else {
    for (;;) {
      if (bytes[i] !== 0x22) throw fail("a key", i);
      const key = JSON.parse(decoder.decode(value(i, "a key")));
      i = skip(scanner.position);
      if (bytes[i] !== 0x3a) throw fail("':'", i);
      const start = skip(i + 1);
      value(start, "a value");
      members.push({ key, start, end: scanner.position });
      i = skip(scanner.position);
      if (bytes[i] === 0x7d) break;
      if (bytes[i] !== 0x2c) throw fail("',' or '}'", i);
      i = skip(i + 1);
    }
    i++;
  }
  if (skip(i) !== bytes.length) throw fail("the end", skip(i));
  return members;
}

/** `"kind":<kind>,"apiVersion":<apiVersion>` as Go's encoder writes it. */
function typeMetaMembers(typeMeta: TypeMeta): string {
  return `"kind":${JSON.stringify(typeMeta.kind)},"apiVersion":${
    JSON.stringify(typeMeta.apiVersion)
  }`;
}

/**
 * Length of the `"kind":…,"apiVersion":…,` members that open `bytes` (a compact object, as
 * typed objects are written by kube-apiserver) right after its `{`, when they equal `typeMeta`;
 * 0 otherwise. Lets a list encoder drop them from items by slicing.
 */
export function leadingTypeMetaLength(bytes: Uint8Array, typeMeta: TypeMeta): number {
  return leadingTypeMetaOf(typeMeta)(bytes);
}

/**
 * {@link leadingTypeMetaLength} for one `typeMeta`, its members encoded once: for a list's many
 * items.
 */
export function leadingTypeMetaOf(typeMeta: TypeMeta): (bytes: Uint8Array) => number {
  const prefix = encoder.encode(typeMetaMembers(typeMeta) + ",");
  return (bytes) => {
    if (bytes.length < prefix.length + 2 || bytes[0] !== 0x7b) return 0;
    for (let i = 0; i < prefix.length; i++) {
      if (bytes[i + 1] !== prefix[i]) return 0;
    }
    return prefix.length;
  };
}

/**
 * The object in `bytes` with `kind`/`apiVersion` from `typeMeta` spliced in after its `{` for
 * whichever of the two it lacks, as pieces to concatenate (just `[bytes]` when it has both). The
 * object is never re-serialised.
 */
export function withTypeMeta(bytes: Uint8Array, typeMeta: TypeMeta): Uint8Array[] {
  const object = trimJson(bytes);
  if (leadingTypeMetaLength(object, typeMeta) > 0) return [object];
  const members = jsonObjectMembers(object);
  const hasKind = members.some((m) => m.key === "kind");
  const hasApiVersion = members.some((m) => m.key === "apiVersion");
  if (hasKind && hasApiVersion) return [object];
  const insert = hasKind
    ? `"apiVersion":${JSON.stringify(typeMeta.apiVersion)}`
    : hasApiVersion
    ? `"kind":${JSON.stringify(typeMeta.kind)}`
    : typeMetaMembers(typeMeta);
  const separator = members.length > 0 ? "," : "";
  return [encoder.encode(`{${insert}${separator}`), object.subarray(1)];
}
