/**
 * holdfast's YAML reader against the `yaml` package: every document it accepts must give the
 * tree (values, lines and columns) and the plain value `yaml` gives, every error it reports must
 * be `yaml`'s first error word for word, and the constructs it leaves to `yaml` must defer.
 * Thousands of generated documents (seeded, so a failure names a reproducible document), then
 * cases by hand.
 */
import { LineCounter, parseDocument } from "yaml";
import * as yaml from "yaml";
import { assert, assertEquals } from "../assert.ts";
import { describeYamlError } from "../../src/config/yaml_error.ts";
import { documentTree } from "../../src/config/yaml_parse.ts";
import { readYaml } from "../../src/config/yaml_reader.ts";
import { toValue, type YamlDocument, YamlSyntaxError } from "../../src/config/yaml_tree.ts";

type Outcome = "read" | "deferred" | "error";

/** Reads `text` both ways and fails unless they agree; says how holdfast's reader took it. */
function compare(text: string): Outcome {
  const ours = readYaml(text);
  if ("deferred" in ours) return "deferred";
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const context = `document:\n${text}\n(${JSON.stringify(text)})`;
  if (ours instanceof YamlSyntaxError) {
    assert(doc.errors.length > 0, `ours: ${ours.message}, yaml: no error\n${context}`);
    assertEquals(ours.message, describeYamlError(doc.errors[0], lines), context);
    return "error";
  }
  assertEquals(doc.errors.map((e) => e.message), [], context);
  const theirs = documentTree(yaml, doc, lines) as YamlDocument;
  assertEquals(ours, theirs, context);
  assertEquals(toValue(ours.root), doc.toJS(), context);
  return "read";
}

/** A small seeded generator (mulberry32). */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    chance: (p: number) => next() < p,
    int,
    pick: <T>(items: readonly T[]): T => items[int(items.length)],
  };
}
type Random = ReturnType<typeof random>;

/** Plain scalars: every core-schema form, near misses, and text a config holds. */
// deno-fmt-ignore
const PLAIN = [
  "a", "edge-1", "kubelet", "https://10.0.0.10:6443", "127.0.0.1:10261", "/var/lib/holdfast",
  "5s", "1m30s", "0", "-0", "+12", "012", "0x1F", "0x", "0o17", "0o8", "1e3", "1E-3", "1.5",
  ".5", "5.", "-1.5e+3", "1_000", ".inf", "-.Inf", "+.INF", ".nan", ".NaN", "~", "null", "Null",
  "NULL", "nULL", "true", "True", "TRUE", "tRUE", "false", "FALSE", "yes", "no", "on", "off", "y",
  "12345678901234567890", "a b", "a#b", "a:b", "a :b", "-x", "x-", "--", "<<", "a'b", 'a"b',
  "a\\b", "é", "日本", "a,b", "a]b", "a{b", "x%", "x!", "x #y",
];

/** Plain-looking text that starts with an indicator or holds one: mostly deferred, or errors. */
// deno-fmt-ignore
const ODD = [
  "---x", "%x", "!x", "&x", "*x", "?x", ":x", "@x", "`x", "|x", ">x", "[x", "{x", "#x", "- x", "-",
  "a: b", "a:",
];

/** Characters for random plain and quoted text, indicators and escapes among them. */
const CHARS = "abcxyz019 -_.:#'\"\\[]{},&*!|>%@?~/éü\u00a0";

function randomText(r: Random, max: number): string {
  let text = "";
  const length = r.int(max) + 1;
  for (let i = 0; i < length; i++) text += r.pick([...CHARS]);
  return text;
}

const ESCAPES = [
  "\\n",
  "\\t",
  "\\\\",
  '\\"',
  "\\/",
  "\\0",
  "\\a",
  "\\e",
  "\\ ",
  "\\_",
  "\\N",
  "\\L",
  "\\P",
  "\\x41",
  "\\u00e9",
  "\\U0001F600",
  "\\uD800",
];
const BAD_ESCAPES = ["\\q", "\\x4", "\\xZZ", "\\u12", "\\UFFFFFFFF", "\\'"];

