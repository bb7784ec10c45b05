/**
 * The sparse reader against the full parse it replaced (`JSON.parse` of the whole object, then
 * the same rendering): every JSON object in the shared fixtures, seeded generated objects (key
 * orders, duplicates, escapes, unicode, nesting, wrong value types, whitespace) and seeded
 * mutations of fixture bytes must give the same RawObject, or both be rejected with the same
 * error class.
 * @module
 */
import { assertEquals } from "../../assert.ts";
import {
  parseJsonObject,
  rawObjectFromJson,
  rawObjectOf,
  trimJson,
  type TypeMeta,
} from "../../../src/kube/json/object.ts";
import { readSparse, sparsePlan } from "../../../src/kube/json/sparse_reader.ts";
import { bytesOf, seededRandom } from "./fixtures.ts";

const FIXTURES = new URL("../../../../shared/fixtures/", import.meta.url);

/** Every resource with a field table of its own, and one without. */
const RESOURCES = [
  "pods",
  "services",
  "nodes",
  "secrets",
  "namespaces",
  "events",
  "replicasets",
  "replicationcontrollers",
  "jobs",
  "configmaps",
];

const POD: TypeMeta = { kind: "Pod", apiVersion: "v1" };

/** The full-parse oracle: what `rawObjectFromJson` returned before the sparse reader. */
function fullParse(bytes: Uint8Array, resource: string, typeMeta?: TypeMeta) {
  const trimmed = trimJson(bytes);
  return rawObjectOf(parseJsonObject(trimmed), trimmed, resource, typeMeta);
}

type Outcome = { error: string } | {
  object: ReturnType<typeof rawObjectFromJson>;
  order: string[][];
};

function outcome(read: () => ReturnType<typeof rawObjectFromJson>): Outcome {
  try {
    const object = read();
    // deepStrictEqual ignores key order; labels and fields keep JSON.parse's order.
    return { object, order: [Object.keys(object.meta.labels), Object.keys(object.fields)] };
  } catch (error) {
    if (!(error instanceof SyntaxError || error instanceof TypeError)) throw error;
    return { error: error.constructor.name };
  }
}

/** Asserts the sparse reader and the oracle agree on `bytes` for `resource`. */
function agree(bytes: Uint8Array, resource: string, typeMeta?: TypeMeta): Outcome {
  const expected = outcome(() => fullParse(bytes, resource, typeMeta));
  const actual = outcome(() => rawObjectFromJson(bytes, resource, typeMeta));
  assertEquals(actual, expected, `${resource}: ${new TextDecoder().decode(bytes).slice(0, 300)}`);
  return expected;
}

/** Every object value inside `value`, itself included. */
function objectsIn(value: unknown, found: unknown[] = []): unknown[] {
  if (value !== null && typeof value === "object") {
    if (!Array.isArray(value)) found.push(value);
    for (const inner of Object.values(value)) objectsIn(inner, found);
  }
  return found;
}

/** The raw texts of every fixture document, the captured bodies and their watch lines. */
async function fixtureTexts(): Promise<string[]> {
  const texts: string[] = [];
  for (const folder of ["k8s-api-testdata/", "captured/"]) {
    for await (const entry of Deno.readDir(new URL(folder, FIXTURES))) {
      if (!entry.name.endsWith(".json")) continue;
      const text = await Deno.readTextFile(new URL(folder + entry.name, FIXTURES));
      texts.push(text);
      if (!entry.name.endsWith(".replay.json")) continue;
      for (const exchange of JSON.parse(text)) {
        for (const body of [exchange.request_body, exchange.response_body]) {
          if (typeof body === "string" && body !== "") texts.push(body, ...body.split("\n"));
        }
      }
    }
  }
  return texts.filter((text) => text.trim() !== "");
}

