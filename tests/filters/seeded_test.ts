/**
 * Generated cases: random lists and watches, cut at random points, through a filter that drops,
 * rewrites or keeps each object by its name. Every object the filter keeps must come out exactly
 * once, in order, with its own bytes (or its rewrite), in both encodings.
 */
import assert from "node:assert/strict";
import type { ObjectFilter } from "../../src/filters/filter.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { readObjectMeta } from "../../src/kube/protobuf/object_meta.ts";
import { setString } from "../../src/kube/protobuf/rewrite.ts";
import { concat } from "../../src/streams/concat.ts";
import { classify } from "../../src/proxy/classify.ts";
import { randomChunks, seededRandom } from "../kube/json/fixtures.ts";
import {
  configMap,
  type Event,
  JSON_TYPE,
  jsonList,
  jsonWatch,
  jsonWatchEvents,
  parse,
  PB_TYPE,
  PB_WATCH_TYPE,
  pbList,
  pbListItems,
  pbWatch,
  pbWatchEvents,
  type Twin,
  TYPES,
} from "./objects.ts";

/** Names starting `drop-` are dropped, `edit-` get metadata.generateName "edited". */
const byName: ObjectFilter = {
  name: "inclusterconfig",
  verbs: { configmaps: ["list", "watch"] },
  needles: ["drop-", "edit-"],
  json(object) {
    // deno-lint-ignore no-explicit-any
    const meta = object.metadata as any;
    if (meta.name.startsWith("drop-")) return Promise.resolve(null);
    if (!meta.name.startsWith("edit-")) return Promise.resolve(undefined);
    meta.generateName = "edited";
    return Promise.resolve(object);
  },
  protobuf(message) {
    const name = readObjectMeta(message).name;
    if (name.startsWith("drop-")) return Promise.resolve(null);
    if (!name.startsWith("edit-")) return Promise.resolve(undefined);
    return Promise.resolve(setString(message, [1, 2], "edited"));
  },
};
const filter = responseFilter([{ filter: byName, components: new Set(["kubelet"]) }]);

function randomTwins(random: () => number): Twin[] {
  const kinds = ["drop", "edit", "keep"];
  return Array.from({ length: Math.floor(random() * 12) }, (_, i) => {
    const kind = kinds[Math.floor(random() * 3)];
    return configMap("ns", `${kind}-${i}`, "x".repeat(Math.floor(random() * 300)));
  });
}

async function through(path: string, contentType: string, body: Uint8Array, random: () => number) {
  const url = new URL(path, "http://holdfast.test");
  const classified = classify(
    new Request(url, { headers: { "user-agent": "kubelet/1" } }),
    url,
    "*",
  );
  const transform = filter(
    classified,
    new Response(null, { headers: { "content-type": contentType } }),
  )!;
  const chunks = randomChunks(body, random, 1 + Math.floor(random() * 200));
  return concat(await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(transform)));
}

const expectedName = (twin: Twin) => twin.json.metadata as { name: string };

Deno.test("seeded: lists keep every kept item once, in order, in both encodings", async () => {
  const random = seededRandom(2026);
  for (let run = 0; run < 150; run++) {
    const twins = randomTwins(random);
    const kept = twins.filter((t) => !expectedName(t).name.startsWith("drop-"));
    const names = kept.map((t) => expectedName(t).name);
    const json = parse(
      await through(
        "/api/v1/configmaps",
        JSON_TYPE,
        jsonList(TYPES.configmaps, twins.map((t) => t.json)),
        random,
      ),
    );
    // deno-lint-ignore no-explicit-any
    const items = json.items as any[];
    assert.deepEqual(items.map((i) => i.metadata.name), names, `run ${run}`);
    for (const [i, item] of items.entries()) {
      const edited = item.metadata.name.startsWith("edit-");
      assert.equal(item.metadata.generateName, edited ? "edited" : "generateNameValue");
      if (!edited) assert.deepEqual(item, kept[i].json);
    }
    const pb = pbListItems(
      await through(
        "/api/v1/configmaps",
        PB_TYPE,
        pbList(TYPES.configmaps, twins.map((t) => t.pb)),
        random,
      ),
    );
    assert.deepEqual(pb.map((item) => readObjectMeta(item).name), names, `run ${run}`);
    for (const [i, item] of pb.entries()) {
      if (!names[i].startsWith("edit-")) assert.deepEqual(item, kept[i].pb);
    }
  }
});

Deno.test("seeded: watches keep every event, dropped objects as DELETED, in both encodings", async () => {
  const random = seededRandom(7);
  const types = ["ADDED", "MODIFIED", "DELETED", "BOOKMARK"];
  for (let run = 0; run < 150; run++) {
    const events: Event<Twin>[] = randomTwins(random).map((
      twin,
    ) => [types[Math.floor(random() * 4)], twin]);
    const expected = events.map(([type, twin]) => {
      const name = expectedName(twin).name;
      const filtered = type !== "BOOKMARK";
      return [filtered && name.startsWith("drop-") ? "DELETED" : type, name];
    });
    const json = jsonWatchEvents(
      await through(
        "/api/v1/configmaps?watch=1",
        JSON_TYPE,
        jsonWatch(events.map(([type, twin]) => [type, twin.json])),
        random,
      ),
    );
    assert.deepEqual(
      json.map(([type, object]) => [type, (object.metadata as { name: string }).name]),
      expected,
      `run ${run}`,
    );
    const pb = pbWatchEvents(
      await through(
        "/api/v1/configmaps?watch=1",
        PB_WATCH_TYPE,
        pbWatch(TYPES.configmaps, events.map(([type, twin]) => [type, twin.pb])),
        random,
      ),
    );
    assert.deepEqual(
      pb.map(([type, object]) => [type, readObjectMeta(object).name]),
      expected,
      `run ${run}`,
    );
    for (const [i, [, object]] of pb.entries()) {
      if (!expected[i][1].startsWith("edit-") || events[i][0] === "BOOKMARK") {
        assert.deepEqual(object, events[i][1].pb);
      }
    }
  }
});
