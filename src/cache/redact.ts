/**
 * What the admin listener and `holdfast cache get` show of a sealed object's body: the keys of its
 * `data` and `stringData`, each value replaced by {@link REDACTED_VALUE} — the rest of a JSON
 * object as stored, of a protobuf one those keys only.
 * @module
 */
import { codecFor } from "../kube/codecs.ts";
import { secretDataKeys } from "../kube/protobuf/secret.ts";
import type { StoredObject } from "./record.ts";

/** What a hidden value shows. */
export const REDACTED_VALUE = "(redacted)";

const MAPS = ["data", "stringData"] as const;

function redactedMap(keys: Iterable<string>): Record<string, string> {
  const map: Record<string, string> = {};
  for (const key of keys) {
    Object.defineProperty(map, key, { value: REDACTED_VALUE, enumerable: true });
  }
  return map;
}

function redactedJson(parsed: unknown): unknown {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const object: Record<string, unknown> = { ...parsed };
  for (const field of MAPS) {
    const map = object[field];
    if (map === undefined) continue;
    object[field] = typeof map === "object" && map !== null
      ? redactedMap(Object.keys(map))
      : REDACTED_VALUE;
  }
  return object;
}

/**
 * The object with its `data` and `stringData` values hidden (keys kept), or undefined when its
 * body cannot be read: then nothing of it is shown.
 */
export function redactedObject(object: StoredObject): unknown {
  try {
    const values = codecFor(object.mediaType)?.values;
    if (values) return redactedJson(values.decode(object.bytes));
    const keys = secretDataKeys(object.bytes);
    const shown: Record<string, unknown> = {};
    for (const field of MAPS) if (keys[field].length > 0) shown[field] = redactedMap(keys[field]);
    return shown;
  } catch {
    return undefined;
  }
}
