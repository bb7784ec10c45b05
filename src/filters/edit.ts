/**
 * Runs the filters that apply to a response over one object, in either encoding: each filter's
 * byte test first, then (only if one passes) the object is parsed once and handed to the filters
 * in turn. An object a filter cannot read (malformed) is passed on unchanged, as YurtHub does.
 * @module
 */
import type { Edit, JsonObject, ObjectFilter } from "./filter.ts";
import { containsAny, type Needles, needlesOf } from "./needles.ts";

/** A filter with its byte test encoded. */
export interface PreparedFilter {
  filter: ObjectFilter;
  needles: Needles;
}

/** Encodes a filter's byte test. */
export function prepareFilter(filter: ObjectFilter): PreparedFilter {
  return { filter, needles: needlesOf(filter.needles) };
}

/**
 * Runs each filter whose byte test `bytes` passes over the object `first()` gives (called once,
 * only then), passing each filter's result to the next. Undefined when none changed it.
 */
async function runFilters<T>(
  filters: readonly PreparedFilter[],
  bytes: Uint8Array,
  first: () => T,
  apply: (filter: ObjectFilter, object: T) => Promise<Edit<T>>,
): Promise<Edit<T>> {
  let object: T | undefined;
  let changed = false;
  try {
    for (const { filter, needles } of filters) {
      if (!containsAny(bytes, needles)) continue;
      object ??= first();
      const result = await apply(filter, object);
      if (result === null) return null;
      if (result !== undefined) {
        object = result;
        changed = true;
      }
    }
  } catch {
    return undefined;
  }
  return changed ? object : undefined;
}

/**
 * Edits the JSON object whose text is `bytes` (parsed by `parse` only when some filter's byte test
 * passes). Returns undefined when no filter changed it.
 */
export function editJsonObject(
  filters: readonly PreparedFilter[],
  bytes: Uint8Array,
  parse: () => JsonObject,
): Promise<Edit<JsonObject>> {
  return runFilters(filters, bytes, parse, (filter, object) => filter.json(object));
}

/** Edits an object's own protobuf message. Returns undefined when no filter changed it. */
export function editProtobufObject(
  filters: readonly PreparedFilter[],
  message: Uint8Array,
): Promise<Edit<Uint8Array>> {
  return runFilters(filters, message, () => message, (filter, object) => filter.protobuf(object));
}