function scalar(r: Random, inFlow: boolean, kind = r.int(inFlow ? 4 : 5)): string {
  switch (kind) {
    case 0:
      return r.chance(0.9) ? r.pick(PLAIN) : r.pick(ODD);
    case 1:
      return r.chance(inFlow ? 0.9 : 0.7) ? r.pick(PLAIN.slice(0, 30)) : randomText(r, 8);
    case 2:
      return `'${r.pick([...PLAIN, ...ODD, randomText(r, 6)]).replaceAll("'", "''")}'${
        r.chance(0.02) ? "'" : ""
      }`;
    case 3: {
      let text = "";
      for (let i = r.int(4); i >= 0; i--) {
        if (r.chance(0.3)) text += r.pick(r.chance(0.05) ? BAD_ESCAPES : ESCAPES);
        else text += r.pick(["a", "b c", "'", "#", ": ", "é", " "]);
      }
      return `"${text}"`;
    }
    default:
      return r.pick(PLAIN);
  }
}

function flow(r: Random, depth: number): string {
  const items: string[] = [];
  const count = r.int(4);
  const isMap = r.chance(0.4);
  for (let i = 0; i < count; i++) {
    const value = depth < 2 && r.chance(0.15) ? flow(r, depth + 1) : scalar(r, true);
    items.push(isMap ? `${scalar(r, true)}: ${value}` : value);
  }
  const sep = r.pick([", ", ",", " , "]);
  const inner = items.join(sep);
  const pad = r.chance(0.3) ? " " : "";
  return isMap ? `{${pad}${inner}${pad}}` : `[${pad}${inner}${pad}]`;
}

function blockScalar(r: Random, indent: number): string[] {
  const header = `${r.pick(["|", ">"])}${r.pick(["", "", "-", "+"])}${r.chance(0.1) ? " # c" : ""}`;
  const lines = [header];
  const pad = " ".repeat(indent);
  const contents = ["x", "y z", "# not a comment", "a: b", "- c", "'q'"];
  for (let i = r.int(5); i >= 0; i--) {
    const more = lines.length > 1 && r.chance(0.15) ? "  " : "";
    if (r.chance(0.2)) lines.push(r.chance(0.8) ? "" : pad);
    else lines.push(pad + more + r.pick(contents));
  }
  return lines;
}

interface Generated {
  lines: string[];
  mustDefer: boolean;
}

/**
 * A block node for a value position: `lines[0]` goes after `key:` or `- ` on the same line (may
 * be empty), the rest are whole lines already indented by `indent`.
 */
