/**
 * The three patch formats kube-apiserver accepts on PATCH: JSON patch (RFC 6902), JSON merge
 * patch (RFC 7386) and strategic merge patch, the latter simplified to a merge patch that merges
 * the well-known keyed lists (containers by name, conditions by type, …) and honours `$patch`
 * directives. Pure functions that return new values and never modify their inputs.
 * @module
 */

type Json = Record<string, unknown>;

/** A patch that cannot be applied; `code` 400 for a malformed document, 422 for a failed op. */
export class PatchError extends Error {
  readonly code: 400 | 422;
  constructor(code: 400 | 422, message: string) {
    super(message);
    this.code = code;
  }
}

/** The patch media types, as sent in Content-Type. */
export type PatchType =
  | "application/json-patch+json"
  | "application/merge-patch+json"
  | "application/strategic-merge-patch+json";

/** Whether `contentType` names a patch format this module applies. */
export function isPatchType(contentType: string): contentType is PatchType {
  return contentType === "application/json-patch+json" ||
    contentType === "application/merge-patch+json" ||
    contentType === "application/strategic-merge-patch+json";
}

/** Applies `patch` (the parsed body) of `type` to `target`, returning the patched object. */
export function applyPatch(type: PatchType, target: Json, patch: unknown): Json {
  let result: unknown;
  if (type === "application/json-patch+json") result = jsonPatch(target, patch);
  else if (!isObject(patch)) throw new PatchError(400, "patch body must be a JSON object");
  else if (type === "application/merge-patch+json") result = mergePatch(target, patch);
  else result = strategicMerge(target, patch);
  if (!isObject(result)) throw new PatchError(422, "the patched value is not an object");
  return result;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return structuredClone(patch);
  const out: Json = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** List fields merged element by element in a strategic merge patch, with their merge keys. */
const MERGE_KEYS: Record<string, readonly string[]> = {
  containers: ["name"],
  initContainers: ["name"],
  ephemeralContainers: ["name"],
  volumes: ["name"],
  env: ["name"],
  volumeMounts: ["mountPath"],
  imagePullSecrets: ["name"],
  conditions: ["type"],
  addresses: ["type"],
  ownerReferences: ["uid"],
  taints: ["key"],
  ports: ["containerPort", "port"],
};

/** Lists of scalars merged as sets in a strategic merge patch. */
const MERGED_SCALAR_LISTS = new Set(["finalizers"]);

/** Strategic merge patch, simplified (see the module doc). */
export function strategicMerge(target: unknown, patch: Json): Json {
  const base: Json = isObject(target) ? { ...target } : {};
  if (patch.$patch === "replace") return stripDirectives(patch) as Json;
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete base[key];
    else if (isObject(value)) {
      if (value.$patch === "delete") delete base[key];
      else base[key] = strategicMerge(base[key], value);
    } else if (Array.isArray(value) && Array.isArray(base[key])) {
      base[key] = mergeList(key, base[key] as unknown[], value);
    } else base[key] = stripDirectives(value);
  }
  return base;
}

function mergeList(field: string, current: unknown[], patch: unknown[]): unknown[] {
  if (MERGED_SCALAR_LISTS.has(field)) return [...new Set([...current, ...patch])];
  const keys = MERGE_KEYS[field];
  if (!keys || !patch.every(isObject)) return stripDirectives(patch) as unknown[];
  const out = [...current];
  for (const element of patch as Json[]) {
    const key = keys.find((k) => k in element);
    if (!key) {
      out.push(stripDirectives(element));
      continue;
    }
    const index = out.findIndex((e) => isObject(e) && e[key] === element[key]);
    if (element.$patch === "delete") {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = strategicMerge(out[index], element);
    else out.push(stripDirectives(element));
  }
  return out;
}

function stripDirectives(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripDirectives);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!key.startsWith("$")) out[key] = stripDirectives(inner);
  }
  return out;
}

interface Operation {
  op: string;
  path: string;
  from?: string;
  value?: unknown;
}

/** RFC 6902 JSON patch. */
export function jsonPatch(target: Json, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError(400, "json patch must be an array");
  let doc: unknown = structuredClone(target);
  for (const raw of operations) {
    if (!isObject(raw) || typeof raw.op !== "string" || typeof raw.path !== "string") {
      throw new PatchError(400, `invalid json patch operation: ${JSON.stringify(raw)}`);
    }
    const op = raw as unknown as Operation;
    const path = pointer(op.path);
    switch (op.op) {
      case "add":
        doc = add(doc, path, structuredClone(need(op, "value")));
        break;
      case "remove":
        doc = remove(doc, path, op.path);
        break;
      case "replace":
        doc = add(remove(doc, path, op.path), path, structuredClone(need(op, "value")));
        break;
      case "move": {
        const from = pointer(String(need(op, "from")));
        const value = get(doc, from, String(op.from));
        doc = add(remove(doc, from, String(op.from)), path, value);
        break;
      }
      case "copy": {
        const from = pointer(String(need(op, "from")));
        doc = add(doc, path, structuredClone(get(doc, from, String(op.from))));
        break;
      }
      case "test":
        if (JSON.stringify(get(doc, path, op.path)) !== JSON.stringify(need(op, "value"))) {
          throw new PatchError(
            422,
            `testing value ${op.path} failed: test operation does not apply`,
          );
        }
        break;
      default:
        throw new PatchError(400, `unexpected json patch operation "${op.op}"`);
    }
  }
  return doc;
}

function need(op: Operation, field: "value" | "from"): unknown {
  if (!(field in op)) throw new PatchError(400, `json patch ${op.op} operation lacks "${field}"`);
  return op[field];
}

function pointer(path: string): string[] {
  if (path === "") return [];
  if (!path.startsWith("/")) throw new PatchError(400, `invalid json pointer "${path}"`);
  return path.slice(1).split("/").map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"));
}

function parentOf(doc: unknown, path: string[], text: string): [unknown, string] {
  let node = doc;
  for (const part of path.slice(0, -1)) {
    node = child(node, part, text);
  }
  return [node, path[path.length - 1]];
}

function child(node: unknown, part: string, text: string): unknown {
  if (Array.isArray(node)) {
    const index = Number(part);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) missing(text);
    return node[index];
  }
  if (!isObject(node) || !(part in node)) missing(text);
  return (node as Json)[part];
}

function missing(text: string): never {
  throw new PatchError(
    422,
    `the server rejected our request due to an error in our request: ` +
      `doc is missing path: "${text}"`,
  );
}

function get(doc: unknown, path: string[], text: string): unknown {
  let node = doc;
  for (const part of path) node = child(node, part, text);
  return node;
}

function add(doc: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [parent, last] = parentOf(doc, path, "/" + path.join("/"));
  if (Array.isArray(parent)) {
    const index = last === "-" ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length) {
      missing("/" + path.join("/"));
    }
    parent.splice(index, 0, value);
  } else if (isObject(parent)) parent[last] = value;
  else missing("/" + path.join("/"));
  return doc;
}

function remove(doc: unknown, path: string[], text: string): unknown {
  if (path.length === 0) return undefined;
  const [parent, last] = parentOf(doc, path, text);
  if (Array.isArray(parent)) {
    const index = Number(last);
    if (!Number.isInteger(index) || index < 0 || index >= parent.length) missing(text);
    parent.splice(index, 1);
  } else if (isObject(parent) && last in parent) delete parent[last];
  else missing(text);
  return doc;
}
