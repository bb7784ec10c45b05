/**
 * Property: whatever byte a response is cut at, the cache holds exactly what its client received.
 * For JSON and protobuf, a LIST, a paginated LIST, a WATCH and a watch-list (initial events, the
 * bookmark ending them, live changes) are generated from a seed and driven through the real
 * bounded tee and cache branch, cut at every byte offset (split into seeded random chunks), with
 * the source then failing or ending cleanly (mid-object, for every offset but the last).
 * Afterwards a LIST left the previous snapshot as it was unless the client received the whole list
 * and the source ended by itself; a WATCH applied exactly the events whose last byte the client
 * received (a watch-list replaced the snapshot once its end bookmark was received); the query is
 * complete and fresh; `verify` is clean. About half the cases (seeded) starve the cache branch
 * (each chunk held back a macrotask), so the client is done and the cut known long before the
 * cache has decoded what it was sent.
 * @module
 */
import { assert, assertEquals } from "../../assert.ts";
import { CacheStore } from "../../../src/cache/store.ts";
import { rawObjectFromJson } from "../../../src/kube/json/object.ts";
import { toRawObject } from "../../../src/kube/protobuf/object.ts";
import { replaceField } from "../../../src/kube/protobuf/rewrite.ts";
import { concat } from "../../../src/streams/concat.ts";
import { messageField, stringField } from "../../../src/kube/protobuf/wire.ts";
import type { RawObject, WatchEventType } from "../../../src/kube/types.ts";
import { assertClean, collect, recordOf } from "../helpers.ts";
import { seededRandom } from "../../kube/json/fixtures.ts";
import {
  type Body,
  drive,
  type Ending,
  type Format,
  FORMATS,
  JSON_FORMAT,
  listBody,
  NODE_PODS,
  nodePodsQuery,
  watchBody,
} from "./cut_helpers.ts";

/** What the cache must show for the query afterwards. */
interface Expected {
  resourceVersion: string;
  /** `name@resourceVersion`, sorted. */
  objects: string[];
}

/** The snapshot every case starts from. */
const BASE: Expected = { resourceVersion: "10", objects: ["a@9", "b@10"] };

function names(objects: Map<string, string>): string[] {
  return [...objects].map(([name, rv]) => `${name}@${rv}`).sort();
}

/** `bytes[0, length)` in 1–4 chunks split at seeded random offsets. */
function chunked(bytes: Uint8Array, length: number, random: () => number): Uint8Array[] {
  const cuts = new Set<number>();
  const extra = Math.floor(random() * 4);
  for (let i = 0; i < extra && length > 1; i++) cuts.add(1 + Math.floor(random() * (length - 1)));
  const offsets = [0, ...[...cuts].sort((x, y) => x - y), length];
  const chunks: Uint8Array[] = [];
  for (let i = 1; i < offsets.length; i++) {
    if (offsets[i] > offsets[i - 1]) chunks.push(bytes.subarray(offsets[i - 1], offsets[i]));
  }
  return chunks;
}

/**
 * The lengths at which a prefix of a list body is a whole list: its end, and before each piece
 * that adds nothing after the list (a JSON list's trailing newline; a protobuf list's empty
 * envelope fields contentEncoding 3 and contentType 4, two bytes each).
 */
function wholeAt(format: Format, body: Uint8Array): Set<number> {
  const end = body.byteLength;
  const ends = new Set([end]);
  if (format === JSON_FORMAT) {
    for (let at = end; at > 0 && body[at - 1] === 0x0a; at--) ends.add(at - 1);
  } else if ([0x1a, 0, 0x22, 0].every((byte, i) => body[end - 4 + i] === byte)) {
    ends.add(end - 2).add(end - 4); // before contentType, before contentEncoding
  }
  return ends;
}

/** A generated case: the responses before the cut one, the cut one, and the oracle. */
interface Scenario {
  name: string;
  /** Responses sent whole before the one that is cut (after the base LIST). */
  before: { query: string; body: Body }[];
  /** What the cut request adds to the LIST's query string (`&continue=…`, `&watch=true…`). */
  query: string;
  contentType: string;
  body: Body;
  /** What the cache must hold when the client received `length` bytes and the source `ending`. */
  expect(length: number, ending: Ending): Expected;
  /** The response that completes what the cut one left waiting (a listing's next page), if any. */
  next?(length: number, ending: Ending): { query: string; body: Body; expected: Expected } | void;
}

