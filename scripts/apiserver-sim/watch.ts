/**
 * WATCH streams: the starting point (synthetic ADDED for the current state, replay from a
 * resourceVersion inside the history window, or watch-list initial events ending with the
 * `k8s.io/initial-events-end` bookmark), live events filtered the way the apiserver's watch cache
 * filters them (an object leaving the selection is a DELETED, one entering it an ADDED), periodic
 * bookmarks, `timeoutSeconds`, and a queue bound that ends a watcher too slow to keep up.
 *
 * Events are queued and encoded as the client reads: every read takes all queued frames (up to
 * ~64 KiB), so an event arriving at an idle stream is sent at once.
 * @module
 */
import type { ListOptions } from "../../src/kube/list_options.ts";
import type { Status } from "../../src/kube/status.ts";
import { CHUNK_SIZE, concat, type ServingCodec } from "./encoding.ts";
import type { Json } from "./fixtures.ts";
import { tooLarge, tooOld } from "./list.ts";
import type { ResourceType } from "./resources.ts";
import type { Predicate } from "./selection.ts";
import type { Change, Entry, Store } from "./store.ts";

/** Watch tuning. */
export interface WatchSettings {
  /** Interval between bookmarks (when the client allows them). */
  bookmarkIntervalMs: number;
  /** Timeout when the client sends none. */
  defaultTimeoutSeconds: number;
  /** Queued events beyond which a watcher is ended (the client then re-watches). */
  maxQueuedEvents: number;
}

/** Renders one event object for the chosen representation (object, Table row, metadata). */
export type Render = (eventType: string, object: Entry | Json) => Uint8Array;

/** An open watch; `cut()` aborts the connection as a broken link would. */
export interface OpenWatch {
  stream: ReadableStream<Uint8Array>;
  cut(): void;
}

interface Frame {
  type: string;
  object: Entry | Json;
}

/** The ERROR event stream sent for a too old resourceVersion (200, one event, end). */
export function errorStream(codec: ServingCodec, status: Status): ReadableStream<Uint8Array> {
  return ReadableStream.from([codec.watchEvent("ERROR", status as unknown as Json)]);
}

/** The object of a bookmark event of `type` at `rv`. */
export function bookmarkObject(type: ResourceType, rv: number, initialEventsEnd = false): Json {
  const metadata: Json = { resourceVersion: String(rv) };
  if (initialEventsEnd) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return type.custom
    ? { apiVersion: type.groupVersion, kind: type.kind, metadata }
    : { kind: type.kind, apiVersion: type.groupVersion, metadata };
}

/**
 * Opens a watch of `type` for `options` (already validated), or returns the Status to answer
 * (HTTP error before the stream starts), or `"too-old"` with the Status to send as an ERROR event.
 */
export function openWatch(
  store: Store,
  type: ResourceType,
  options: ListOptions,
  selected: Predicate,
  render: Render,
  settings: WatchSettings,
  onClose: (watch: OpenWatch) => void,
): OpenWatch | { status: Status; asEvent: boolean } {
  const current = store.resourceVersion;
  const initial: Frame[] = [];
  const rvText = options.resourceVersion;
  // parseListOptions refused a resourceVersion that is not a uint64, as kube-apiserver does.
  const asked = rvText === "" || rvText === "0" ? undefined : Number(rvText);
  if (asked !== undefined && asked > current) {
    return { status: tooLarge(asked, current), asEvent: false };
  }
  if (options.sendInitialEvents || asked === undefined) {
    for (const entry of store.current(type)) {
      if (selected(entry)) initial.push({ type: "ADDED", object: entry });
    }
    if (options.sendInitialEvents && options.allowWatchBookmarks) {
      initial.push({ type: "BOOKMARK", object: bookmarkObject(type, current, true) });
    }
  } else {
    const changes = store.changesSince(type, asked);
    if (!changes) return { status: tooOld(asked, store.oldestResourceVersion), asEvent: true };
    for (const change of changes) {
      const event = filter(change, selected);
      if (event) initial.push(event);
    }
  }

  let queue: Frame[] = initial;
  let head = 0;
  const maxQueued = initial.length + settings.maxQueuedEvents;
  let ended = false;
  let wake: (() => void) | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const kick = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const unsubscribe = store.subscribe(type, (change) => {
    if (ended) return;
    const event = filter(change, selected);
    if (!event) return;
    if (queue.length - head >= maxQueued) return finish();
    queue.push(event);
    kick();
  });
  const bookmarks = options.allowWatchBookmarks
    ? setInterval(() => {
      queue.push({ type: "BOOKMARK", object: bookmarkObject(type, store.resourceVersion) });
      kick();
    }, settings.bookmarkIntervalMs)
    : undefined;
  const timeoutSeconds = options.timeoutSeconds && options.timeoutSeconds > 0
    ? options.timeoutSeconds
    : settings.defaultTimeoutSeconds;
  const timeout = setTimeout(() => finish(), timeoutSeconds * 1000);
  let closed = false;
  function stop() {
    if (closed) return;
    closed = true;
    ended = true;
    unsubscribe();
    clearInterval(bookmarks);
    clearTimeout(timeout);
    kick();
    onClose(handle);
  }
  function finish() {
    ended = true;
    queue = [];
    head = 0;
    kick();
  }

  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    async pull(c) {
      while (head === queue.length && !ended) await new Promise<void>((r) => (wake = r));
      if (head === queue.length) {
        stop();
        c.close();
        return;
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      while (head < queue.length && size < CHUNK_SIZE) {
        const frame = queue[head++];
        const bytes = render(frame.type, frame.object);
        parts.push(bytes);
        size += bytes.length;
      }
      if (head === queue.length || head > 4096) {
        queue = queue.slice(head);
        head = 0;
      }
      c.enqueue(concat(parts, size));
    },
    cancel() {
      stop();
    },
  }, { highWaterMark: 0 });
  const handle: OpenWatch = {
    stream,
    cut() {
      if (closed) return;
      stop();
      controller.error(new Error("watch cut by fault injection"));
    },
  };
  return handle;
}

/** The event a watcher with `selected` sees for `change` (as the watch cache converts it). */
function filter(change: Change, selected: Predicate): Frame | undefined {
  const now = change.type !== "DELETED" && selected(change.entry);
  const before = change.prev !== undefined && selected(change.prev);
  if (now && before) return { type: "MODIFIED", object: change.entry };
  if (now) return { type: "ADDED", object: change.entry };
  if (!before) return undefined;
  if (change.type === "DELETED") return { type: "DELETED", object: change.entry };
  // Left the selection: DELETED with the previous state at the new resourceVersion.
  const prev = change.prev!.object;
  return {
    type: "DELETED",
    object: {
      ...prev,
      metadata: { ...(prev.metadata as Json), resourceVersion: String(change.entry.rv) },
    },
  };
}
