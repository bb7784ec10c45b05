/**
 * `peekObjectKey` reads an object's `namespace/name`, `peekObjectVersion` that and its
 * resourceVersion, without decoding it; on generated objects (captured watch objects in other
 * member orders, spacings and escapes) each gives either what `JSON.parse` reads or nothing, and
 * on kube-apiserver's own layout always what it reads.
 */
import { assertEquals } from "../../assert.ts";
import { peekObjectKey, peekObjectVersion } from "../../../src/kube/json/object_key.ts";
import { bytesOf, replayBody, seededRandom } from "./fixtures.ts";

/** The objects of a captured watch, as kube-apiserver wrote them. */
async function capturedObjects(): Promise<string[]> {
  const body = await replayBody("k8s-openapi-v1.36.watch-pods.replay.json");
  return body.split("\n").filter((line) => line !== "").map((line) => {
    const prefix = `{"type":${JSON.stringify(JSON.parse(line).type)},"object":`;
    return line.slice(prefix.length, -1);
  });
}

function keyOf(object: Record<string, unknown>): string {
  const metadata = object.metadata as Record<string, unknown>;
  return `${metadata.namespace ?? ""}/${metadata.name}`;
}

function versionOf(object: Record<string, unknown>) {
  const { namespace = "", name, resourceVersion } = object.metadata as Record<string, unknown>;
  return { namespace, name, resourceVersion };
}

function shuffled<T>(items: T[], random: () => number): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

/** `value` with its members (and its metadata's) in a random order. */
function reordered(value: Record<string, unknown>, random: () => number): Record<string, unknown> {
  const metadata = value.metadata as Record<string, unknown>;
  const meta = Object.fromEntries(shuffled(Object.entries(metadata), random));
  if (random() < 0.3) delete meta.namespace;
  return Object.fromEntries(
    shuffled(Object.entries({ ...value, metadata: meta }), random),
  );
}

/** `text` with one of the string's characters written as a \u escape. */
function escapeOne(text: string, needle: string): string {
  const at = text.indexOf(`"${needle}"`);
  if (at < 0) return text;
  const code = needle.charCodeAt(0).toString(16).padStart(4, "0");
  return `${text.slice(0, at + 1)}\\u${code}${text.slice(at + 2)}`;
}

Deno.test("peekObjectKey, peekObjectVersion: kube-apiserver's layout is always read", async () => {
  for (const text of await capturedObjects()) {
    assertEquals(peekObjectKey(bytesOf(text)), keyOf(JSON.parse(text)));
    assertEquals(peekObjectVersion(bytesOf(text)), versionOf(JSON.parse(text)));
  }
});

Deno.test("peekObjectKey, peekObjectVersion: other layouts give JSON.parse's or nothing", async () => {
  const objects = await capturedObjects();
  let read = 0;
  let versions = 0;
  for (let seed = 1; seed <= 500; seed++) {
    const random = seededRandom(seed);
    const value = reordered(JSON.parse(objects[seed % objects.length]), random);
    let text = JSON.stringify(value, null, random() < 0.5 ? 0 : 1 + Math.floor(random() * 3));
    const name = (value.metadata as Record<string, unknown>).name as string;
    if (random() < 0.2) text = escapeOne(text, name);
    if (random() < 0.1) text = escapeOne(text, "metadata");
    if (random() < 0.1) text = escapeOne(text, versionOf(value).resourceVersion as string);
    const key = peekObjectKey(bytesOf(text));
    if (key !== undefined) {
      assertEquals(key, keyOf(JSON.parse(text)), `seed ${seed}`);
      read++;
    }
    const version = peekObjectVersion(bytesOf(text));
    if (version !== undefined) {
      assertEquals(version, versionOf(JSON.parse(text)), `seed ${seed}`);
      versions++;
    }
  }
  assertEquals(read > 300, true, `only ${read} of 500 read`);
  assertEquals(versions > 250, true, `only ${versions} of 500 versions read`);
});

Deno.test("peekObjectKey: gives nothing where it cannot read plainly", () => {
  for (
    const text of [
      "[]",
      '{"kind":"Pod"}',
      '{"metadata":[]}',
      '{"metadata":{"name":1}}',
      '{"metadata":{"namespace":"d"}}',
      '{"metadata":{"name":"a\\u0062"}}',
      '{"metadata":{"name":"a"',
      '{"kind":"Pod" "metadata":{"name":"a"}}',
    ]
  ) {
    assertEquals(peekObjectKey(bytesOf(text)), undefined, text);
  }
  assertEquals(peekObjectKey(bytesOf(' { "metadata" : { "name" : "a" } } ')), "/a");
  assertEquals(
    peekObjectKey(
      bytesOf('{"spec":{"x":[1,"}",{"y":null}]},"metadata":{"namespace":"d","name":"a"}}'),
    ),
    "d/a",
  );
});

Deno.test("peekObjectVersion: gives nothing without a plain resourceVersion string", () => {
  for (
    const text of [
      '{"metadata":{"name":"a"}}',
      '{"metadata":{"name":"a","resourceVersion":5}}',
      '{"metadata":{"name":"a","resourceVersion":"\\u0035"}}',
      '{"metadata":{"resourceVersion":"5"}}',
      '{"metadata":{"name":"a","resourceVersion":"5"',
    ]
  ) {
    assertEquals(peekObjectVersion(bytesOf(text)), undefined, text);
  }
  assertEquals(
    peekObjectVersion(
      bytesOf('{"metadata":{"labels":{"resourceVersion":"1"},"resourceVersion":"7","name":"n"}}'),
    ),
    { namespace: "", name: "n", resourceVersion: "7" },
  );
  assertEquals(
    peekObjectVersion(
      bytesOf('{"metadata":{"namespace":"d","name":"a","resourceVersion":"7","x":'),
    ),
    { namespace: "d", name: "a", resourceVersion: "7" },
  );
});
