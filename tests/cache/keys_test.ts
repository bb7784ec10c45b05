import { assert, assertEquals } from "../assert.ts";
import {
  blobPartKey,
  documentHeaderKey,
  encodedKeySize,
  eventQueueItemKey,
  generationKey,
  MAX_KEY_BYTES,
  parseBlobPartKey,
  parseDocumentHeaderKey,
  parseEventQueueItemKey,
  parseGenerationKey,
  parsePendingBlobKey,
  parseQueryKey,
  parseResourceKey,
  parseSingleKey,
  parseSnapshotKey,
  parseTombstoneKey,
  pendingBlobKey,
  queryKey,
  resourceKey,
  singleKey,
  snapshotKey,
  tombstoneKey,
} from "../../src/cache/keys.ts";
import type { QueryIdentity } from "../../src/cache/query.ts";

/** Strings a hostile client can put in names, selectors and paths. */
const HOSTILE = [
  "",
  "#",
  "#deadbeef",
  "\0",
  "a\0b",
  "c",
  "q",
  "..",
  "/",
  " ",
  "app in (a,b),!x",
  "metadata.name!=x,spec.nodeName=",
  '["c","q"]',
  "é€😀",
  "\ud800",
  "x".repeat(3000),
];

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const next = random(seed);
  const string = () => {
    if (next() < 0.5) return HOSTILE[Math.floor(next() * HOSTILE.length)];
    const length = Math.floor(next() * 12);
    return Array.from({ length }, () => String.fromCodePoint(Math.floor(next() * 0x2fff))).join(
      "",
    );
  };
  const int = () => Math.floor(next() * 2 ** 40);
  return { next, string, int };
}

const CASES = 300;

function eachCase(run: (g: ReturnType<typeof generator>) => void) {
  for (let seed = 1; seed <= CASES; seed++) run(generator(seed));
}

Deno.test("keys: query keys parse back to their identity (or, when too long, a digest)", () => {
  let digested = 0;
  eachCase((g) => {
    const identity: QueryIdentity = {
      component: g.string(),
      group: g.string(),
      version: g.string(),
      resource: g.string(),
      namespace: g.string(),
      labelSelector: g.string(),
      fieldSelector: g.string(),
      transform: g.string(),
    };
    if (g.next() < 0.5) identity.format = g.string();
    const key = queryKey(identity);
    const parsed = parseQueryKey(key);
    assert(parsed, `query key ${JSON.stringify(key).slice(0, 200)} does not parse`);
    const { component, group, version, resource } = identity;
    assertEquals(
      [parsed.component, parsed.group, parsed.version, parsed.resource],
      [component, group, version, resource],
    );
    if (parsed.identity) {
      assert(encodedKeySize(key) <= MAX_KEY_BYTES);
      const expected = { ...identity };
      if (!expected.format) delete expected.format;
      assertEquals(parsed.identity, expected);
    } else {
      digested++;
      assert(parsed.digest && /^[0-9a-f]{64}$/.test(parsed.digest), "a long key has a digest");
    }
  });
  assert(digested > 0, "some generated identities are too long for a key");
});

Deno.test("keys: generation, snapshot and tombstone keys round-trip", () => {
  eachCase((g) => {
    const [queryId, generation, seq] = [g.int(), g.int(), g.int()];
    const namespace = g.string();
    const name = g.next() < 0.2 ? g.int() : g.string();
    assertEquals(parseGenerationKey(generationKey(queryId, generation)), { queryId, generation });
    assertEquals(parseSnapshotKey(snapshotKey(queryId, generation, namespace, name)), {
      queryId,
      generation,
      namespace,
      name,
    });
    assertEquals(parseTombstoneKey(tombstoneKey(queryId, generation, seq)), {
      queryId,
      generation,
      seq,
    });
  });
});

Deno.test("keys: single object and resource index keys round-trip", () => {
  eachCase((g) => {
    const [component, group, version, resource] = [g.string(), g.string(), g.string(), g.string()];
    const [transform, namespace, name] = [g.string(), g.string(), g.string()];
    const gvr = { group, version, resource };
    assertEquals(parseSingleKey(singleKey(component, gvr, transform, namespace, name)), {
      component,
      group,
      version,
      resource,
      transform,
      namespace,
      name,
    });
    assertEquals(parseResourceKey(resourceKey(component, gvr)), { component, ...gvr });
  });
});

Deno.test("keys: blob, pending-blob and document keys round-trip", () => {
  eachCase((g) => {
    const [blobId, part] = [g.string(), g.int()];
    assertEquals(parseBlobPartKey(blobPartKey(blobId, part)), { blobId, part });
    assertEquals(parsePendingBlobKey(pendingBlobKey(blobId)), { blobId });
    const document = { path: g.string(), transform: g.string() };
    assertEquals(parseDocumentHeaderKey(documentHeaderKey(document)), document);
  });
});

