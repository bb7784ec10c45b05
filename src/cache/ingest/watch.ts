/**
 * One WATCH stream into the cache: decoded event by event into the query's watch sink. A cut
 * watch, or one ending inside an event, ends after its last whole event, as if closed; a malformed
 * event marks the query stale.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import { TruncatedBody } from "../../streams/ordered_transform.ts";
import type { QueryIdentity } from "../query.ts";
import type { CacheStore } from "../store.ts";

/** Stores the WATCH stream `body` of `target.query`; rejects with the reason it was given up. */
export async function ingestWatch(
  store: CacheStore,
  target: { query: QueryIdentity; initialEvents: boolean; since: string },
  codec: WireCodec,
  body: ReadableStream<Uint8Array>,
): Promise<void> {
  const { query, initialEvents, since } = target;
  const sink = store.watchSink(query, codec.mediaType, { initialEvents, since }).getWriter();
  const events = body.pipeThrough(codec.watchDecoder(query.resource)).getReader();
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
