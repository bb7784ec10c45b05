/**
 * The sink of one WATCH stream. Events update the query they belong to: ADDED/MODIFIED keep the
 * newer resourceVersion, DELETED removes and keeps a tombstone, BOOKMARK moves the query's
 * resourceVersion forward, ERROR ends caching of the stream. In a watch-list stream
 * (`sendInitialEvents=true`) the initial ADDED events are a listing: they fill a new generation
 * that the `k8s.io/initial-events-end` BOOKMARK switches in, exactly like a LIST.
 * A stream the proxy gave up on marks the query stale.
 * @module
 */
import type { RawObject, WatchEvent } from "../kube/types.ts";
import { endsInitialEvents } from "../kube/watch_list.ts";
import { abortReason } from "./list_sink.ts";
import type { QueryIdentity } from "./query.ts";
import type { CacheWriter, Snapshot } from "./writer.ts";

/** Options of a watch sink. */
export interface WatchSinkOptions {
  /** The watch asked for initial events (`sendInitialEvents=true`, a watch-list). */
  initialEvents?: boolean;
  /** The resourceVersion the watch started from (its `resourceVersion` parameter; `""` if none). */
  since?: string;
}

/** A sink storing a watch stream's events. */
export function createWatchSink(
  writer: CacheWriter,
  query: QueryIdentity,
  mediaType: string,
  options: WatchSinkOptions = {},
): WritableStream<WatchEvent> {
  const state = writer.state(query);
  writer.openWatch(state);
  let watching = true;
  let initial = options.initialEvents ?? false;
  const since = options.since ?? "";
  let snapshot: Snapshot | undefined;

  const stop = () => {
    if (!watching) return;
    watching = false;
    writer.closeWatch(state);
    if (snapshot) writer.abandon(snapshot);
  };

  const endInitialEvents = async (bookmark: RawObject) => {
    initial = false;
    snapshot ??= await writer.beginSnapshot(query, mediaType, false);
    const kind = bookmark.typeMeta.kind;
    await writer.commitSnapshot(snapshot, {
      apiVersion: bookmark.typeMeta.apiVersion,
      kind: kind === "" ? "" : `${kind}List`,
      resourceVersion: bookmark.meta.resourceVersion,
      continue: "",
    });
    snapshot = undefined;
  };

  const apply = async ({ type, object }: WatchEvent) => {
    if (type === "ERROR") {
      stop();
    } else if (type === "BOOKMARK") {
      if (!initial) await writer.advance(state, object.meta.resourceVersion);
      else if (endsInitialEvents(object)) await endInitialEvents(object);
    } else if (initial && type === "ADDED") {
      snapshot ??= await writer.beginSnapshot(query, mediaType, false);
      await writer.addItem(snapshot, object);
    } else if (type === "DELETED") {
      await writer.remove(state, object, mediaType, since);
    } else {
      await writer.upsert(state, object, mediaType, since);
    }
  };

  return new WritableStream<WatchEvent>({
    async write(event) {
      if (!watching) return;
      try {
        await apply(event);
      } catch (error) {
        stop();
        throw error;
      }
    },
    async close() {
      stop();
      await writer.sync();
    },
    async abort(reason) {
      const caching = watching;
      stop();
      if (caching) await writer.markStale(query, abortReason(reason));
      await writer.sync();
    },
  });
}
