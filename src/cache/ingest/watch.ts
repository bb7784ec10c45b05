/**
 * One WATCH stream into the cache: framed event by event, coalesced per object over a short
 * window (see `event_window.ts`), decoded when stored (an event replaced while it waits is never
 * decoded), and stored through the query's watch sink. A cut watch, or one ending inside an
 * event, ends after its last whole event, as if closed; a malformed event marks the query stale.
 *
 * Decision: events wait up to {@linkcode WATCH_WINDOW.minMs} before they are stored, so that an
 * object changing faster than that is stored once per window instead of once per change (status
 * updates, endpoint churn, the bench's watch flood); the cache is that much later, never the
 * client, which gets each event as the tee passes it on. Under a flood (`nextWindowMs`) the window
 * grows up to {@linkcode WATCH_WINDOW.maxMs}: storing fewer, later copies of the same objects is
 * what keeps the ingest, which shares the proxy's thread, from falling behind the stream and
 * giving the query up as stale. A window is stored early when it holds
 * {@linkcode MAX_WINDOW_BYTES}, and at once when the stream ends.
 * @module
 */
import type { WireCodec } from "../../kube/codec.ts";
import type { FramedEvent } from "../../kube/types.ts";
import { TruncatedBody } from "../../streams/ordered_transform.ts";
import type { QueryIdentity } from "../query.ts";
import type { CacheStore } from "../store.ts";
import { EventWindow, nextWindowMs, type WindowBounds } from "./event_window.ts";

/** How long an event may wait to be coalesced before it is stored: 20 ms, 80 ms under a flood. */
export const WATCH_WINDOW: Readonly<WindowBounds> = { minMs: 20, maxMs: 80 };

/** The object bytes a window may hold before it is stored early. */
export const MAX_WINDOW_BYTES = 4 * 1024 * 1024;

/** The window's time is up (in place of an event). */
const WINDOW_CLOSED = Symbol("window closed");

/**
 * Stores the WATCH stream `body` of `target.query`; rejects with the reason it was given up.
 * `bounds` overrides {@linkcode WATCH_WINDOW}.
 */
export async function ingestWatch(
  store: CacheStore,
  target: { query: QueryIdentity; initialEvents: boolean; since: string },
  codec: WireCodec,
  body: ReadableStream<Uint8Array>,
  bounds: WindowBounds = WATCH_WINDOW,
): Promise<void> {
  const { query, initialEvents, since } = target;
  const sink = store.watchSink(query, codec.mediaType, { initialEvents, since }).getWriter();
  const events = body.pipeThrough(codec.watchFramer(query.resource)).getReader();
  const window = new EventWindow();
  let windowMs = bounds.minMs;
  let closesAt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed: Promise<typeof WINDOW_CLOSED> | undefined;
  let reading: Promise<ReadableStreamReadResult<FramedEvent>> | undefined;

  const write = async (event: FramedEvent) => {
    for (const decoded of event.decode()) await sink.write(decoded);
  };
  const storeWindow = async (onTime = false) => {
    clearTimeout(timer);
    closed = undefined;
    if (onTime) windowMs = nextWindowMs(windowMs, window.arrivals, bounds);
    for (const event of window.take()) await write(event);
  };
  const take = async (event: FramedEvent) => {
    if (!window.add(event)) {
      await storeWindow();
      if (!window.add(event)) return await write(event);
    }
    if (window.size === 1 && !closed) {
      closesAt = performance.now() + windowMs;
      closed = new Promise((resolve) => timer = setTimeout(() => resolve(WINDOW_CLOSED), windowMs));
    }
    if (window.bytes >= MAX_WINDOW_BYTES) await storeWindow();
    else if (performance.now() >= closesAt) await storeWindow(true);
  };

  for (;;) {
    let next: ReadableStreamReadResult<FramedEvent> | typeof WINDOW_CLOSED;
    try {
      reading ??= events.read();
      next = closed ? await Promise.race([reading, closed]) : await reading;
      if (next !== WINDOW_CLOSED) reading = undefined;
    } catch (error) {
      clearTimeout(timer);
      // Ending inside an event: the client got no further whole event either.
      if (!(error instanceof TruncatedBody)) {
        await sink.abort(error);
        throw error;
      }
      next = { done: true, value: undefined };
    }
    try {
      if (next === WINDOW_CLOSED) await storeWindow(true);
      else if (!next.done) await take(next.value);
      else {
        await storeWindow();
        return await sink.close(); // a cut watch ends after its last whole event
      }
    } catch (error) {
      // A malformed event decoded as it was stored, or the sink failing.
      clearTimeout(timer);
      await events.cancel(error).catch(() => {});
      await sink.abort(error).catch(() => {});
      throw error;
    }
  }
}
