import { assert, assertEquals } from "../../assert.ts";
import {
  EventWindow,
  FLOOD_EVENTS_PER_MS,
  nextWindowMs,
} from "../../../src/cache/ingest/event_window.ts";
import { decodedFrame, eventKey } from "../../../src/kube/framed_event.ts";
import type { FramedEvent, WatchEvent, WatchEventType } from "../../../src/kube/types.ts";
import { seededRandom } from "../../kube/json/fixtures.ts";

function event(type: WatchEventType, name: string, resourceVersion: number): WatchEvent {
  return {
    type,
    object: {
      meta: {
        name,
        namespace: "default",
        resourceVersion: `${resourceVersion}`,
        uid: "",
        labels: {},
      },
      fields: {},
      typeMeta: { apiVersion: "v1", kind: "Pod" },
      bytes: new Uint8Array(100 + resourceVersion % 7),
    },
  };
}

/** A watch cache in miniature: objects by name, their deletions, the newest resourceVersion. */
class Model {
  objects = new Map<string, string>();
  deleted: string[] = [];
  resourceVersion = 0;
  apply({ type, object }: WatchEvent): void {
    this.resourceVersion = Math.max(this.resourceVersion, Number(object.meta.resourceVersion));
    if (type === "DELETED") {
      this.objects.delete(object.meta.name);
      this.deleted.push(object.meta.name);
    } else if (type !== "BOOKMARK" && type !== "ERROR") {
      this.objects.set(object.meta.name, object.meta.resourceVersion);
    }
  }
}

/**
 * A frame holding `events`: one decoded event, or (as a JSON line holding several values) more,
 * known by its first and never proven single.
 */
function frameOf(events: WatchEvent[]): FramedEvent {
  if (events.length === 1) return decodedFrame(events[0]);
  return {
    type: events[0].type,
    key: eventKey(events[0]),
    size: 1,
    replaceable: () => false,
    decode: () => events,
  };
}

/** What the ingest does with a window: stores what waits when an event does not merge. */
function throughWindow(frames: FramedEvent[], random: () => number): WatchEvent[] {
  const window = new EventWindow();
  const stored: WatchEvent[] = [];
  const store = (frames: FramedEvent[]) => stored.push(...frames.flatMap((f) => f.decode()));
  for (const frame of frames) {
    if (!window.add(frame)) {
      store(window.take());
      if (!window.add(frame)) store([frame]);
    }
    if (random() < 0.1) store(window.take()); // the window's time ran out
  }
  store(window.take());
  return stored;
}

/** `events` cut into frames of one event, with now and then a frame of two. */
function framesOf(events: WatchEvent[], random: () => number): FramedEvent[] {
  const frames: FramedEvent[] = [];
  for (let i = 0; i < events.length; i++) {
    const two = i + 1 < events.length && random() < 0.15;
    frames.push(frameOf(events.slice(i, two ? i + 2 : i + 1)));
    if (two) i++;
  }
  return frames;
}

const TYPES: WatchEventType[] = [
  "ADDED",
  "MODIFIED",
  "MODIFIED",
  "MODIFIED",
  "DELETED",
  "BOOKMARK",
];

Deno.test("event window: storing what the window passes on leaves the cache as storing every event", () => {
  for (let seed = 1; seed <= 2000; seed++) {
    const random = seededRandom(seed);
    const names = ["a", "b", "c", "d"].slice(0, 1 + Math.floor(random() * 4));
    const events = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => {
      const type = TYPES[Math.floor(random() * TYPES.length)];
      const name = type === "BOOKMARK" ? "" : names[Math.floor(random() * names.length)];
      return event(type, name, 10 + i);
    });
    const all = new Model();
    for (const e of events) all.apply(e);
    const stored = throughWindow(framesOf(events, random), random);
    const windowed = new Model();
    for (const e of stored) windowed.apply(e);
    assertEquals(windowed.objects, all.objects, `seed ${seed}`);
    assertEquals(windowed.resourceVersion, all.resourceVersion, `seed ${seed}`);
    // Nothing but a MODIFIED is ever left out, and no event is stored twice or out of its order.
    const left = events.filter((e) => !stored.includes(e));
    assert(left.every((e) => e.type === "MODIFIED"), `seed ${seed}`);
    assertEquals(stored, events.filter((e) => stored.includes(e)), `seed ${seed}`);
    // Every deletion is stored, so the tombstones are the same.
    assertEquals(windowed.deleted, all.deleted, `seed ${seed}`);
  }
});

Deno.test("event window: a flood of changes to a few objects is stored once per object", () => {
  const window = new EventWindow();
  for (let i = 0; i < 1000; i++) {
    assert(window.add(decodedFrame(event("MODIFIED", `pod-${i % 10}`, 100 + i))));
  }
  const stored = window.take().flatMap((frame) => frame.decode());
  assertEquals(stored.map((e) => e.object.meta.resourceVersion), [
    "1090",
    "1091",
    "1092",
    "1093",
    "1094",
    "1095",
    "1096",
    "1097",
    "1098",
    "1099",
  ]);
  assertEquals([window.size, window.bytes], [0, 0]);
});

Deno.test("event window: bookmarks, errors, unnamed objects and changes after a deletion do not merge", () => {
  const window = new EventWindow();
  const add = (type: WatchEventType, name: string, resourceVersion: number) =>
    window.add(decodedFrame(event(type, name, resourceVersion)));
  assert(!add("BOOKMARK", "", 5));
  assert(!add("ERROR", "", 5));
  assert(!add("MODIFIED", "", 5));
  assert(add("DELETED", "a", 6));
  assert(!add("ADDED", "a", 7));
  assert(!add("MODIFIED", "a", 7));
  assert(add("ADDED", "b", 8));
  assert(!add("MODIFIED", "b", 9), "an ADDED may be a watch-list's initial item");
  assertEquals(window.size, 2);
});

Deno.test("event window: a frame not proven single is never replaced", () => {
  const window = new EventWindow();
  assert(window.add(frameOf([event("MODIFIED", "a", 5), event("MODIFIED", "b", 6)])));
  assert(!window.add(decodedFrame(event("MODIFIED", "a", 7))));
  assert(window.add(decodedFrame(event("MODIFIED", "b", 8))));
  assertEquals(window.size, 2);
});

Deno.test("event window length: grows under a flood up to its bound, shrinks back when it ends", () => {
  const bounds = { minMs: 20, maxMs: 80 };
  const flood = (ms: number) => ms * FLOOD_EVENTS_PER_MS; // arrivals at exactly the flood rate
  const lengths = [20];
  for (let i = 0; i < 4; i++) {
    lengths.push(nextWindowMs(lengths.at(-1)!, flood(lengths.at(-1)!), bounds));
  }
  assertEquals(lengths, [20, 40, 80, 80, 80]);
  assertEquals(nextWindowMs(20, flood(20) - 1, bounds), 20, "just below the flood rate");
  assertEquals(nextWindowMs(80, flood(80) / 2, bounds), 80, "between the rates it holds");
  const calm = [80];
  for (let i = 0; i < 3; i++) calm.push(nextWindowMs(calm.at(-1)!, 1, bounds));
  assertEquals(calm, [80, 40, 20, 20]);
  assertEquals(nextWindowMs(0, 1_000, { minMs: 0, maxMs: 0 }), 0, "a zero window stays zero");
});
