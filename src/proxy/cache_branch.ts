/**
 * The cache side of the bounded tee: decode the branch with the codec of the response's content
 * type (a list, a watch stream or one object) and hand the parts to the cache store. Failures
 * here (overflow, a malformed or truncated body, an unknown format) never reach the client: they
 * are counted, logged at debug level, and the affected query is marked stale by the store. A watch
 * cut by the upstream or the client is not a failure: it ends as if closed.
 * @module
 */
import { putDocument } from "../cache/documents.ts";
import type { CacheStore } from "../cache/store.ts";
import { codecFor } from "../kube/codecs.ts";
import type { Logger } from "../log/logger.ts";
import type { Classified } from "./classify.ts";
import type { CacheBranchSink } from "./handler.ts";
import { StreamCut } from "./tap.ts";

/** Largest single-object body (GET/create/update/patch) the cache reads. */
export const MAX_OBJECT_BYTES = 16 * 1024 * 1024;

/** Builds the sink that stores cacheable responses in `store`. */
export function storeCacheBranch(
  store: CacheStore,
  logger: Logger,
  onDrop: (reason: string) => void,
): CacheBranchSink {
  return (classified, response, body) =>
    cacheBody(store, classified, response, body).catch((error) => {
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
): Promise<void> {
  const contentType = response.headers.get("content-type");
  const document = classified.discovery ?? classified.table;
  if (document) {
    const bytes = await readAll(body, MAX_OBJECT_BYTES);
    await putDocument(store.kv, document, contentType ?? "", bytes);
    return;
  }
  const codec = codecFor(contentType);
  const query = classified.query!;
  if (!codec) {
    await body.cancel();
    throw new UnknownFormat(contentType);
  }
  const { verb, resource } = classified.info;
  if (verb === "list") {
    const continueToken = classified.listOptions?.continue ?? "";
    const parts = body.pipeThrough(codec.listDecoder(resource));
    const reader = parts.getReader();
    const first = await reader.read().catch(async (error) => {
      if (!(error instanceof StreamCut)) await store.markStale(query, `undecodable list: ${error}`);
      throw error;
    });
    if (first.done) return await store.listSink(query, codec.mediaType, { continueToken }).close();
    const part = first.value;
    // A relist at the version the snapshot already holds (reflectors relist with the last RV)
    // carries the same objects: stop decoding instead of writing them all again.
    if (
      part.type === "meta" && continueToken === "" && part.meta.continue === "" &&
      store.isCurrent(query, codec.mediaType, part.meta.resourceVersion)
    ) {
      return await reader.cancel();
    }
    await prepend(part, reader).pipeTo(store.listSink(query, codec.mediaType, { continueToken }));
  } else if (verb === "watch") {
    const sink = store.watchSink(query, codec.mediaType, {
      initialEvents: classified.listOptions?.sendInitialEvents === true,
    });
    try {
      await body.pipeThrough(codec.watchDecoder(resource)).pipeTo(sink, { preventAbort: true });
    } catch (error) {
      // A cut watch ends after its last whole event: what is stored is consistent up to it.
      if (error instanceof StreamCut) return await sink.close();
      await sink.abort(error);
      throw error;
    }
  } else {
    const object = codec.decodeObject(await readAll(body, MAX_OBJECT_BYTES), resource);
    if (object.typeMeta.kind === "Status") return;
    await store.putObject(query, codec.mediaType, object);
  }
}

/** A stream of `first` followed by the rest of `reader`. */
function prepend<T>(first: T, reader: ReadableStreamDefaultReader<T>): ReadableStream<T> {
  let pending: T | undefined = first;
  return new ReadableStream<T>({
    async pull(controller) {
      if (pending !== undefined) {
        controller.enqueue(pending);
        pending = undefined;
        return;
      }
      const next = await reader.read();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/** The response's content type is not one holdfast decodes. */
export class UnknownFormat extends Error {
  /** Names the content type. */
  constructor(contentType: string | null) {
    super(`cannot decode content type ${contentType ?? "(none)"}`);
    this.name = "UnknownFormat";
  }
}

/** Reads a whole body of at most `limit` bytes. */
export async function readAll(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw new RangeError(`body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  if (chunks.length === 1) return chunks[0];
  const all = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}