function pods(format: Format, random: () => number, prefix: string, rv: number): RawObject[] {
  return Array.from(
    { length: Math.floor(random() * 3) },
    (_, i) => format.pod(`${prefix}${i}`, String(rv - i)),
  );
}

function summary(objects: RawObject[]): string[] {
  return objects.map((o) => `${o.meta.name}@${o.meta.resourceVersion}`).sort();
}

function listScenario(format: Format, random: () => number): Scenario {
  const items = pods(format, random, "l", 20);
  const body = listBody(format, items, "20");
  const whole = wholeAt(format, body.bytes);
  return {
    name: "list",
    before: [],
    query: "",
    contentType: format.contentType,
    body,
    expect: (length, ending) =>
      whole.has(length) && ending === "end"
        ? { resourceVersion: "20", objects: summary(items) }
        : BASE,
  };
}

function pagedScenario(format: Format, random: () => number, cutFirst: boolean): Scenario {
  const first = pods(format, random, "p", 20);
  const second = pods(format, random, "q", 30);
  const page1 = listBody(format, first, "20", "token-1");
  const page2 = listBody(format, second, "20");
  const whole = wholeAt(format, (cutFirst ? page1 : page2).bytes);
  const listed = { resourceVersion: "20", objects: summary([...first, ...second]) };
  return {
    name: cutFirst ? "paged list, page 1 cut" : "paged list, page 2 cut",
    before: cutFirst ? [] : [{ query: "", body: page1 }],
    query: cutFirst ? "" : "&continue=token-1",
    contentType: format.contentType,
    body: cutFirst ? page1 : page2,
    // A first page alone never replaces the snapshot: its listing waits for page 2.
    expect: (length, ending) => !cutFirst && whole.has(length) && ending === "end" ? listed : BASE,
    next(length, ending) {
      if (!cutFirst || !whole.has(length) || ending !== "end") return;
      return { query: "&continue=token-1", body: page2, expected: listed };
    },
  };
}

type Event = { type: WatchEventType; object: RawObject };

/**
 * Appends `count` seeded events (ADDED, MODIFIED, DELETED, BOOKMARK) at resourceVersions after
 * `rv` to `events`, changing `live` (name → resourceVersion) as they go; returns the state after
 * each.
 */
function changes(
  format: Format,
  random: () => number,
  live: Map<string, string>,
  rv: number,
  count: number,
  events: Event[],
): Expected[] {
  const states: Expected[] = [];
  for (let i = 0; i < count; i++) {
    rv++;
    const roll = random();
    const existing = [...live.keys()];
    const name = existing[Math.floor(random() * existing.length)];
    if (roll < 0.15) {
      events.push({ type: "BOOKMARK", object: format.pod("", String(rv)) });
    } else if (roll < 0.35 && name) {
      live.delete(name);
      events.push({ type: "DELETED", object: format.pod(name, String(rv)) });
    } else if (roll < 0.6 && name) {
      live.set(name, String(rv));
      events.push({ type: "MODIFIED", object: format.pod(name, String(rv)) });
    } else {
      const fresh = `w${rv}`;
      live.set(fresh, String(rv));
      events.push({ type: "ADDED", object: format.pod(fresh, String(rv)) });
    }
    states.push({ resourceVersion: String(rv), objects: names(live) });
  }
  return states;
}

/** The events whose last byte is within the first `length` bytes of `body`. */
function seen(body: Body, length: number): number {
  return body.ends.filter((end) => end <= length).length;
}

function watchScenario(format: Format, random: () => number): Scenario {
  const events: Event[] = [];
  const live = new Map([["a", "9"], ["b", "10"]]);
  const states = changes(format, random, live, 10, 2 + Math.floor(random() * 2), events);
  const body = watchBody(format, events);
  return {
    name: "watch",
    before: [],
    query: "&watch=true&resourceVersion=10",
    contentType: format.codec.watchContentType,
    body,
    expect: (length) => seen(body, length) === 0 ? BASE : states[seen(body, length) - 1],
  };
}

/** The BOOKMARK that ends a watch-list's initial events, at `rv`. */
function initialEventsEnd(format: Format, rv: string): RawObject {
  if (format === JSON_FORMAT) {
    const metadata = { resourceVersion: rv, annotations: { "k8s.io/initial-events-end": "true" } };
    const json = JSON.stringify({ kind: "Pod", apiVersion: "v1", metadata });
    return rawObjectFromJson(new TextEncoder().encode(json), "pods");
  }
  const annotation = concat([
    stringField(1, "k8s.io/initial-events-end"),
    stringField(2, "true"),
  ]);
  const bytes = replaceField(format.pod("", rv).bytes, [1, 12], [messageField(12, annotation)]);
  return toRawObject({ apiVersion: "v1", kind: "Pod" }, bytes);
}

