import assert from "node:assert/strict";
import { JsonListItemSplitter, type ListSegment } from "../../../src/kube/json/list_items.ts";
import { bytesOf, randomChunks, seededRandom, textOf } from "./fixtures.ts";

/** Splits `body` fed as `chunks`; rebuilds it keeping the items `keep` accepts, comma-joined. */
function rebuild(chunks: Uint8Array[], keep: (item: unknown) => boolean = () => true) {
  const splitter = new JsonListItemSplitter();
  const items: string[] = [];
  let out = "";
  let kept = 0;
  const take = (segment: ListSegment) => {
    const text = textOf(segment.bytes);
    if (segment.type === "raw") {
      out += text;
      return;
    }
    items.push(text);
    if (!keep(JSON.parse(text))) return;
    out += (kept++ > 0 ? "," : "") + text;
  };
  for (const chunk of chunks) splitter.push(chunk, take);
  splitter.end();
  return { out, items };
}

const TRICKY = ['a"b', "[", "]", ",", "{", "}", "\\", "\u00e9\u4e2d", "\u2028"];

function randomValue(random: () => number, depth: number): unknown {
  const r = random();
  if (depth > 3 || r < 0.3) return TRICKY[Math.floor(random() * TRICKY.length)] + random();
  if (r < 0.4) return Math.floor(random() * 1e6) / 100;
  if (r < 0.45) return random() < 0.5 ? null : true;
  if (r < 0.7) {
    return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth + 1));
  }
  const object: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) {
    object[`k${i}${TRICKY[i % TRICKY.length]}`] = randomValue(random, depth + 1);
  }
  return object;
}

function randomList(random: () => number) {
  const items = Array.from({ length: Math.floor(random() * 6) }, (_, i) => ({
    metadata: { name: `item-${i}` },
    spec: randomValue(random, 1),
  }));
  const members: [string, unknown][] = [
    ["kind", "ThingList"],
    ["apiVersion", "v1"],
    ["metadata", { resourceVersion: "7", continue: '[],"x' }],
    ["items", items],
  ];
  members.sort(() => random() - 0.5);
  return { list: Object.fromEntries(members), items };
}

Deno.test("list items: seeded lists in any member order, chunking and indentation round-trip", () => {
  const random = seededRandom(1234);
  for (let run = 0; run < 300; run++) {
    const { list, items } = randomList(random);
    const compact = random() < 0.5;
    const text = JSON.stringify(list, null, compact ? undefined : Math.floor(random() * 3));
    const chunks = randomChunks(bytesOf(text), random, 1 + Math.floor(random() * 40));
    const { out, items: seen } = rebuild(chunks);
    assert.deepEqual(JSON.parse(out), list, `run ${run}`);
    assert.deepEqual(seen.map((item) => JSON.parse(item)), items, `run ${run}`);
    // Compact input (as kube-apiserver writes it) comes back byte for byte.
    if (compact) assert.equal(out, text, `run ${run}`);
  }
});

Deno.test("list items: dropping items keeps the rest and the list's other members", () => {
  const random = seededRandom(99);
  for (let run = 0; run < 200; run++) {
    const { list, items } = randomList(random);
    const text = JSON.stringify(list, null, run % 2 === 0 ? undefined : 1);
    const chunks = randomChunks(bytesOf(text), random, 17);
    // deno-lint-ignore no-explicit-any
    const odd = (item: any) => Number(item.metadata.name.slice(5)) % 2 === 1;
    const { out } = rebuild(chunks, odd);
    assert.deepEqual(JSON.parse(out), { ...list, items: items.filter(odd) }, `run ${run}`);
  }
});

Deno.test("list items: null and empty items, and a member named items inside an item", () => {
  for (
    const text of [
      '{"kind":"ThingList","items":null}',
      '{"kind":"ThingList","items":[ ]}',
      '{"items":[{"items":[1,2]}],"kind":"ThingList"}',
    ]
  ) {
    const { out } = rebuild([bytesOf(text)]);
    assert.deepEqual(JSON.parse(out), JSON.parse(text));
  }
});

Deno.test("list items: a truncated or malformed body is an error", () => {
  for (const text of ['{"items":[{"a":1}', '{"items":[1 2]}', '["not a list"]', '{"a":1}}']) {
    assert.throws(() => rebuild([bytesOf(text)]), SyntaxError, text);
  }
});
