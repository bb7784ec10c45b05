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

const encoder = new TextEncoder();

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
  return await ingestWatch(store, target, jsonCodec, body, 3_600_000).then(
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