/**
 * A watch-list (`sendInitialEvents=true`): initial ADDED events, the bookmark ending them at rv 20,
 * then live changes. Until the bookmark is received whole the previous snapshot stays; from then
 * on the initial objects replace it and each change received whole is applied.
 */
function watchListScenario(format: Format, random: () => number): Scenario {
  const events: Event[] = [];
  const live = new Map<string, string>();
  const count = Math.floor(random() * 3);
  for (let i = 0; i < count; i++) {
    live.set(`i${i}`, String(20 - i));
    events.push({ type: "ADDED", object: format.pod(`i${i}`, String(20 - i)) });
  }
  const initial = events.length;
  events.push({ type: "BOOKMARK", object: initialEventsEnd(format, "20") });
  const listed: Expected = { resourceVersion: "20", objects: names(live) };
  const states = changes(format, random, live, 20, Math.floor(random() * 2), events);
  const body = watchBody(format, events);
  return {
    name: "watch-list",
    before: [],
    query: "&watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan" +
      "&allowWatchBookmarks=true",
    contentType: format.codec.watchContentType,
    body,
    expect(length) {
      const received = seen(body, length);
      if (received <= initial) return BASE;
      return received === initial + 1 ? listed : states[received - initial - 2];
    },
  };
}

/** Runs `scenario` cut after `length` bytes, on a fresh store. */
async function runCase(
  format: Format,
  scenario: Scenario,
  length: number,
  ending: Ending,
  slowCache: boolean,
  random: () => number,
): Promise<void> {
  await using store = await CacheStore.open(":memory:");
  const whole = (query: string, body: Body) =>
    drive(store, {
      path: NODE_PODS + query,
      contentType: format.contentType,
      chunks: [body.bytes],
      ending: "end",
    });
  await whole("", listBody(format, [format.pod("a", "9"), format.pod("b", "10")], "10"));
  for (const response of scenario.before) await whole(response.query, response.body);
  const received = await drive(store, {
    path: NODE_PODS + scenario.query,
    contentType: scenario.contentType,
    chunks: chunked(scenario.body.bytes, length, random),
    ending,
    slowCache,
  });
  const label = `${format.name} ${scenario.name}, ${length} of ${scenario.body.bytes.byteLength} ` +
    `bytes then ${ending}${slowCache ? ", slow cache" : ""}`;
  assertEquals(received.byteLength, length, `${label}: the client read what was sent`);
  const check = async (expected: Expected, when: string) => {
    const record = await recordOf(store, nodePodsQuery());
    const objects = record ? summary(await collect(store.listObjects(record))) : [];
    assertEquals(
      {
        resourceVersion: record?.resourceVersion,
        objects,
        complete: record?.complete,
        stale: record?.stale,
      },
      { ...expected, complete: true, stale: false },
      `${label}${when}`,
    );
  };
  await check(scenario.expect(length, ending), "");
  const next = scenario.next?.(length, ending);
  if (next) {
    await whole(next.query, next.body);
    await check(next.expected, ", then the next page");
  }
  try {
    await assertClean(store);
  } catch (error) {
    throw new Error(`${label}: ${error}`);
  }
}

const SCENARIOS = [
  listScenario,
  (format: Format, random: () => number) => pagedScenario(format, random, true),
  (format: Format, random: () => number) => pagedScenario(format, random, false),
  watchScenario,
  watchListScenario,
];

Deno.test("cut property: at every byte the cache holds what the client received", async () => {
  const random = seededRandom(0x5eed);
  const counts = { cases: 0, starved: 0 };
  for (const format of FORMATS) {
    for (const make of SCENARIOS) {
      const scenario = make(format, random);
      for (let length = 0; length <= scenario.body.bytes.byteLength; length++) {
        for (const ending of ["error", "end"] as const) {
          const starved = random() < 0.5;
          await runCase(format, scenario, length, ending, starved, random);
          counts.cases++;
          if (starved) counts.starved++;
        }
      }
    }
  }
  // Several thousand cases, about half of them with the cache branch starved.
  assert(counts.cases > 3000 && counts.starved > counts.cases / 3, JSON.stringify(counts));
});
