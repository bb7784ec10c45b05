/**
 * kube-apiserver's RequestInfo resolver (apiserver `endpoints/request/requestinfo.go`, prefixes
 * `/api` without and `/apis` with a group): which verb, group, version, namespace, resource,
 * name and subresource a request addresses. Pure.
 *
 * Like Go's `URL.Path`, the path is percent-decoded before it is split, so `%2F` separates
 * segments. Defensive rules that upstream does not have: a path longer than
 * {@link MAX_PATH_LENGTH}, one that cannot be decoded, or one with an empty inner segment
 * (`//`), a `.` or `..` segment or a control character, is a non-resource request; so is
 * `/api/v1/watch` (upstream fails with 500). Non-resource requests are never cached.
 * @module
 */

import { requiredFieldValue } from "./field_selector.ts";
import { decodeListQuery, queryFlag } from "./list_options.ts";

/** What a request addresses, with kube-apiserver's field meanings. */
export interface RequestInfo {
  /** Whether the path addresses an API resource (`/api/v1/…`, `/apis/g/v/…`). */
  isResourceRequest: boolean;
  /** The URL's path as received (still percent-encoded). */
  path: string;
  /** Kube verb for resource requests; the lower-cased HTTP method otherwise. */
  verb: string;
  apiPrefix: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** Path segments starting at the resource: resource, name, subresource, more. */
  parts: string[];
}

/** Paths longer than this (in characters, as received) are treated as non-resource requests. */
export const MAX_PATH_LENGTH = 2048;

const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/;

function nonResource(method: string, path: string, apiPrefix = ""): RequestInfo {
  return {
    isResourceRequest: false,
    path,
    verb: method.toLowerCase(),
    apiPrefix,
    apiGroup: "",
    apiVersion: "",
    namespace: "",
    resource: "",
    subresource: "",
    name: "",
    parts: [],
  };
}

/** The decoded path's segments (outer slashes trimmed), or `undefined` for a hostile path. */
function segments(path: string): string[] | undefined {
  if (path.length > MAX_PATH_LENGTH) return undefined;
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return undefined;
  }
  let start = 0;
  let end = decoded.length;
  while (start < end && decoded[start] === "/") start++;
  while (end > start && decoded[end - 1] === "/") end--;
  if (start === end) return [];
  const parts = decoded.slice(start, end).split("/");
  for (const part of parts) {
    if (part === "" || part === "." || part === ".." || CONTROL.test(part)) return undefined;
  }
  return parts;
}

/** A name usable as one path segment (apimachinery `path.IsValidPathSegmentName`). */
function isPathSegmentName(name: string): boolean {
  return name !== "." && name !== ".." && !name.includes("/") && !name.includes("%");
}

function methodVerb(method: string): string {
  switch (method) {
    case "POST":
      return "create";
    case "GET":
    case "HEAD":
      return "get";
    case "PUT":
      return "update";
    case "PATCH":
      return "patch";
    case "DELETE":
      return "delete";
    default:
      return "";
  }
}

/**
 * Resolves a request like kube-apiserver. `method` is compared case-sensitively, as Go does.
 * A GET without a name becomes `list`, or `watch` when the `watch` parameter is present and not
 * `false`/`0`; if the whole query decodes, a `fieldSelector` requiring `metadata.name=X` sets
 * `name` to X (the verb stays list/watch). A DELETE without a name becomes `deletecollection`.
 * `/…/watch/…` and `/…/proxy/…` set the verb from the path; `proxy` has no subresource.
 *
 * @example
 * ```ts
 * parseRequestInfo("GET", new URL("https://h/api/v1/namespaces/ns/pods?watch=1"));
 * // { isResourceRequest: true, verb: "watch", namespace: "ns", resource: "pods", … }
 * ```
 */
export function parseRequestInfo(method: string, url: URL): RequestInfo {
  const path = url.pathname;
  let parts = segments(path);
  if (parts === undefined || parts.length < 3) return nonResource(method, path);
  const apiPrefix = parts[0];
  if (apiPrefix !== "api" && apiPrefix !== "apis") return nonResource(method, path);
  let apiGroup = "";
  parts = parts.slice(1);
  if (apiPrefix === "apis") {
    if (parts.length < 3) return nonResource(method, path, apiPrefix);
    apiGroup = parts[0];
    parts = parts.slice(1);
  }
  const apiVersion = parts[0];
  parts = parts.slice(1);

  let verb: string;
  if (parts[0] === "watch" || parts[0] === "proxy") {
    if (parts.length < 2) return nonResource(method, path, apiPrefix);
    verb = parts[0];
    parts = parts.slice(1);
  } else {
    verb = methodVerb(method);
  }

  let namespace = "";
  if (parts[0] === "namespaces" && parts.length > 1) {
    namespace = parts[1];
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2])) parts = parts.slice(2);
  }

  const resource = parts[0];
  let name = parts.length >= 2 ? parts[1] : "";
  const subresource = parts.length >= 3 && verb !== "proxy" ? parts[2] : "";

  if (name === "" && verb === "get") {
    const query = decodeListQuery(url.searchParams);
    if (typeof query === "string") {
      verb = queryFlag(url.searchParams.get("watch")) ? "watch" : "list";
    } else {
      verb = query.watch ? "watch" : "list";
      const selected = requiredFieldValue(query.fieldSelector, "metadata.name");
      if (selected !== undefined && isPathSegmentName(selected)) name = selected;
    }
  }
  if (name === "" && verb === "delete") verb = "deletecollection";

  return {
    isResourceRequest: true,
    path,
    verb,
    apiPrefix,
    apiGroup,
    apiVersion,
    namespace,
    resource,
    subresource,
    name,
    parts,
  };
}