Deno.test("keys: event queue item keys round-trip", () => {
  eachCase((g) => {
    const seq = g.int();
    assertEquals(parseEventQueueItemKey(eventQueueItemKey(seq)), { seq });
  });
});

Deno.test("keys: keys read back from Deno KV parse as the ones written", async () => {
  using kv = await Deno.openKv(":memory:");
  const g = generator(7);
  const gvr = { group: g.string(), version: "v1", resource: "\0pods" };
  const written = [
    queryKey({
      component: "kubelet",
      ...gvr,
      namespace: "#",
      labelSelector: "a\0b",
      fieldSelector: "",
      transform: "",
    }),
    generationKey(1, 2),
    snapshotKey(1, 2, "", 3),
    snapshotKey(1, 2, "ns", "é"),
    tombstoneKey(1, 2, 3),
    singleKey("kubelet", gvr, "", "ns", "\0"),
    resourceKey("kubelet", gvr),
    blobPartKey("id", 0),
    pendingBlobKey("id"),
    documentHeaderKey({ path: "/api", transform: "" }),
    eventQueueItemKey(4),
  ];
  for (const key of written) await kv.set(key, 1);
  const parsers = [
    parseQueryKey,
    parseGenerationKey,
    parseSnapshotKey,
    parseTombstoneKey,
    parseSingleKey,
    parseResourceKey,
    parseBlobPartKey,
    parsePendingBlobKey,
    parseDocumentHeaderKey,
    parseEventQueueItemKey,
  ];
  let parsed = 0;
  for await (const { key } of kv.list({ prefix: [] })) {
    const matches = parsers.filter((parse) => parse(key) !== undefined);
    assertEquals(matches.length, 1, `${JSON.stringify(key)} parses as exactly one family`);
    parsed++;
  }
  assertEquals(parsed, written.length);
});

Deno.test("keys: every parser rejects the other families' keys and malformed keys", () => {
  const gvr = { group: "", version: "v1", resource: "pods" };
  const families: [string, Deno.KvKey, (key: Deno.KvKey) => unknown][] = [
    [
      "query",
      queryKey({
        component: "k",
        ...gvr,
        namespace: "",
        labelSelector: "",
        fieldSelector: "",
        transform: "",
      }),
      parseQueryKey,
    ],
    ["generation", generationKey(1, 2), parseGenerationKey],
    ["snapshot", snapshotKey(1, 2, "ns", "n"), parseSnapshotKey],
    ["tombstone", tombstoneKey(1, 2, 3), parseTombstoneKey],
    ["single", singleKey("k", gvr, "", "ns", "n"), parseSingleKey],
    ["resource", resourceKey("k", gvr), parseResourceKey],
    ["blob part", blobPartKey("b", 0), parseBlobPartKey],
    ["pending blob", pendingBlobKey("b"), parsePendingBlobKey],
    ["document header", documentHeaderKey({ path: "/", transform: "" }), parseDocumentHeaderKey],
    ["event queue item", eventQueueItemKey(1), parseEventQueueItemKey],
  ];
  for (const [name, key, parse] of families) {
    assert(parse(key) !== undefined, `${name} parses its own key`);
    for (const [other, otherKey] of families) {
      if (other !== name) {
        assertEquals(parse(otherKey), undefined, `${name} rejects a ${other} key`);
      }
    }
    const malformed: Deno.KvKey[] = [
      [],
      key.slice(0, -1),
      [...key, 0],
      ["x", ...key.slice(1)],
      ["holdfast", ...key.slice(1)],
      key.map((part, i) => i < 2 ? part : typeof part === "number" ? String(part) : 1),
      key.map((part) => typeof part === "number" ? BigInt(part) : part),
      key.map((part, i) => i === key.length - 1 ? new Uint8Array([1]) : part),
      key.map((part, i) => i === key.length - 1 ? true : part),
    ];
    const changed = (bad: Deno.KvKey) =>
      bad.length !== key.length || bad.some((part, i) => part !== key[i]);
    for (const bad of malformed.filter(changed)) {
      assertEquals(parse(bad), undefined, `${name} rejects ${String(bad)}`);
    }
  }
  // A digested query key whose last part lacks the digest mark is not the builder's output.
  assertEquals(parseQueryKey(["c", "q", "k", "", "v1", "pods", "abc"]), undefined);
  // Nor is a full one carrying an empty format.
  assertEquals(parseQueryKey(["c", "q", "k", "", "v1", "pods", "", "", "", "", ""]), undefined);
});
