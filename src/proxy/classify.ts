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

/** What every classified request carries. */
interface ClassifiedBase {
  url: URL;
  info: RequestInfo;
  component: string;
  /**
   * The identity whose cached answers the request reads and fills (`token:…`, `cert:…`); absent
   * for the node's (set by the handler once the credential is known, see `caller.ts`).
   */
  identity?: string;
}

/** A document kept whole for offline answers: its path and `as=` transform. */
export interface DocumentTarget {
  path: string;
  transform: string;
}

/** What a resource request's response is cached as, when it may be cached. */
interface CachedAs {
  /** The cache identity of the response, when it may be cached. */
  query?: QueryIdentity;
  /**
   * Set for a Table rendering (kubectl's `as=Table`): the response is kept whole as a document
   * for this exact request, and `query` names the plain objects that can answer it offline.
   */
  table?: DocumentTarget;
}

/** A resource GET (or HEAD) of one object. */
export interface ResourceGet extends ClassifiedBase, CachedAs {
  kind: "get";
}

/** A resource LIST or WATCH with valid options. */
export interface ResourceList extends ClassifiedBase, CachedAs {
  kind: "list" | "watch";
  /** The parsed list/watch options. */
  listOptions: ListOptions;
}

/** A resource create, update or patch. */
export interface ResourceWrite extends ClassifiedBase, CachedAs {
  kind: "write";
}

/** A LIST or WATCH whose options kube-apiserver would refuse; never cached. */
export interface InvalidList extends ClassifiedBase {
  kind: "invalid";
  /** Why the list/watch options are invalid, as kube-apiserver would answer. */
  invalid: Status;
}

/** A GET of `/version` or a discovery document under `/api` or `/apis`. */
export interface DiscoveryRequest extends ClassifiedBase {
  kind: "discovery";
  /** Set when the document may be cached (the component is). */
  discovery?: DocumentTarget;
}

/** Anything else (deletes, other verbs, subresources like `proxy`, other paths): never cached. */
export interface OtherRequest extends ClassifiedBase {
  kind: "other";
}

/** A resource request that may carry a cache identity. */
export type ResourceRequest = ResourceGet | ResourceList | ResourceWrite;

/** A classified request, by kind; each kind carries only the fields it can have. */
export type Classified =
  | ResourceRequest
  | InvalidList
  | DiscoveryRequest
  | OtherRequest;

/** `T` with its cache identity known to be set. */
export type WithQuery<T extends ResourceRequest> = T & { query: QueryIdentity };

/** A request whose response may be cached: a resource with a query, or a discovery document. */
export type Cacheable =
  | WithQuery<ResourceGet>
  | WithQuery<ResourceList>
  | WithQuery<ResourceWrite>
  | (DiscoveryRequest & { discovery: DocumentTarget });

/** Whether `classified` is a resource request (get, list, watch or write). */
export function isResourceRequest(classified: Classified): classified is ResourceRequest {
  const { kind } = classified;
  return kind === "get" || kind === "list" || kind === "watch" || kind === "write";
}

/** Whether the response to `classified` may be cached. */
export function isCacheable(classified: Classified): classified is Cacheable {
  if (classified.kind === "discovery") return classified.discovery !== undefined;
  return isResourceRequest(classified) && classified.query !== undefined;
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
  const base: ClassifiedBase = { url, info, component };
  const cachedComponent = component !== "" && (agents === "*" || agents.has(component));
  const transform = transformOf(request.headers.get("accept"));
  if (!info.isResourceRequest) {
    if (request.method !== "GET" || !isDiscoveryPath(info)) return { ...base, kind: "other" };
    if (!cachedComponent) return { ...base, kind: "discovery" };
    const discovery = { path: info.path.replace(/\/$/, "") || "/", transform };
    return { ...base, kind: "discovery", discovery };
  }
  const verb = info.verb;
  let classified: ResourceRequest;
  if (verb === "list" || verb === "watch") {
    const options = parseListOptions(url.searchParams, verb);
    if ("kind" in options) return { ...base, kind: "invalid", invalid: options };
    const fields = options.fieldSelector.map((requirement) => requirement.field);
    const unsupported = unsupportedFieldMessage(info.apiGroup, info.resource, fields);
    if (unsupported) return { ...base, kind: "invalid", invalid: badRequest(unsupported) };
    classified = { ...base, kind: verb, listOptions: options };
  } else if (verb === "get") classified = { ...base, kind: "get" };
  else if (WRITE_VERBS.has(verb)) classified = { ...base, kind: "write" };
  else return { ...base, kind: "other" };
  if (!cachedComponent) return classified;
  if (info.subresource !== "" && info.subresource !== "status") return classified;
  if (NEVER_CACHED_RESOURCES.has(info.resource)) return classified;
  // Event writes are fire-and-forget records; caching each one would grow the store forever.
  if (info.resource === "events" && classified.kind === "write") return classified;
  // Tables are renderings for humans: kept whole per request, never decoded into objects.
  const table = transform.startsWith("as=Table");
  if (table) classified.table = { path: `${component} ${url.pathname}${url.search}`, transform };
  const options = classified.kind === "list" || classified.kind === "watch"
    ? classified.listOptions
    : undefined;
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