/** The fixtures' raw texts that are objects, then every object inside them, re-serialised. */
async function fixtureObjects(): Promise<Uint8Array[]> {
  const raw: string[] = [];
  const inner = new Set<string>();
  for (const text of await fixtureTexts()) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    raw.push(text);
    for (const object of objectsIn(value)) inner.add(JSON.stringify(object));
  }
  return [...raw, ...inner].map(bytesOf);
}

const objects = await fixtureObjects();

Deno.test("sparse reader: equals the full parse on every object in the fixtures", () => {
  let accepted = 0;
  for (const bytes of objects) {
    for (const resource of RESOURCES) {
      if ("object" in agree(bytes, resource, POD)) accepted++;
    }
  }
  // The fixtures hold a few thousand objects; most are read, none may be lost.
  assertEquals(accepted > 1000 * RESOURCES.length, true, `${accepted} accepted`);
});

Deno.test("sparse reader: the captured pods' fields are read, not left at zero values", () => {
  const pods = objects.filter((bytes) => trimJson(bytes)[0] === 0x7b)
    .map((bytes) => rawObjectFromJson(bytes, "pods"))
    .filter((pod) => pod.typeMeta.kind === "Pod" || pod.fields["spec.nodeName"] !== "");
  assertEquals(pods.some((pod) => pod.fields["status.podIP"] !== ""), true);
  assertEquals(pods.some((pod) => pod.fields["spec.hostNetwork"] === "true"), true);
  assertEquals(pods.some((pod) => Object.keys(pod.meta.labels).length > 0), true);
});

/** Generates JSON text for seeded random objects shaped like Kubernetes objects, and worse. */
class Generator {
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = seededRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.#random() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  chance(p: number): boolean {
    return this.#random() < p;
  }

  /** JSON whitespace, usually none. */
  space(): string {
    return this.chance(0.8) ? "" : this.pick([" ", "\n", "\t", "\r\n  ", "  "]);
  }

  /** A JSON string literal of `text`, each character raw or escaped at random. */
  quote(text: string): string {
    let out = "";
    for (const char of text) {
      const code = char.codePointAt(0)!;
      const must = char === '"' || char === "\\" || code < 0x20;
      if (!must && this.chance(0.85)) {
        out += char;
        continue;
      }
      const short: Record<string, string> = {
        '"': '\\"',
        "\\": "\\\\",
        "/": "\\/",
        "\b": "\\b",
        "\f": "\\f",
        "\n": "\\n",
        "\r": "\\r",
        "\t": "\\t",
      };
      if (short[char] !== undefined && this.chance(0.6)) out += short[char];
      else {
        for (let k = 0; k < char.length; k++) {
          const hex = char.charCodeAt(k).toString(16).padStart(4, "0");
          out += "\\u" + (this.chance(0.5) ? hex : hex.toUpperCase());
        }
      }
    }
    return `"${out}"`;
  }

  /** Text for a string value: names, empties, unicode, escapes, a lone surrogate. */
  text(): string {
    const pieces = [
      "",
      "kube-system",
      "node-1",
      "10.0.0.9",
      "Running",
      "true",
      "a b",
      'quo"te',
      "back\\slash",
      "line\nbreak",
      "tab\there",
      "\u0000nul",
      "é",
      "日本",
      "😀",
      "\ufeffbom",
      "\ud800",
      "/",
    ];
    let text = "";
    for (let n = this.int(3); n >= 0; n--) text += this.pick(pieces);
    return text;
  }

  /** A key: one the reader looks for (sometimes escaped), or another. */
  key(): string {
    return this.pick([
      "metadata",
      "name",
      "namespace",
      "resourceVersion",
      "uid",
      "labels",
      "kind",
      "apiVersion",
      "spec",
      "status",
      "nodeName",
      "hostNetwork",
      "unschedulable",
      "phase",
      "podIP",
      "podIPs",
      "ip",
      "0",
      "1",
      "type",
      "source",
      "component",
      "regarding",
      "involvedObject",
      "reportingController",
      "replicas",
      "succeeded",
      "__proto__",
      "constructor",
      "length",
      "",
      "other",
      "é",
    ]);
  }

  number(): string {
    return this.pick([
      "0",
      "-0",
      "3",
      "-12",
      "1.5",
      "2e3",
      "1E400",
      "-1e-7",
      "12345678901234567890",
      "0.1",
      "4.0",
    ]);
  }

  value(depth: number): string {
    const roll = this.int(depth > 4 ? 6 : 9);
    if (roll <= 1) return this.quote(this.text());
    if (roll === 2) return this.number();
    if (roll === 3) return this.pick(["true", "false", "null"]);
    if (roll === 4 || roll === 5) return this.quote(this.pick(["a", "b", "x/v1", "v1", ""]));
    if (roll === 6 || roll === 7) return this.object(depth + 1);
    const items = Array.from({ length: this.int(4) }, () => this.space() + this.value(depth + 1));
    return `[${items.join(",")}${this.space()}]`;
  }

  object(depth: number): string {
    const members = Array.from(
      { length: this.int(depth === 0 ? 8 : 5) },
      () =>
        `${this.space()}${this.quote(this.key())}${this.space()}:${this.space()}${
          this.value(depth)
        }`,
    );
    return `{${members.join(",")}${this.space()}}`;
  }
}

