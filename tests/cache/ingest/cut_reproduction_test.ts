/**
 * Issue 10's reproduction, through the real bounded tee and cache branch: a LIST of pods at rv 10
 * (a, b), then a WATCH from 10 whose upstream sends ADDED c, d, e (rv 11–13) in one chunk and then
 * fails (or ends inside a fourth event). The client reads all three events; so must the cache.
 * @module
 */
import { assert, assertEquals } from "../../assert.ts";
import { CacheStore } from "../../../src/cache/store.ts";
import { assertClean, collect, recordOf } from "../helpers.ts";
import {
  type Ending,
  type Format,
  FORMATS,
  listBody,
  NODE_PODS,
  watchBody,
} from "./cut_helpers.ts";
import { drive, nodePodsQuery } from "./cut_helpers.ts";

async function reproduce(format: Format, ending: Ending, tail?: Uint8Array) {
  await using store = await CacheStore.open(":memory:");
  const list = listBody(format, [format.pod("a", "9"), format.pod("b", "10")], "10");
  await drive(store, {
    path: NODE_PODS,
    contentType: format.contentType,
    chunks: [list.bytes],
    ending: "end",
  });
  const events = watchBody(format, [
    { type: "ADDED", object: format.pod("c", "11") },
    { type: "ADDED", object: format.pod("d", "12") },
    { type: "ADDED", object: format.pod("e", "13") },
  ]);
  const chunk = tail ? new Uint8Array([...events.bytes, ...tail]) : events.bytes;
  const received = await drive(store, {
    path: `${NODE_PODS}&watch=true&resourceVersion=10`,
    contentType: format.codec.watchContentType,
    chunks: [chunk],
    ending,
  });
  assertEquals(received.byteLength, chunk.byteLength, "the client read every byte");
  const record = await recordOf(store, nodePodsQuery());
  assert(record, "query recorded");
  const names = (await collect(store.listObjects(record))).map((o) => o.meta.name).sort();
  assertEquals(
    { rv: record.resourceVersion, complete: record.complete, stale: record.stale, names },
    { rv: "13", complete: true, stale: false, names: ["a", "b", "c", "d", "e"] },
  );
  await assertClean(store);
}

for (const format of FORMATS) {
  Deno.test(`cut reproduction (${format.name}): a watch failing after c, d, e keeps all three`, () =>
    reproduce(format, "error"));

  Deno.test(`cut reproduction (${format.name}): a clean end inside a fourth event keeps c, d, e`, () => {
    const fourth = watchBody(format, [{ type: "ADDED", object: format.pod("f", "14") }]).bytes;
    return reproduce(format, "end", fourth.subarray(0, fourth.byteLength - 3));
  });
}
