/**
 * The watch ingest stores the events a window keeps, decoded as it stores them: an event a later
 * change of its object replaces within the window is framed but never decoded, and a line holding
 * several events is never dropped with its first.
 */
import { assert, assertEquals } from "../../assert.ts";
import { ingestWatch } from "../../../src/cache/ingest/watch.ts";
import { isServable } from "../../../src/cache/query.ts";
import { CacheStore } from "../../../src/cache/store.ts";
import { jsonCodec } from "../../../src/kube/json/codec.ts";
import { assertClean, pod, podQuery, snapshotOf, storeList, summary } from "../helpers.ts";
import { bytesOf, randomChunks, seededRandom, textOf } from "../../kube/json/fixtures.ts";

const encoder = new TextEncoder();

/** A window that stays `ms` long. */
function fixed(ms: number) {
  return { minMs: ms, maxMs: ms };
}

/** A compact MODIFIED event of pod `name` at `rv`, with `extra` members in its spec. */
function modified(name: string, rv: number, spec = '"nodeName":"node-0"'): string {
  return `{"type":"MODIFIED","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"${name}",` +
    `"namespace":"default","resourceVersion":"${rv}"},"spec":{${spec}}}}`;
}

/** Ingests `lines` (one chunk) as a watch from resourceVersion 100 with a window of an hour. */
async function ingest(store: CacheStore, lines: string[]): Promise<unknown> {
  await storeList(store, podQuery(), [pod("a", "10"), pod("b", "10")], "100");
  const body = ReadableStream.from([encoder.encode(lines.join("\n") + "\n")]);
  const target = { query: podQuery(), initialEvents: false, since: "100" };
  return await ingestWatch(store, target, jsonCodec, body, fixed(3_600_000)).then(
    () => undefined,
    (e) => e,
  );
}

Deno.test("watch ingest: an event replaced within the window is never decoded", async () => {
  await using store = await CacheStore.open(":memory:");
  // Structurally one value, but no JSON: decoding it would fail and make the query stale.
  const invalid = modified("a", 101, '"nodeName":"node-0","bad":01');
  assert(await ingest(store, [invalid, modified("a", 102)]) === undefined);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@102", "default/b@10"]);
  assert(isServable(record));
  await assertClean(store);
});

Deno.test("watch ingest: a line with '}{' inside a string is still one event, replaced undecoded", async () => {
  await using store = await CacheStore.open(":memory:");
  const invalid = modified("a", 101, '"nodeName":"node-0","template":"{{.a}}{{.b}}","bad":01');
  assert(await ingest(store, [invalid, modified("a", 102)]) === undefined);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@102", "default/b@10"]);
  assert(isServable(record));
});

Deno.test("watch ingest: an invalid event that is stored makes the query stale", async () => {
  await using store = await CacheStore.open(":memory:");
  const invalid = modified("b", 101, '"nodeName":"node-0","bad":01');
  assert(await ingest(store, [modified("a", 102), invalid]) instanceof SyntaxError);
  const { record } = await snapshotOf(store);
  assert(record.stale);
  await assertClean(store);
});

Deno.test("watch ingest: a line of two events keeps both, even when its first object changes again", async () => {
  await using store = await CacheStore.open(":memory:");
  const both = modified("a", 101) + modified("b", 102);
  assert(await ingest(store, [both, modified("a", 103)]) === undefined);
  const { record, objects } = await snapshotOf(store);
  assertEquals(summary(objects), ["default/a@103", "default/b@102"]);
  assertEquals(record.resourceVersion, "103");
  await assertClean(store);
});

Deno.test("watch ingest: two events on a line keep both whatever whitespace parts them", async () => {
  const random = seededRandom(14);
  const generated = Array.from(
    { length: 24 },
    () =>
      Array.from({ length: 1 + Math.floor(random() * 5) }, () => " \t\r"[Math.floor(random() * 3)])
        .join(""),
  );
  for (const between of ["", " ", "\t", "\r", ...generated]) {
    await using store = await CacheStore.open(":memory:");
    const both = modified("a", 101) + between + modified("b", 102);
    assert(await ingest(store, [both, modified("a", 103)]) === undefined, JSON.stringify(between));
    const { objects } = await snapshotOf(store);
    assertEquals(summary(objects), ["default/a@103", "default/b@102"], JSON.stringify(between));
  }
});

