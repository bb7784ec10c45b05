/**
 * The cache side of the bounded tee: decode the branch with the codec of the response's content
 * type (a list, a watch stream or one object) and hand the parts to the cache store, one at a
 * time and in order, so every part decoded from what the client received is stored before the
 * response's outcome settles the query. Failures here never reach the client: they are counted
 * and logged at debug level. What a response that did not end well means for its query:
 *
 * - LIST page cut, truncated or malformed: the new listing is dropped and the previous snapshot
 *   stays servable (nothing was taken from it);
 * - WATCH cut, or ending inside an event: it ends after its last whole event, as if closed, since
 *   the client saw no further whole event either; a malformed event marks the query stale;
 * - the cache fell behind (overflow) or could not write: the query is marked stale.
 * @module
 */
import { putDocument } from "../cache/documents.ts";
import { ResponseCut } from "../cache/list_sink.ts";
import type { CacheStore } from "../cache/store.ts";
import type { WireCodec } from "../kube/codec.ts";
import { codecFor } from "../kube/codecs.ts";
import { TruncatedBody } from "../streams/ordered_transform.ts";
import { readAll } from "../streams/read_all.ts";
import type { ListPart } from "../kube/types.ts";
import type { Logger } from "../log/logger.ts";
import type { Classified } from "./classify.ts";
import type { CacheBranchSink } from "./handler.ts";
import { CacheBranchOverflow, type StreamCut } from "../streams/bounded_tee.ts";

/** Largest single-object body (GET/create/update/patch) the cache reads. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** Builds the sink that stores cacheable responses in `store`. */
export function storeCacheBranch(
  store: CacheStore,
  logger: Logger,
  onDrop: (reason: string) => void,
): CacheBranchSink {
  return (classified, response, body, cut) =>
    cacheBody(store, classified, response, body, cut).catch((error) => {
      const reason = error instanceof Error ? error.name : "error";
      onDrop(reason);
      logger.debug("cache gave up on a response", {
        path: classified.url.pathname,
        component: classified.component,
        error,
      });
    });
}

async function cacheBody(
  store: CacheStore,
  classified: Classified,
  response: Response,
  body: ReadableStream<Uint8Array>,
  cut: Promise<StreamCut | undefined>,
): Promise<void> {
  const contentType = response.headers.get("content-type");
  const document = classified.discovery ?? classified.table;
  if (classified.table && store.sealedResources.has(classified.info.resource)) {
    // Not kept (a Table may hold whole objects); offline, kubectl prints the sealed objects.
    return await body.cancel();
  }
  if (document) {
    const bytes = await readWhole(body, cut);
    await putDocument(store.kv, document, contentType ?? "", bytes);
    return;
  }
  const codec = codecFor(contentType);
  if (!codec) {
    await body.cancel();
    throw new UnknownFormat(contentType);
  }
  const { verb } = classified.info;
  if (verb === "list") return await cacheList(store, classified, codec, body, cut);
  if (verb === "watch") return await cacheWatch(store, classified, codec, body);
  const object = codec.decodeObject(await readWhole(body, cut), classified.info.resource);
  if (object.typeMeta.kind === "Status") return;
  await store.putObject(classified.query!, codec.mediaType, object);
}

async function cacheList(
  store: CacheStore,
  classified: Classified,
  codec: WireCodec,
  body: ReadableStream<Uint8Array>,
  cut: Promise<StreamCut | undefined>,
): Promise<void> {
  const query = classified.query!;
  const continueToken = classified.listOptions?.continue ?? "";
  const openSink = () => store.listSink(query, codec.mediaType, { continueToken }).getWriter();
  const parts = body.pipeThrough(codec.listDecoder(classified.info.resource)).getReader();
  let sink: WritableStreamDefaultWriter<ListPart> | undefined;
  let part: ReadableStreamReadResult<ListPart>;
  try {
    while (!(part = await parts.read()).done) {
      if (!sink) {
        const first = part.value;
        // A relist at the version the snapshot already holds (reflectors relist with the last
        // RV) carries the same objects: stop decoding instead of writing them all again.
        if (
          first.type === "meta" && continueToken === "" && first.meta.continue === "" &&
          store.isCurrent(query, codec.mediaType, first.meta.resourceVersion)
        ) return await parts.cancel();
        sink = openSink();
      }
      await sink.write(part.value);
    }
  } catch (error) {
    const reason = error instanceof CacheBranchOverflow
      ? error
      : (error instanceof TruncatedBody && await cut) ||
        new ResponseCut(`undecodable list: ${error}`, { cause: error });
    // A later page drops the listing waiting for it; a first page has nothing to drop yet.
    if (sink || continueToken !== "") await (sink ?? openSink()).abort(reason);
    throw reason;
  }
  sink ??= openSink();
  const streamCut = await cut;
  if (!streamCut) return await sink.close();
  await sink.abort(streamCut);
  throw streamCut;
}

async function cacheWatch(
  store: CacheStore,
  classified: Classified,
  codec: WireCodec,
  body: ReadableStream<Uint8Array>,
): Promise<void> {
  const sink = store.watchSink(classified.query!, codec.mediaType, {
    initialEvents: classified.listOptions?.sendInitialEvents === true,
    since: classified.listOptions?.resourceVersion ?? "",
  }).getWriter();
  const events = body.pipeThrough(codec.watchDecoder(classified.info.resource)).getReader();
  for (;;) {
    let event;
    try {
      event = await events.read();
    } catch (error) {
      // Ending inside an event: the client got no further whole event either.
      if (error instanceof TruncatedBody) return await sink.close();
      await sink.abort(error);
      throw error;
    }
    if (event.done) return await sink.close(); // a cut watch ends after its last whole event
    try {
      await sink.write(event.value);
    } catch (error) {
      await events.cancel(error);
      throw error;
    }
  }
}

/** The response's content type is not one holdfast decodes. */
export class UnknownFormat extends Error {
  /** Names the content type. */
  constructor(contentType: string | null) {
    super(`cannot decode content type ${contentType ?? "(none)"}`);
    this.name = "UnknownFormat";
  }
}

/** Reads a whole object body; throws the cut when the body did not end by itself. */
async function readWhole(
  body: ReadableStream<Uint8Array>,
  cut: Promise<StreamCut | undefined>,
): Promise<Uint8Array> {
  const bytes = await readAll(body, MAX_OBJECT_BYTES);
  const streamCut = await cut;
  if (streamCut) throw streamCut;
  return bytes;
}
