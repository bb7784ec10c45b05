/**
 * Cache ingest: a response body branch (the cache side of the bounded tee) decoded with the codec
 * of the response's content type — a list, a watch stream or one object — and handed to the cache
 * store, one part at a time and in order, so every part decoded from what the client received is
 * stored before the response's outcome settles the query. Web-standard inputs only (a byte
 * stream, the query identity, plain options), so it can run apart from the proxy. What a response
 * that did not end well means for its query:
 *
 * - LIST page cut, truncated or malformed: the new listing is dropped and the previous snapshot
 *   stays servable (nothing was taken from it);
 * - WATCH cut, or ending inside an event: it ends after its last whole event, as if closed, since
 *   the client saw no further whole event either; a malformed event marks the query stale;
 * - the cache fell behind (overflow) or could not write: the query is marked stale.
 * @module
 */
import { codecFor } from "../../kube/codecs.ts";
import type { StreamCut } from "../../streams/bounded_tee.ts";
import { readAll } from "../../streams/read_all.ts";
import { type DocumentKey, putDocument } from "../documents.ts";
import type { QueryIdentity } from "../query.ts";
import type { CacheStore } from "../store.ts";
import { ingestList } from "./list.ts";
import { ingestWatch } from "./watch.ts";

/** Largest single-object body (GET/create/update/patch) the cache reads. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** What a response body holds, and under which identity the cache keeps it. */
export type IngestTarget =
  /** A discovery document (`/version`, `/api…`, `/apis…`), kept whole. */
  | { kind: "discovery"; document: DocumentKey }
  /** A Table rendering of `resource` (kubectl's `as=Table`), kept whole unless sealed. */
  | { kind: "table"; document: DocumentKey; resource: string }
  /** One LIST page; `continueToken` is the request's `continue` ("" for the first page). */
  | { kind: "list"; query: QueryIdentity; continueToken: string }
  /**
   * A WATCH stream; `initialEvents` for a watch-list (`sendInitialEvents=true`), `since` the
   * request's resourceVersion.
   */
  | { kind: "watch"; query: QueryIdentity; initialEvents: boolean; since: string }
  /** One object from a GET/create/update/patch response. */
  | { kind: "object"; query: QueryIdentity };

/** How the response came: its content type, and how its stream ended. */
export interface IngestOptions {
  /** The response's Content-Type. */
  contentType: string | null;
  /**
   * Settles when the body's source is done: with the cut that ended it early, or `undefined`
   * when it ended by itself (see `TeeBranches.cut`).
   */
  cut: Promise<StreamCut | undefined>;
}

/**
 * Stores `body` (a stream, or the whole body already read) as `target` in `store`. Settles once
 * it is stored; rejects with the reason when the cache gave up on it (having done to the query
 * what that reason calls for, see above).
 */
export async function ingestResponse(
  store: CacheStore,
  body: ReadableStream<Uint8Array> | Uint8Array,
  target: IngestTarget,
  options: IngestOptions,
): Promise<void> {
  const { contentType, cut } = options;
  if (target.kind === "table" && store.sealedResources.has(target.resource)) {
    // Not kept (a Table may hold whole objects); offline, kubectl prints the sealed objects.
    return await cancel(body);
  }
  if (target.kind === "discovery" || target.kind === "table") {
    const bytes = await readWhole(body, cut);
    await putDocument(store.kv, target.document, contentType ?? "", bytes);
    return;
  }
  const codec = codecFor(contentType);
  if (!codec) {
    await cancel(body);
    throw new UnknownFormat(contentType);
  }
  if (target.kind === "list") return await ingestList(store, target, codec, stream(body), cut);
  if (target.kind === "watch") return await ingestWatch(store, target, codec, stream(body));
  const bytes = await readWhole(body, cut);
  // Fetched again unchanged (kubelet's node, secrets, configmaps): nothing to decode or write.
  const version = codec.peekObject(bytes);
  if (version && store.holdsObject(target.query, codec.mediaType, version)) return;
  const object = codec.decodeObject(bytes, target.query.resource);
  if (object.typeMeta.kind === "Status") return;
  await store.putObject(target.query, codec.mediaType, object);
}

/** The response's content type is not one holdfast decodes. */
export class UnknownFormat extends Error {
  /** Names the content type. */
  constructor(contentType: string | null) {
    super(`cannot decode content type ${contentType ?? "(none)"}`);
    this.name = "UnknownFormat";
  }
}

/** `body` as a stream. */
function stream(body: ReadableStream<Uint8Array> | Uint8Array): ReadableStream<Uint8Array> {
  return body instanceof Uint8Array ? ReadableStream.from([body]) : body;
}

/** Gives up on `body`. */
async function cancel(body: ReadableStream<Uint8Array> | Uint8Array): Promise<void> {
  if (!(body instanceof Uint8Array)) await body.cancel();
}

/** Reads a whole object body; throws the cut when the body did not end by itself. */
async function readWhole(
  body: ReadableStream<Uint8Array> | Uint8Array,
  cut: Promise<StreamCut | undefined>,
): Promise<Uint8Array> {
  const bytes = body instanceof Uint8Array ? body : await readAll(body, MAX_OBJECT_BYTES);
  const streamCut = await cut;
  if (streamCut) throw streamCut;
  return bytes;
}
