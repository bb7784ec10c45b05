/**
 * The kube-apiserver HTTP API of the simulator as one function, `Request` → `Response`:
 * health and version, discovery, and GET / LIST / WATCH / CREATE / UPDATE / PATCH / DELETE /
 * DELETE-collection on the served types and their `status` subresource, with errors as `Status`.
 * Transport, authentication, faults and counters are the server's business, not this module's.
 * @module
 */
import { requiredFieldValue } from "../../src/kube/field_selector.ts";
import { type ListOptions, parseListOptions } from "../../src/kube/list_options.ts";
import { JSON_MEDIA, PROTOBUF_MEDIA } from "../../src/kube/media_type.ts";
import { parseRequestInfo, type RequestInfo } from "../../src/kube/request_info.ts";
import { failure, methodNotAllowed, notFound, type Status } from "../../src/kube/status.ts";
import { acceptsGzip, gzipPerFlush } from "./compression.ts";
import * as discovery from "./discovery.ts";
import { jsonServingCodec, type ServingCodec } from "./encoding.ts";
import type { Json } from "./fixtures.ts";
import { listPage } from "./list.ts";
import {
  aggregatedDiscoveryVersion,
  chooseRepresentation,
  type Representation,
} from "./negotiation.ts";
import { isPatchType } from "./patch.ts";
import { decodeProtobufBody, PROTOBUF_BODY_KINDS } from "./protobuf_body.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";
import { selection } from "./selection.ts";
import { Entry, type Store } from "./store.ts";
import { type IncludeObject, partialMetadata, partialMetadataList, table } from "./table.ts";
import { errorStream, type OpenWatch, openWatch, type WatchSettings } from "./watch.ts";
import { StatusError, type Target, type Writer } from "./writes.ts";

/** What the API needs from the simulator. */
export interface ApiContext {
  store: Store;
  registry: ResourceRegistry;
  writer: Writer;
  watch: WatchSettings;
  /** The codecs `type` is served in, in preference order; the first must be JSON. */
  codecs(type: ResourceType): readonly ServingCodec[];
  /** `host:port` advertised in `/api`. */
  serverAddress(): string;
  /** Open watches, so faults can cut them. */
  watches: Set<OpenWatch>;
}

const OPENAPI_V2_PROTOBUF = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
const HEALTH = new Set(["/healthz", "/livez", "/readyz"]);

/** Answers one API request. */
export async function handleApi(ctx: ApiContext, request: Request): Promise<Response> {
  try {
    const url = new URL(request.url);
    const info = parseRequestInfo(request.method, url);
    if (!info.isResourceRequest) return nonResource(ctx, request, url);
    return await resource(ctx, request, url, info);
  } catch (error) {
    if (error instanceof StatusError) return statusResponse(error.status);
    return statusResponse(failure(500, "InternalError", `Internal error occurred: ${error}`));
  }
}

const BASE_HEADERS = { "cache-control": "no-cache, private" };

/**
 * A `Status` answer with the matching HTTP code (and Retry-After when it says so), in `codec`'s
 * format (JSON by default).
 */
export function statusResponse(status: Status, codec: ServingCodec = jsonServingCodec): Response {
  const headers: Record<string, string> = { ...BASE_HEADERS, "content-type": codec.mediaType };
  const retry = status.details?.retryAfterSeconds;
  if (retry) headers["retry-after"] = String(retry);
  const body = codec.status(status as unknown as Json) as Uint8Array<ArrayBuffer>;
  return new Response(body, { status: status.code, headers });
}

function bytesResponse(body: BodyInit, contentType: string, status = 200): Response {
  return new Response(body, { status, headers: { ...BASE_HEADERS, "content-type": contentType } });
}

/**
 * A watch stream: `Transfer-Encoding: chunked` (headers at once, chunks as they come), and a
 * watch-list that accepts gzip compressed one member per flush, as kube-apiserver does.
 */
function watchResponse(
  stream: ReadableStream<Uint8Array>,
  codec: ServingCodec,
  request: Request,
  options: ListOptions,
): Response {
  const headers: Record<string, string> = {
    ...BASE_HEADERS,
    "content-type": codec.watchContentType,
    "transfer-encoding": "chunked",
  };
  if (options.sendInitialEvents && acceptsGzip(request.headers.get("accept-encoding"))) {
    headers["content-encoding"] = "gzip";
    headers.vary = "Accept-Encoding";
    stream = gzipPerFlush(stream);
  }
  return new Response(stream, { headers });
}

function jsonResponse(value: unknown, contentType = JSON_MEDIA): Response {
  return bytesResponse(JSON.stringify(value), contentType);
}

const PAGE_NOT_FOUND = failure(
  404,
  "NotFound",
  "the server could not find the requested resource",
  {},
);

