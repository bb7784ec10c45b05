/**
 * The shape every response filter module has: a name, the resources and verbs it applies to, the
 * strings an object must contain for it to be touched (a byte test run before anything is
 * parsed), and one edit per encoding. An edit returns `undefined` to keep the object as it was,
 * `null` to drop it, or the replacement.
 * @module
 */
import type { FilterName } from "../config/filter_names.ts";

/** Watch event types whose object is filtered (`BOOKMARK` and `ERROR` pass untouched). */
export const FILTERED_EVENT_TYPES: ReadonlySet<string> = new Set(["ADDED", "MODIFIED", "DELETED"]);

/** A JSON object as `JSON.parse` gives it. */
export type JsonObject = Record<string, unknown>;

/** What an edit does with an object: keep it (`undefined`), drop it (`null`), or replace it. */
export type Edit<T> = T | null | undefined;

/** One response filter. */
export interface ObjectFilter {
  readonly name: FilterName;
  /** Resource → verbs this filter applies to (by default; components come from the config). */
  readonly verbs: Readonly<Record<string, readonly string[]>>;
  /**
   * An object none of these strings occurs in (as UTF-8 bytes, in either encoding) is left alone
   * without being parsed; empty means every object is looked at.
   */
  readonly needles: readonly string[];
  /** Edits a parsed JSON object (it may be changed in place and returned). */
  json(object: JsonObject): Promise<Edit<JsonObject>>;
  /** Edits an object's own protobuf message (without the `k8s\0` envelope). */
  protobuf(message: Uint8Array): Promise<Edit<Uint8Array>>;
}

/** The JSON object at `key` of `object`, or an empty one when absent or not an object. */
export function objectAt(object: JsonObject, key: string): JsonObject {
  const value = object[key];
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as JsonObject
    : {};
}

/** The string at `key` of `object`, or "" when absent or not a string. */
export function stringAt(object: JsonObject, key: string): string {
  const value = object[key];
  return typeof value === "string" ? value : "";
}

/** Whether a JSON object's metadata names `namespace/name`. */
export function isNamed(object: JsonObject, namespace: string, name: string): boolean {
  const meta = objectAt(object, "metadata");
  return stringAt(meta, "namespace") === namespace && stringAt(meta, "name") === name;
}
