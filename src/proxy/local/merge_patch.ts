/**
 * JSON merge patch (RFC 7386) and the part of strategic merge patch that status updates use:
 * lists of the status types merged element by element on their merge key (`conditions` by
 * `type`, `containerStatuses` by `name`…), `$setElementOrder/<list>` ordering, `$patch: delete`
 * / `replace`, and `$deleteFromPrimitiveList/<list>`. Lists without a known merge key are
 * replaced, as strategic merge does for lists without a patch strategy. Pure.
 * @module
 */

type Json = Record<string, unknown>;

/** Merge keys of the lists in Node and Pod status (`patchMergeKey` in the API types). */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  conditions: "type",
  addresses: "type",
  volumesAttached: "name",
  containerStatuses: "name",
  initContainerStatuses: "name",
  ephemeralContainerStatuses: "name",
  podIPs: "ip",
  hostIPs: "ip",
  resourceClaimStatuses: "name",
};

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** `target` with the JSON merge patch `patch` applied (inputs are not modified). */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** `target` with the strategic merge patch `patch` applied (inputs are not modified). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  if (patch.$patch === "replace") return withoutDirectives(patch);
  const result: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$deleteFromPrimitiveList/")) {
      const list = key.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(result[list]) && Array.isArray(value)) {
        result[list] = (result[list] as unknown[]).filter((item) => !value.includes(item));
      }
      continue;
    }
    if (key.startsWith("$")) continue;
    if (value === null || (isObject(value) && value.$patch === "delete")) {
      delete result[key];
      continue;
    }
    const mergeKey = MERGE_KEYS[key];
    if (mergeKey && Array.isArray(value) && Array.isArray(result[key])) {
      const order = patch[`$setElementOrder/${key}`];
      result[key] = mergeList(result[key] as unknown[], value, mergeKey, order);
    } else if (Array.isArray(value)) {
      result[key] = value.map((item) => isObject(item) ? withoutDirectives(item) : item);
    } else {
      result[key] = strategicMergePatch(result[key], value);
    }
  }
  return result;
}

function mergeList(current: unknown[], patch: unknown[], key: string, order: unknown): unknown[] {
  const result = [...current];
  const indexOf = (item: unknown) =>
    isObject(item) ? result.findIndex((e) => isObject(e) && e[key] === item[key]) : -1;
  for (const item of patch) {
    const at = indexOf(item);
    if (isObject(item) && item.$patch === "delete") {
      if (at >= 0) result.splice(at, 1);
    } else if (at >= 0) {
      result[at] = strategicMergePatch(result[at], item);
    } else {
      result.push(isObject(item) ? withoutDirectives(item) : item);
    }
  }
  if (!Array.isArray(order)) return result;
  const rank = (item: unknown) => {
    const i = order.findIndex((o) => isObject(o) && isObject(item) && o[key] === item[key]);
    return i < 0 ? order.length : i;
  };
  return result.map((item, i) => ({ item, i, r: rank(item) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ item }) => item);
}

function withoutDirectives(object: Json): Json {
  const result: Json = {};
  for (const [key, value] of Object.entries(object)) {
    if (!key.startsWith("$")) result[key] = isObject(value) ? withoutDirectives(value) : value;
  }
  return result;
}