function nonResource(ctx: ApiContext, request: Request, url: URL): Response {
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (request.method !== "GET" && request.method !== "HEAD") {
    return statusResponse(methodNotAllowed(`${request.method} is not allowed on ${path}`));
  }
  if (HEALTH.has(path) || [...HEALTH].some((h) => path.startsWith(h + "/"))) {
    return bytesResponse("ok", "text/plain; charset=utf-8");
  }
  if (path === "/version") return jsonResponse(discovery.VERSION);
  const accept = request.headers.get("accept");
  if (path === "/openapi/v2") {
    // An empty schema: kubectl's client-side validation then skips every type (as for types
    // without a schema) and apply falls back to its compiled-in patch metadata.
    if (accept?.includes(OPENAPI_V2_PROTOBUF)) {
      return bytesResponse("", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
    }
    return jsonResponse(discovery.OPENAPI_V2);
  }
  const aggregated = aggregatedDiscoveryVersion(accept);
  const aggregatedType =
    `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`;
  if (path === "/api") {
    if (aggregated) {
      return jsonResponse(discovery.aggregated(ctx.registry, true, aggregated), aggregatedType);
    }
    return jsonResponse(discovery.apiVersions(ctx.serverAddress()));
  }
  if (path === "/apis") {
    if (aggregated) {
      return jsonResponse(discovery.aggregated(ctx.registry, false, aggregated), aggregatedType);
    }
    return jsonResponse(discovery.groupList(ctx.registry));
  }
  const parts = path.split("/").slice(1);
  let document: Json | undefined;
  if (parts[0] === "api" && parts.length === 2) {
    document = discovery.resourceList(ctx.registry, "", parts[1]);
  } else if (parts[0] === "apis" && parts.length === 2) {
    document = discovery.group(ctx.registry, parts[1]);
  } else if (parts[0] === "apis" && parts.length === 3) {
    document = discovery.resourceList(ctx.registry, parts[1], parts[2]);
  }
  return document ? jsonResponse(document) : pageNotFound();
}

/** The Go mux's answer for a path no API group serves (plain text, not a Status). */
function pageNotFound(): Response {
  return new Response("404 page not found\n", {
    status: 404,
    headers: {
      ...BASE_HEADERS,
      "content-type": "text/plain; charset=utf-8",
      "x-content-type-options": "nosniff",
    },
  });
}

/** 405 for a verb the resource's route does not take, as go-restful words it. */
const METHOD_NOT_ALLOWED = failure(
  405,
  "MethodNotAllowed",
  "the server does not allow this method on the requested resource",
  {},
);

async function resource(
  ctx: ApiContext,
  request: Request,
  url: URL,
  info: RequestInfo,
): Promise<Response> {
  const type = ctx.registry.lookup(info.apiGroup, info.apiVersion, info.resource);
  if (!type || (info.subresource && (info.subresource !== "status" || !type.hasStatus))) {
    const served = ctx.registry.types.some((t) =>
      t.group === info.apiGroup && t.version === info.apiVersion
    );
    return served ? statusResponse(PAGE_NOT_FOUND) : pageNotFound();
  }
  const codecs = ctx.codecs(type);
  try {
    return await verb(ctx, request, url, info, type, codecs);
  } catch (error) {
    if (!(error instanceof StatusError)) throw error;
    // Errors go out in the negotiated format; a 406 (nothing acceptable) in JSON.
    const chosen = chooseRepresentation(request.headers.get("accept"), codecs);
    return statusResponse(error.status, chosen?.codec);
  }
}

async function verb(
  ctx: ApiContext,
  request: Request,
  url: URL,
  info: RequestInfo,
  type: ResourceType,
  codecs: readonly ServingCodec[],
): Promise<Response> {
  const namespace = type.namespaced ? info.namespace : "";
  if (type.namespaced && !namespace && !["list", "watch"].includes(info.verb)) {
    throw new StatusError(PAGE_NOT_FOUND);
  }
  const target: Target = { type, namespace, subresource: info.subresource || undefined };
  // A PUT or PATCH on a collection matches no route.
  if ((info.verb === "update" || info.verb === "patch") && !info.name) {
    throw new StatusError(METHOD_NOT_ALLOWED);
  }
  if (info.verb === "get") return get(ctx, request, url, target, info.name, codecs);
  if (info.verb === "list" || info.verb === "watch") {
    return collection(ctx, request, url, info, target, codecs);
  }
  // Writes answer in the negotiated format, chosen (or refused) before anything is written.
  const { codec } = represent(request, codecs);
  const dryRun = url.searchParams.getAll("dryRun").includes("All");
  switch (info.verb) {
    case "create":
      if (info.name) throw new StatusError(METHOD_NOT_ALLOWED);
      return objectResponse(codec, ctx.writer.create(target, await readJson(request), dryRun), 201);
    case "update":
      return objectResponse(
        codec,
        ctx.writer.update(target, info.name, await readJson(request), dryRun),
      );
    case "patch": {
      const contentType = (request.headers.get("content-type") ?? "").split(";")[0].trim();
      if (!isPatchType(contentType)) {
        // The PATCH route consumes only patch types: go-restful's own 415.
        throw new StatusError(
          failure(415, "UnsupportedMediaType", "415: Unsupported Media Type", {}),
        );
      }
      return objectResponse(
        codec,
        ctx.writer.patch(target, info.name, contentType, await readJson(request), dryRun),
      );
    }
    case "delete":
      return remove(ctx, request, target, info.name, codec);
    case "deletecollection":
      return removeAll(ctx, url, target, codec);
    default:
      throw new StatusError(METHOD_NOT_ALLOWED);
  }
}

/**
 * The JSON body of a write, or the JSON form of a protobuf body of a kind `protobuf_body.ts`
 * reads. Other bodies, protobuf of other kinds included, are 415: the simulator cannot turn a
 * protobuf object into JSON without the type's schema.
 */
async function readJson(request: Request): Promise<unknown> {
  const contentType = request.headers.get("content-type") ?? "";
  const media = contentType.split(";")[0].trim();
  if (media === PROTOBUF_MEDIA) {
    const body = new Uint8Array(await request.arrayBuffer());
    let object: unknown;
    try {
      object = decodeProtobufBody(body);
    } catch (error) {
      throw new StatusError(failure(400, "BadRequest", `the request body: ${error}`));
    }
    if (object) return object;
    throw new StatusError(failure(
      415,
      "UnsupportedMediaType",
      `the simulator reads protobuf bodies only for ${PROTOBUF_BODY_KINDS.join(", ")}; ` +
        "send application/json",
    ));
  }
  if (media && media !== JSON_MEDIA && !media.endsWith("+json")) {
    throw new StatusError(failure(
      415,
      "UnsupportedMediaType",
      `the body of the request was in an unknown format - accepted media types include: ` +
        "application/json, application/yaml, application/vnd.kubernetes.protobuf",
    ));
  }
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new StatusError(failure(400, "BadRequest", `the request body is not JSON: ${error}`));
  }
}