Deno.test("sparse reader: equals the full parse on 20,000 seeded generated objects", () => {
  const generate = new Generator(0x5ba75e);
  for (let n = 0; n < 20_000; n++) {
    const text = generate.space() + generate.object(0) + generate.space();
    agree(bytesOf(text), generate.pick(RESOURCES), generate.chance(0.5) ? POD : undefined);
  }
});

/** Bytes that make or break JSON when dropped in. */
const GARBAGE = bytesOf('{}[]",:\\ \n0-+.eEtrufalsn/u');
const ODD_BYTES = [0x00, 0x1f, 0x7f, 0x80, 0xbf, 0xc3, 0xef, 0xbb, 0xff];

/** `bytes` with one seeded mutation: truncated, a byte changed, dropped or inserted, a copy. */
function mutate(bytes: Uint8Array, generate: Generator): Uint8Array {
  const at = generate.int(bytes.length + 1);
  const byte = generate.chance(0.8) ? generate.pick([...GARBAGE]) : generate.pick(ODD_BYTES);
  const out = [...bytes];
  switch (generate.int(5)) {
    case 0:
      return bytes.subarray(0, at);
    case 1:
      out[Math.min(at, bytes.length - 1)] = byte;
      break;
    case 2:
      out.splice(at, 1);
      break;
    case 3:
      out.splice(at, 0, byte);
      break;
    default:
      out.splice(at, 0, ...bytes.subarray(generate.int(bytes.length), at));
  }
  return new Uint8Array(out);
}

Deno.test("sparse reader: agrees with the full parse on seeded mutations of fixture bytes", () => {
  const generate = new Generator(0xb17f11b);
  let accepted = 0;
  let rejected = 0;
  const small = objects.filter((bytes) => bytes.length < 8192);
  for (let n = 0; n < 30_000; n++) {
    let bytes = generate.pick(small);
    for (let k = generate.int(3); k >= 0; k--) bytes = mutate(bytes, generate);
    if ("object" in agree(bytes, generate.pick(RESOURCES))) accepted++;
    else rejected++;
  }
  // Both outcomes must be well represented for the agreement to mean something.
  assertEquals(
    accepted > 3000 && rejected > 3000,
    true,
    `${accepted} accepted, ${rejected} rejected`,
  );
});

Deno.test("sparse reader: the last of duplicate keys wins, wholly, at every level", () => {
  const text =
    '{"metadata":{"name":"a","labels":{"x":"1","y":"2","x":3}},"spec":{"nodeName":"n"},' +
    '"metadata":{"namespace":"b","labels":{"y":"2","x":"1","y":"3"}},"spec":"none","kind":"A","kind":1}';
  const object = agree(bytesOf(text), "pods", POD);
  assertEquals("object" in object && object.object.meta, {
    name: "",
    namespace: "b",
    resourceVersion: "",
    uid: "",
    labels: { y: "3", x: "1" },
  });
  assertEquals("object" in object && object.order[0], ["y", "x"]);
  assertEquals("object" in object && object.object.typeMeta.kind, "Pod");
});