Deno.test("watch ingest: an event whose members repeat is stored as it decodes, or not at all", async () => {
  await using store = await CacheStore.open(":memory:");
  // Framed as pod a, decoded (the last "metadata" wins, as JSON.parse reads it) as pod b.
  const repeated = modified("a", 101).slice(0, -2) +
    ',"metadata":{"name":"b","namespace":"default","resourceVersion":"101"}}}';
  JSON.parse(repeated); // valid JSON
  const error = await ingest(store, [repeated]);
  assert(error instanceof SyntaxError, String(error));
  assert((await snapshotOf(store)).record.stale);
  await assertClean(store);
});

/** One generated change: its type, pod name and resourceVersion. */
interface Change {
  type: "ADDED" | "MODIFIED" | "DELETED";
  name: string;
  rv: number;
}

/** A valid run of changes to a few pods (existing `a` and `b` at the start), rising versions. */
function changes(random: () => number, count: number): Change[] {
  const names = ["a", "b", "c", "d", "e"].slice(0, 2 + Math.floor(random() * 4));
  const live = new Set(["a", "b"]);
  const out: Change[] = [];
  for (let rv = 101; out.length < count; rv++) {
    const name = names[Math.floor(random() * names.length)];
    const roll = random();
    const type = !live.has(name) ? "ADDED" : roll < 0.15 ? "DELETED" : "MODIFIED";
    if (type === "DELETED") live.delete(name);
    else live.add(name);
    out.push({ type, name, rv });
  }
  return out;
}

/** The changes as a watch body: mostly one compact event per line, some sharing a line or not compact. */
function watchBody(list: Change[], random: () => number): string {
  let text = "";
  for (const { type, name, rv } of list) {
    const object = textOf(pod(name, `${rv}`).bytes);
    const layout = random();
    if (layout < 0.1) text += `{"object":${object},"type":"${type}"}\n`;
    else if (layout < 0.25) text += `{"type":"${type}","object":${object}}`; // the next shares the line
    else text += `{"type":"${type}","object":${object}}\n`;
  }
  return text;
}

Deno.test("watch ingest: generated watches leave the cache as applying every event would", async () => {
  for (let seed = 1; seed <= 80; seed++) {
    const random = seededRandom(seed);
    const list = changes(random, 1 + Math.floor(random() * 40));
    // Whole lines in one chunk (framed line first) as often as lines cut across chunks.
    const maxChunk = seed % 2 === 0 ? 64 * 1024 : 200 + seed * 37;
    const chunks = randomChunks(bytesOf(watchBody(list, random)), random, maxChunk);
    // Stored at once, held to the end, or short and growing as events pour in.
    const bounds = [fixed(0), fixed(3_600_000), fixed(3_600_000), { minMs: 1, maxMs: 8 }][seed % 4];
    const model = new Map([["a", 10], ["b", 10]]);
    for (const { type, name, rv } of list) {
      if (type === "DELETED") model.delete(name);
      else model.set(name, rv);
    }
    await using store = await CacheStore.open(":memory:");
    await storeList(store, podQuery(), [pod("a", "10"), pod("b", "10")], "100");
    const target = { query: podQuery(), initialEvents: false, since: "100" };
    await ingestWatch(store, target, jsonCodec, ReadableStream.from(chunks), bounds);
    const { record, objects } = await snapshotOf(store);
    const expected = [...model].map(([name, rv]) => `default/${name}@${rv}`).sort();
    assertEquals(summary(objects), expected, `seed ${seed}`);
    assertEquals(record.resourceVersion, `${list.at(-1)!.rv}`, `seed ${seed}`);
    assert(isServable(record), `seed ${seed}`);
    await assertClean(store);
  }
});