function objectResponse(codec: ServingCodec, entry: Entry, status = 200): Response {
  return bytesResponse(codec.object(entry) as Uint8Array<ArrayBuffer>, codec.mediaType, status);
}

/** The first representation `Accept` takes among `codecs`; 406 when there is none. */
function represent(
  request: Request,
  codecs: readonly ServingCodec[],
  collection = false,
): Representation {
  const representation = chooseRepresentation(request.headers.get("accept"), codecs);
  if (!representation) throw new StatusError(notAcceptable(codecs, collection));
  return representation;
}

/**
 * go-restful's 406, listing what the route produces: JSON, YAML (which kube-apiserver serves and
 * the simulator does not), protobuf when served, and on a collection the watch stream types.
 */
function notAcceptable(codecs: readonly ServingCodec[], collection: boolean): Status {
  const types = [
    codecs[0].mediaType,
    "application/yaml",
    ...codecs.slice(1).map((c) => c.mediaType),
  ];
  if (collection) types.push(...codecs.map((c) => `${c.mediaType};stream=watch`));
  return failure(
    406,
    "NotAcceptable",
    `406: Not Acceptable\n\nAvailable representations: ${types.join(", ")}`,
    {},
  );
}

function includeObject(url: URL): IncludeObject {
  const value = url.searchParams.get("includeObject");
  return value === "None" || value === "Object" ? value : "Metadata";
}

function get(
  ctx: ApiContext,
  request: Request,
  url: URL,
  target: Target,
  name: string,
  codecs: readonly ServingCodec[],
): Response {
  const { type, namespace } = target;
  const { codec, transform } = represent(request, codecs);
  const entry = ctx.store.get(type, type.namespaced ? `${namespace}/${name}` : name);
  if (!entry) throw new StatusError(notFound(type.group, type.resource, name));
  if (transform === "Table") {
    const meta = { resourceVersion: String(entry.rv) };
    return jsonResponse(table(type, meta, [entry.object], includeObject(url)));
  }
  if (transform === "PartialObjectMetadata") return jsonResponse(partialMetadata(entry.object));
  return objectResponse(codec, entry);
}