Deno.test("sparse reader: escaped keys and values decode as JSON.parse decodes them", () => {
  const text =
    '{"meta\\u0064ata":{"n\\u0061me":"\\ud83d\\ude00\\n\\"q\\"","labels":{"\\u00e9":"\\/"}},' +
    '"status":{"podIPs":[{"ip":"\\u0031"}]}}';
  const result = agree(bytesOf(text), "pods");
  assertEquals("object" in result && result.object.meta.name, '😀\n"q"');
  assertEquals("object" in result && result.object.fields["status.podIP"], "1");
});

Deno.test("sparse reader: wrong value types read as the full parse reads them", () => {
  for (
    const text of [
      '{"metadata":{"labels":["a",1,"b"],"name":5}}',
      '{"metadata":["x"],"spec":{"hostNetwork":"true","nodeName":{}}}',
      '{"metadata":{"labels":{"__proto__":"p","2":"two","1":"one"}}}',
      '{"status":{"podIPs":{"0":{"ip":"9"}},"phase":null}}',
      '{"status":{"podIPs":"10.0.0.1","podIP":""}}',
      '{"spec":{"hostNetwork":true},"spec":[{"hostNetwork":true}]}',
    ]
  ) agree(bytesOf(text), "pods");
  for (const number of ["3", "-0", "1.5", "1E400", "1e2", "123456789012345678901"]) {
    agree(bytesOf(`{"status":{"replicas":${number}}}`), "replicasets");
  }
});

Deno.test("sparse reader: a leading byte order mark is skipped, as the decoder skips it", () => {
  agree(new Uint8Array([0xef, 0xbb, 0xbf, ...bytesOf(' {"metadata":{"name":"a"}}')]), "pods");
  agree(bytesOf('{"metadata":{"name":"\ufeffa"}}'), "pods");
});

Deno.test("sparse reader: nesting far deeper than any object validates without the call stack", () => {
  const deep = (n: number) => `{"a":${"[".repeat(n)}${"]".repeat(n)},"kind":"K"}`;
  assertEquals("object" in agree(bytesOf(deep(200_000)), "pods"), true);
  assertEquals("error" in agree(bytesOf(deep(200_000).replace("[]", "[}")), "pods"), true);
});

Deno.test("sparse reader: malformed bytes anywhere are rejected, read or skipped", () => {
  for (
    const text of [
      "",
      " ",
      "{",
      '{"a":01}',
      '{"a":1.}',
      '{"a":-}',
      '{"a":.5}',
      '{"a":1e}',
      '{"a":+1}',
      '{"a":tru}',
      '{"a":nul}',
      '{"a":"\\x"}',
      '{"a":"\\u12"}',
      '{"a":"\t"}',
      '{"a":[1,]}',
      '{"a":1,}',
      '{"a" 1}',
      "{a:1}",
      '{"a":1}}',
      '{"a":1} x',
      '{"metadata":{"name":"a" "b"}}',
      '{"metadata":{"name":"a\u0001"}}',
      "[1]",
      "null",
      '"x"',
      "12",
    ]
  ) assertEquals("error" in agree(bytesOf(text), "pods"), true, text);
});

Deno.test("sparse reader: a plan builds only the paths it names", () => {
  const plan = sparsePlan({ leaves: [["a", "b"], ["c"]], collect: [["d"]] });
  const read = readSparse(bytesOf('{"a":{"b":1,"x":2},"c":[3],"d":{"k":"v","j":{}},"e":4}'), plan);
  assertEquals(JSON.stringify(read), '{"a":{"b":1},"c":[],"d":{"k":"v","j":{}}}');
});