function node(
  r: Random,
  indent: number,
  depth: number,
  out: Generated,
  kind = depth >= 3 ? 0 : r.int(5),
): string[] {
  const pad = " ".repeat(indent);
  if (kind <= 1 || depth >= 3) {
    if (r.chance(0.005)) {
      out.mustDefer = true;
      return [r.pick(["*anchor", "&anchor " + scalar(r, false), "!!str " + scalar(r, false)])];
    }
    if (r.chance(0.1)) return blockScalar(r, indent);
    if (r.chance(0.15)) return [flow(r, 0)];
    if (r.chance(0.05)) return [""];
    return [scalar(r, false) + (r.chance(0.1) ? " # trailing" : "")];
  }
  if (kind === 2 || kind === 3) {
    const lines = [""];
    const keys = r.int(4) + 1;
    for (let i = 0; i < keys; i++) {
      if (r.chance(0.1)) lines.push(pad.slice(r.int(indent + 1)) + "# comment");
      if (r.chance(0.05)) lines.push("");
      // A key from the list or quoted: one of random text could start a comment.
      let key = r.chance(0.8) ? r.pick(PLAIN.slice(0, 45)) : scalar(r, false, 2 + r.int(2));
      if (r.chance(0.005)) {
        out.mustDefer = true;
        key = `? ${key}`;
      }
      const step = r.pick([2, 4]);
      const childIndent = indent + step;
      const value = node(r, childIndent, depth + 1, out);
      const sameIndentSeq = value[0] === "" &&
        value[1]?.startsWith(" ".repeat(childIndent) + "-") &&
        r.chance(0.5);
      const head = `${pad}${key}:${value[0] === "" ? "" : " " + value[0]}`;
      lines.push(head);
      for (const line of value.slice(1)) {
        lines.push(sameIndentSeq && line.startsWith(" ".repeat(step)) ? line.slice(step) : line);
      }
    }
    return lines;
  }
  const lines = [""];
  const items = r.int(3) + 1;
  for (let i = 0; i < items; i++) {
    const itemIndent = indent + 2;
    const value = node(r, itemIndent, depth + 1, out);
    if (value[0] === "" && /^ *[^ #]/.test(value[1] ?? "") && r.chance(0.6)) {
      // Compact: the first line of the item's block after `- `.
      lines.push(`${pad}- ${value[1].slice(itemIndent)}`, ...value.slice(2));
    } else {
      lines.push(`${pad}-${value[0] === "" ? "" : " " + value[0]}`, ...value.slice(1));
    }
  }
  return lines;
}

/** A document, and whether it holds something the reader must defer. */
function document(r: Random): { text: string; mustDefer: boolean } {
  const out: Generated = { lines: [], mustDefer: false };
  if (r.chance(0.1)) out.lines.push("# header comment");
  if (r.chance(0.15)) out.lines.push(r.pick(["---", "--- # start"]));
  // Mostly a mapping or a sequence, as a config or kubeconfig is.
  const root = node(r, 0, 0, out, r.chance(0.9) ? 2 + r.int(3) : r.int(2));
  if (root[0] !== "") out.lines.push(root[0]);
  out.lines.push(...root.slice(1));
  if (r.chance(0.03) && (root.length > 1 || root[0] !== "")) {
    out.mustDefer = true;
    out.lines.push(r.pick(["---\nb: 1", "...\n---\nb: 1", "--- b: 1"]));
  }
  let text = out.lines.join("\n") + (r.chance(0.9) ? "\n" : "");
  if (r.chance(0.02)) {
    out.mustDefer = true;
    text = r.pick([
      text.replace(/\n/g, "\r\n") + "\r\n",
      text + "\t# tab\n",
      "%YAML 1.2\n---\n" + text,
    ]);
  }
  return { text, mustDefer: out.mustDefer };
}

/** A few characters changed, lines re-indented or repeated: mostly errors, or other documents. */
function mutate(r: Random, text: string): string {
  const lines = text.split("\n");
  const at = r.int(lines.length);
  switch (r.int(5)) {
    case 0:
      lines[at] = " " + lines[at];
      break;
    case 1:
      lines[at] = lines[at].replace(/^ /, "");
      break;
    case 2:
      lines.splice(at, 0, lines[at]);
      break;
    case 3: {
      const i = r.int(lines[at].length + 1);
      lines[at] = lines[at].slice(0, i) + r.pick([...CHARS]) + lines[at].slice(i);
      break;
    }
    default: {
      const i = r.int(lines[at].length);
      lines[at] = lines[at].slice(0, i) + lines[at].slice(i + 1);
    }
  }
  return lines.join("\n");
}

Deno.test("readYaml agrees with yaml on thousands of generated documents", () => {
  const seed = Number(Deno.env.get("YAML_SEED") ?? 20261206);
  const r = random(seed);
  const counts: Record<Outcome, number> = { read: 0, deferred: 0, error: 0 };
  const mutated: Record<Outcome, number> = { read: 0, deferred: 0, error: 0 };
  for (let i = 0; i < 3000; i++) {
    const { text, mustDefer } = document(r);
    const outcome = compare(text);
    counts[outcome]++;
    // Not read: deferred, or an error before the construct that yaml reports first too.
    assert(!mustDefer || outcome !== "read", `must defer (seed ${seed}, #${i}):\n${text}`);
    mutated[compare(mutate(r, text))]++;
  }
  // The comparison means something only if most documents are read, not deferred.
  const seen = `generated: ${JSON.stringify(counts)}, mutated: ${JSON.stringify(mutated)}`;
  assert(counts.read >= 1200 && counts.error >= 100, seen);
  assert(mutated.read >= 600 && mutated.error >= 100, seen);
});

Deno.test("readYaml reads the core schema's scalars as yaml does", () => {
  const text = [
    "yes: yes",
    "hex: 0x1F",
    "exp: 1e3",
    "tilde: ~",
    "inf: .inf",
    "octal: 0o17",
    "quoted: '1'",
    'double: "0x1F"',
    "zero: -0",
    "big: 12345678901234567890",
    "nan: .nan",
    "float: 5.",
    "under: 1_000",
    "leading: 012",
    "empty:",
    "bool: True",
    "odd: tRUE",
  ].join("\n");
  assertEquals(compare(text), "read");
  const doc = readYaml(text) as YamlDocument;
  assertEquals(toValue(doc.root), {
    yes: "yes",
    hex: 31,
    exp: 1000,
    tilde: null,
    inf: Infinity,
    octal: 15,
    quoted: "1",
    double: "0x1F",
    zero: -0,
    big: 12345678901234567000,
    nan: NaN,
    float: 5,
    under: "1_000",
    leading: 12,
    empty: null,
    bool: true,
    odd: "tRUE",
  });
});

Deno.test("readYaml reads the forms configs and kubeconfigs use", () => {
  for (
    const text of [
      "servers:\n  - https://a:6443\n  - 'https://b:6443' # second\nnodeName: edge-1\n",
      "clusters:\n- name: c\n  cluster:\n    server: https://a\ncurrent-context: x\n",
      "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
      "---\nhealth:\n\n  # interval\n  interval: 5s\nfilters: {}\nlist: []\n",
      "a: |\n  one\n   two\n\n  three\nb: >-\n  folded\n  text\n\n  para\nc: |+\n  kept\n\n",
      "- - a\n  - b\n- c: 1\n  d:\n  - e\n",
      'key: "tab\\there \\u00e9 \\x41 \\U0001F600"\n',
      "'quoted key': 1\n\"other\": 2\n",
      "",
      "# only a comment\n",
      "---\n",
    ]
  ) {
    assertEquals(compare(text), "read", text);
  }
});

Deno.test("readYaml defers what it does not read", () => {
  for (
    const text of [
      "a: &x 1\nb: *x\n", // anchor, alias
      "a: !!str 1\n", // tag
      "? a\n: 1\n", // complex key
      "a: 1\n---\nb: 2\n", // several documents
      "%YAML 1.2\n---\na: 1\n", // directive
      "a:\n\tb: 1\n", // tab
      "a: 1\r\nb: 2\r\n", // carriage return
      "a: one\n  two\n", // multi-line plain scalar
      "a: 'one\n  two'\n", // multi-line quoted scalar
      "a: [1,\n  2]\n", // flow collection over lines
      "a: [1, 2,]\n", // trailing comma
      "a: |2\n   x\n", // indentation indicator
      "a: >\n  x\n    more\n  y\n", // more-indented line in a folded scalar
      "[a]: 1\n", // flow collection as a key
      "a: b: c\n", // nested mapping on a key's line (yaml: error)
    ]
  ) {
    assertEquals(compare(text), "deferred", text);
  }
});

Deno.test("readYaml words its errors as yaml does, with line and column", () => {
  const cases: [string, string][] = [
    ["nodeName: a\nnodeName: b\n", "invalid YAML at line 2, column 1: Map keys must be unique"],
    ["- a: 1\n  b: 2\n  a: 3\n", "invalid YAML at line 3, column 3: Map keys must be unique"],
    ["x: {a: 1, b: 2, a: 3}\n", "invalid YAML at line 1, column 17: Map keys must be unique"],
    ["1: a\n0x1: b\n", "invalid YAML at line 2, column 1: Map keys must be unique"],
    ['a: "x\\qy"\n', "invalid YAML at line 1, column 6: Invalid escape sequence \\q"],
    ['a:\n  - "\\x4"\n', 'invalid YAML at line 2, column 6: Invalid escape sequence \\x4"'],
    ['a: "\\UFFFFFFFF"\n', "invalid YAML at line 1, column 5: Invalid escape sequence \\UFFFFFFFF"],
  ];
  for (const [text, message] of cases) {
    const result = readYaml(text);
    assert(result instanceof YamlSyntaxError, `expected an error for ${JSON.stringify(text)}`);
    assertEquals(result.message, message);
    assertEquals(compare(text), "error");
  }
});

Deno.test("readYaml places empty values and nodes where yaml does", () => {
  const doc = readYaml("a:   # none\nb:\n  - \n  -\n    c: 1\n") as YamlDocument;
  assertEquals(doc.root, {
    kind: "map",
    line: 1,
    col: 1,
    pairs: [
      {
        key: { kind: "scalar", value: "a", line: 1, col: 1 },
        value: { kind: "scalar", value: null, line: 1, col: 6 },
      },
      {
        key: { kind: "scalar", value: "b", line: 2, col: 1 },
        value: {
          kind: "seq",
          line: 3,
          col: 3,
          items: [
            { kind: "scalar", value: null, line: 3, col: 5 },
            {
              kind: "map",
              line: 5,
              col: 5,
              pairs: [{
                key: { kind: "scalar", value: "c", line: 5, col: 5 },
                value: { kind: "scalar", value: 1, line: 5, col: 8 },
              }],
            },
          ],
        },
      },
    ],
  });
});
