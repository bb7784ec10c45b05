/**
 * One LIST page response into the cache: decoded part by part into the query's list sink. A relist
 * at the version the snapshot already holds stops decoding; a page that was cut, truncated or
 * malformed drops the listing it belongs to and keeps the previous snapshot servable.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import type { ListPart } from "../../kube/types.ts";
import { CacheBranchOverflow, type StreamCut } from "../../streams/bounded_tee.ts";
import { TruncatedBody } from "../../streams/ordered_transform.ts";
import { ResponseCut } from "../list_sink.ts";
import type { QueryIdentity } from "../query.ts";
import type { CacheStore } from "../store.ts";

/** Stores the LIST page `body` of `target.query`; rejects with the reason it was given up. */
export async function ingestList(
  store: CacheStore,
  target: { query: QueryIdentity; continueToken: string },
  codec: WireCodec,
  body: ReadableStream<Uint8Array>,
  cut: Promise<StreamCut | undefined>,
): Promise<void> {
  const { query, continueToken } = target;
  const openSink = () => store.listSink(query, codec.mediaType, { continueToken }).getWriter();
  const parts = body.pipeThrough(codec.listDecoder(query.resource)).getReader();
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