function listOptions(url: URL, verb: "list" | "watch", info?: RequestInfo): ListOptions {
  const options = parseListOptions(url.searchParams, verb);
  if ("kind" in options) {
    // A LIST refuses a resourceVersion that is not a uint64 as a bad request; a WATCH fails with
    // the parse error as a 500.
    if (verb === "list" && options.code === 500) {
      throw new StatusError(
        failure(400, "BadRequest", `invalid resource version: ${options.message}`),
      );
    }
    throw new StatusError(options);
  }
  // A name on the path (`/watch/…/pods/<name>`) selects that one object.
  if (info?.name && requiredFieldValue(options.fieldSelector, "metadata.name") === undefined) {
    options.fieldSelector = [
      ...options.fieldSelector,
      { field: "metadata.name", op: "=", value: info.name },
    ];
  }
  return options;
}

function collection(
  ctx: ApiContext,
  request: Request,
  url: URL,
  info: RequestInfo,
  target: Target,
  codecs: readonly ServingCodec[],
): Response {
  const { type, namespace } = target;
  const verb = info.verb as "list" | "watch";
  const { codec, transform } = represent(request, codecs, true);
  const options = listOptions(url, verb, info);
  const selected = selection(type, namespace, options.labelSelector, options.fieldSelector);
  if (typeof selected !== "function") throw new StatusError(selected);
  if (verb === "watch") {
    const include = includeObject(url);
    const render = transform === "Table"
      ? (eventType: string, object: Entry | Json) => {
        if (eventType === "BOOKMARK" || eventType === "ERROR") {
          return codec.watchEvent(eventType, object);
        }
        const value = object instanceof Entry ? object.object : object;
        return codec.watchEvent(eventType, table(type, { resourceVersion: "" }, [value], include));
      }
      : transform === "PartialObjectMetadata"
      ? (eventType: string, object: Entry | Json) =>
        codec.watchEvent(
          eventType,
          eventType === "ERROR"
            ? object
            : partialMetadata(object instanceof Entry ? object.object : object),
        )
      : codec.watchEvent;
    const opened = openWatch(ctx.store, type, options, selected, render, ctx.watch, (watch) => {
      ctx.watches.delete(watch);
    });
    if ("status" in opened) {
      if (!opened.asEvent) throw new StatusError(opened.status);
      return watchResponse(errorStream(codec, opened.status), codec, request, options);
    }
    ctx.watches.add(opened);
    return watchResponse(opened.stream, codec, request, options);
  }
  const page = listPage(ctx.store, type, options, selected);
  if ("code" in page) throw new StatusError(page);
  if (transform === "Table") {
    return jsonResponse(
      table(type, page.meta, page.items.map((e) => e.object), includeObject(url)),
    );
  }
  if (transform === "PartialObjectMetadata") {
    return jsonResponse(partialMetadataList(page.meta, page.items));
  }
  return bytesResponse(
    ReadableStream.from(codec.list(type, page.meta, page.items)),
    codec.mediaType,
  );
}

async function remove(
  ctx: ApiContext,
  request: Request,
  target: Target,
  name: string,
  codec: ServingCodec,
): Promise<Response> {
  const text = await request.text();
  let preconditions: Json = {};
  if (text.trim()) {
    try {
      preconditions = (JSON.parse(text) as Json).preconditions as Json ?? {};
    } catch (error) {
      throw new StatusError(failure(400, "BadRequest", `the request body is not JSON: ${error}`));
    }
  }
  const change = ctx.writer.delete(target, name, preconditions);
  const { type } = target;
  if (type.returnsDeletedObject) return objectResponse(codec, change.entry);
  const success = codec.status({
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Success",
    details: {
      name,
      group: type.group || undefined,
      kind: type.resource,
      uid: change.entry.metadata.uid,
    },
  });
  return bytesResponse(success as Uint8Array<ArrayBuffer>, codec.mediaType);
}

function removeAll(ctx: ApiContext, url: URL, target: Target, codec: ServingCodec): Response {
  const { type, namespace } = target;
  const options = listOptions(url, "list");
  const selected = selection(type, namespace, options.labelSelector, options.fieldSelector);
  if (typeof selected !== "function") throw new StatusError(selected);
  const deleted = ctx.writer.deleteAll(type, ctx.store.current(type).filter(selected));
  const meta = { resourceVersion: String(ctx.store.resourceVersion) };
  return bytesResponse(ReadableStream.from(codec.list(type, meta, deleted)), codec.mediaType);
}

/** The type a test names: `pods`, `leases.coordination.k8s.io` or `foobars`. */
export function typeNamed(registry: ResourceRegistry, name: string): ResourceType {
  const dot = name.indexOf(".");
  const resource = dot === -1 ? name : name.slice(0, dot);
  const group = dot === -1 ? undefined : name.slice(dot + 1);
  const type = registry.types.find((t) =>
    t.resource === resource && (group === undefined || t.group === group)
  );
  if (!type) throw new Error(`the simulator serves no resource "${name}"`);
  return type;
}
