/**
 * Watch events waiting to be stored, coalesced per object: a MODIFIED or DELETED event replaces
 * the MODIFIED event of the same object still waiting, since storing the older one would only be
 * overwritten — and the older one is then never decoded (its frame must be proven to hold that
 * one event: `FramedEvent.replaceable`). Nothing else merges — an ADDED (it may belong to a
 * watch-list's initial listing), anything after a DELETED (a re-creation stays a deletion and a
 * new object), a BOOKMARK, an ERROR, an event of an object not known without decoding, or a frame
 * not proven single: {@linkcode EventWindow.add} refuses those, and the caller stores what waits
 * first. Applying the window's events in order leaves every object, and the query's
 * resourceVersion, as applying all the events would. How long a window stays open adapts to the
 * stream's rate ({@linkcode nextWindowMs}). Pure: no I/O.
 * @module
 */
import type { FramedEvent } from "../../kube/types.ts";

/** Events waiting, at most one per object, in the order of each one's latest change. */
export class EventWindow {
  #events = new Map<string, FramedEvent>();
  #bytes = 0;
  #arrivals = 0;

  /** How many events wait. */
  get size(): number {
    return this.#events.size;
  }

  /** The bytes of the waiting events. */
  get bytes(): number {
    return this.#bytes;
  }

  /** The events added since the window was last taken, replaced ones included. */
  get arrivals(): number {
    return this.#arrivals;
  }

  /**
   * Adds `event`, replacing the waiting MODIFIED event of its object; false (nothing added) when
   * it does not merge (see the module doc): store the waiting events, then this one.
   */
  add(event: FramedEvent): boolean {
    const { type, key } = event;
    if (type === "BOOKMARK" || type === "ERROR" || key === undefined) return false;
    const waiting = this.#events.get(key);
    if (waiting) {
      if (waiting.type !== "MODIFIED" || type === "ADDED" || !waiting.replaceable()) return false;
      this.#events.delete(key);
      this.#bytes -= waiting.size;
    }
    this.#events.set(key, event);
    this.#bytes += event.size;
    this.#arrivals++;
    return true;
  }

  /** Takes the waiting events, in order, leaving the window empty. */
  take(): FramedEvent[] {
    const events = [...this.#events.values()];
    this.#events.clear();
    this.#bytes = 0;
    this.#arrivals = 0;
    return events;
  }
}

/** The bounds of a watch's coalescing window, in milliseconds. */
export interface WindowBounds {
  /** The window while events arrive slowly, and the shortest it gets. */
  minMs: number;
  /** The longest the window grows under a flood. */
  maxMs: number;
}

/**
 * Arrivals per millisecond from which a stream counts as a flood (5,000 events a second): the
 * window doubles, up to its bound, while a window closes on time with at least this rate, and
 * halves, down to its bound, once the rate falls below a quarter of it.
 */
export const FLOOD_EVENTS_PER_MS = 5;

/**
 * How long the next window stays open, after one of `windowMs` closed on time having taken
 * `arrivals` events (replaced ones included). Between the two rates the length holds, so a
 * stream near the threshold does not flip it every window.
 */
export function nextWindowMs(windowMs: number, arrivals: number, bounds: WindowBounds): number {
  if (arrivals >= windowMs * FLOOD_EVENTS_PER_MS) return Math.min(windowMs * 2, bounds.maxMs);
  if (arrivals < windowMs * FLOOD_EVENTS_PER_MS / 4) return Math.max(windowMs / 2, bounds.minMs);
  return windowMs;
}
