/**
 * Request classification: the Kubernetes request info, the calling component, and whether (and
 * under which query identity) the response may be cached. Pure.
 * @module
 */
import { componentOf } from "../kube/component.ts";
import { transformOf } from "../kube/media_type.ts";
import { type ListOptions, parseListOptions } from "../kube/list_options.ts";
import { parseRequestInfo, type RequestInfo } from "../kube/request_info.ts";
import { unsupportedFieldMessage } from "../kube/selectable_fields.ts";
import { badRequest, type Status } from "../kube/status.ts";
import type { QueryIdentity } from "../cache/query.ts";
import type { CacheAgents } from "../config/types.ts";

/** A classified request. */
export interface Classified {
  url: URL;
  info: RequestInfo;
  component: string;
  /**
   * The identity whose cached answers the request reads and fills (`token:…`, `cert:…`); absent
   * for the node's (set by the handler once the credential is known, see `caller.ts`).
   */
  identity?: string;
  /** Parsed list/watch options (list and watch verbs only). */
  listOptions?: ListOptions;
  /** Why the list/watch options are invalid, as kube-apiserver would answer. */
  invalid?: Status;
  /** The cache identity of the response, when it may be cached. */
  query?: QueryIdentity;
  /** Set for cacheable discovery documents (`/version`, `/api…`, `/apis…`). */
  discovery?: { path: string; transform: string };
  /**
   * Set for a Table rendering (kubectl's `as=Table`): the response is kept whole as a document
   * for this exact request, and `query` names the plain objects that can answer it offline.
   */
  table?: { path: string; transform: string };
}

const NEVER_CACHED_RESOURCES = new Set([
  "certificatesigningrequests",
  "subjectaccessreviews",
  "selfsubjectaccessreviews",
  "localsubjectaccessreviews",
  "selfsubjectrulesreviews",
  "selfsubjectreviews",
  "tokenreviews",
]);

const WRITE_VERBS = new Set(["create", "update", "patch"]);
const CACHEABLE_VERBS = new Set(["get", "list", "watch", ...WRITE_VERBS]);

/** True for `/version` and the discovery documents under `/api` and `/apis`. */
export function isDiscoveryPath(info: RequestInfo): boolean {
  if (info.isResourceRequest) return false;
  const p = info.path.split("/").filter((s) => s !== "");
  if (p.length === 1 && p[0] === "version") return true;
  if (p[0] === "api") return p.length <= 2;
  if (p[0] === "apis") return p.length <= 3;
  return false;
}

/** Classifies `request` for routing and caching. */
export function classify(request: Request, url: URL, agents: CacheAgents): Classified {
  const info = parseRequestInfo(request.method, url);
  const component = componentOf(request.headers.get("user-agent"));
  const classified: Classified = { url, info, component };
  if (info.verb === "list" || info.verb === "watch") {
    const options = parseListOptions(url.searchParams, info.verb);
    if ("kind" in options) classified.invalid = options;
    else {
      const fields = options.fieldSelector.map((requirement) => requirement.field);
      const unsupported = unsupportedFieldMessage(info.apiGroup, info.resource, fields);
      if (unsupported) classified.invalid = badRequest(unsupported);
      else classified.listOptions = options;
    }
  }
  const cachedComponent = component !== "" && (agents === "*" || agents.has(component));
  if (!cachedComponent) return classified;
  const transform = transformOf(request.headers.get("accept"));
  if (!info.isResourceRequest) {
    if (request.method === "GET" && isDiscoveryPath(info)) {
      classified.discovery = { path: info.path.replace(/\/$/, "") || "/", transform };
    }
    return classified;
  }
  if (!CACHEABLE_VERBS.has(info.verb)) return classified;
  if (info.subresource !== "" && info.subresource !== "status") return classified;
  if (NEVER_CACHED_RESOURCES.has(info.resource) || classified.invalid) return classified;
  // Event writes are fire-and-forget records; caching each one would grow the store forever.
  if (info.resource === "events" && WRITE_VERBS.has(info.verb)) return classified;
  // Tables are renderings for humans: kept whole per request, never decoded into objects.
  const table = transform.startsWith("as=Table");
  if (table) classified.table = { path: `${component} ${url.pathname}${url.search}`, transform };
  const options = classified.listOptions;
  classified.query = {
    component,
    group: info.apiGroup,
    version: info.apiVersion,
    resource: info.resource,
    namespace: info.namespace,
    labelSelector: options?.labelSelectorText ?? "",
    fieldSelector: options?.fieldSelectorText ?? "",
    transform: table ? "" : transform,
  };
  return classified;
}
