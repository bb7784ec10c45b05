import assert from "node:assert/strict";
import {
  formatLabelSelector,
  labelValueError,
  matchesLabels,
  parseLabelSelector,
  qualifiedNameError,
  SelectorError,
} from "../../src/kube/label_selector.ts";

const PARSES: [string, string, ReturnType<typeof parseLabelSelector>][] = [
  ["empty string selects everything", "", []],
  ["only whitespace selects everything", " \t\r\n", []],
  ["equals", "app=web", [{ key: "app", op: "=", values: ["web"] }]],
  ["double equals is equals", "app==web", [{ key: "app", op: "=", values: ["web"] }]],
  ["not equals", "app!=web", [{ key: "app", op: "!=", values: ["web"] }]],
  ["equals with empty value", "app=", [{ key: "app", op: "=", values: [""] }]],
  ["not equals with empty value before comma", "app!=,b", [
    { key: "app", op: "!=", values: [""] },
    { key: "b", op: "exists", values: [] },
  ]],
  ["in", "env in (prod,dev)", [{ key: "env", op: "in", values: ["dev", "prod"] }]],
  ["notin", "env notin (prod)", [{ key: "env", op: "notin", values: ["prod"] }]],
  ["exists", "app", [{ key: "app", op: "exists", values: [] }]],
  ["does not exist", "!app", [{ key: "app", op: "!exists", values: [] }]],
  ["whitespace around every token", "  app  =  web ,  ! x ,y in ( a , b ) ", [
    { key: "app", op: "=", values: ["web"] },
    { key: "x", op: "!exists", values: [] },
    { key: "y", op: "in", values: ["a", "b"] },
  ]],
  ["tabs and newlines as whitespace", "a\t=\nb", [{ key: "a", op: "=", values: ["b"] }]],
  ["no whitespace around in", "a in(x)", [{ key: "a", op: "in", values: ["x"] }]],
  ["requirements sorted by key", "z=1,a=2,m", [
    { key: "a", op: "=", values: ["2"] },
    { key: "m", op: "exists", values: [] },
    { key: "z", op: "=", values: ["1"] },
  ]],
  ["equal keys keep their order", "a!=1,a=2", [
    { key: "a", op: "!=", values: ["1"] },
    { key: "a", op: "=", values: ["2"] },
  ]],
  ["set values deduplicated and sorted", "a in (c,b,c,a)", [
    { key: "a", op: "in", values: ["a", "b", "c"] },
  ]],
  ["empty set is the empty value", "a in ()", [{ key: "a", op: "in", values: [""] }]],
  ["leading comma in set", "a in (,x)", [{ key: "a", op: "in", values: ["", "x"] }]],
  ["trailing comma in set", "a in (x,)", [{ key: "a", op: "in", values: ["", "x"] }]],
  ["double comma in set", "a in (x,,y)", [{ key: "a", op: "in", values: ["", "x", "y"] }]],
  ["lone comma in set", "a notin (,)", [{ key: "a", op: "notin", values: [""] }]],
  ["keyword in as a key", "in", [{ key: "in", op: "exists", values: [] }]],
  ["keyword notin as key with in", "notin in (in,notin)", [
    { key: "notin", op: "in", values: ["in", "notin"] },
  ]],
  ["keyword as exact value", "a=in", [{ key: "a", op: "=", values: ["in"] }]],
  ["prefixed key", "app.kubernetes.io/name=coredns", [
    { key: "app.kubernetes.io/name", op: "=", values: ["coredns"] },
  ]],
  [
    "kube-proxy's headless selector",
    "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name",
    [
      { key: "service.kubernetes.io/headless", op: "!exists", values: [] },
      { key: "service.kubernetes.io/service-proxy-name", op: "!exists", values: [] },
    ],
  ],
  ["63-character value", `a=${"v".repeat(63)}`, [{ key: "a", op: "=", values: ["v".repeat(63)] }]],
  ["value with dots, dashes and underscores", "a=1.2_3-x", [
    { key: "a", op: "=", values: ["1.2_3-x"] },
  ]],
  ["upper-case key and value", "App=Web", [{ key: "App", op: "=", values: ["Web"] }]],
];

for (const [title, text, expected] of PARSES) {
  Deno.test(`parseLabelSelector: ${title}`, () => {
    assert.deepEqual(parseLabelSelector(text), expected);
  });
}

const REJECTS: [string, string][] = [
  ["trailing comma", "a,"],
  ["leading comma", ",a"],
  ["double comma", "a,,b"],
  ["missing key before operator", "=b"],
  ["value after a bare !key", "!a=b"],
  ["two values", "a=b c"],
  ["set without parentheses", "a in b"],
  ["unclosed set", "a in (b"],
  ["unclosed empty set", "a in ("],
  ["set with space-separated values", "a in (b c)"],
  ["operator inside set", "a in (b,!)"],
  ["double comma before close", "a in (b,,)"],
  ["two lone commas", "a in (,,)"],
  ["parenthesised exact value", "a=(b)"],
  ["triple equals", "a===b"],
  ["greater than (unsupported)", "a>1"],
  ["less than (unsupported)", "a<1"],
  ["unknown word operator", "a is b"],
  ["only an operator", "!="],
  ["dangling !", "!"],
  ["key starting with a dash", "-a=b"],
  ["key with a space inside quotes", "'a b'=c"],
  ["key name longer than 63", `${"k".repeat(64)}=v`],
  ["empty key prefix", "/a=b"],
  ["empty key name", "example.com/=b"],
  ["upper-case key prefix", "Example.com/a=b"],
  ["two slashes in key", "a/b/c=d"],
  ["value longer than 63", `a=${"v".repeat(64)}`],
  ["value ending in a dash", "a=b-"],
  ["value with a slash", "a=b/c"],
  ["invalid value inside set", "a in (ok,-bad)"],
  ["non-ASCII key", "ä=b"],
];

for (const [title, text] of REJECTS) {
  Deno.test(`parseLabelSelector rejects ${title}`, () => {
    assert.throws(() => parseLabelSelector(text), SelectorError);
  });
}

Deno.test("parseLabelSelector: SelectorError is an Error with its own name", () => {
  try {
    parseLabelSelector("a,");
    assert.fail("no error");
  } catch (error) {
    assert.ok(error instanceof Error);
    assert.equal((error as Error).name, "SelectorError");
    assert.match((error as Error).message, /expected: identifier after ','/);
  }
});

Deno.test("parseLabelSelector: a very long hostile selector is rejected, not hung on", () => {
  assert.throws(() => parseLabelSelector("a in (" + "x,".repeat(100_000)), SelectorError);
  assert.throws(() => parseLabelSelector("a".repeat(100_000) + "!"), SelectorError);
});

Deno.test("qualifiedNameError: accepts a 253-character DNS prefix", () => {
  const prefix = Array(4).fill("a".repeat(62)).join(".") + ".b"; // 253 characters
  assert.equal(prefix.length, 253);
  assert.equal(qualifiedNameError(`${prefix}/name`), undefined);
  assert.ok(qualifiedNameError(`${prefix}x/name`));
});

Deno.test("labelValueError: empty value is valid, 64 characters are not", () => {
  assert.equal(labelValueError(""), undefined);
  assert.ok(labelValueError("a".repeat(64)));
});

const LABELS = { app: "web", tier: "front", empty: "" };
const MATCHES: [string, string, Record<string, string>, boolean][] = [
  ["empty selector matches anything", "", {}, true],
  ["= matches equal value", "app=web", LABELS, true],
  ["= fails on other value", "app=db", LABELS, false],
  ["= fails on missing key", "zone=a", LABELS, false],
  ["= with empty value matches empty label", "empty=", LABELS, true],
  ["= with empty value fails on missing key", "zone=", LABELS, false],
  ["!= matches other value", "app!=db", LABELS, true],
  ["!= fails on equal value", "app!=web", LABELS, false],
  ["!= matches missing key", "zone!=a", LABELS, true],
  ["in matches a member", "tier in (back,front)", LABELS, true],
  ["in fails on non-member", "tier in (back)", LABELS, false],
  ["in fails on missing key", "zone in (a)", LABELS, false],
  ["in () matches the empty label", "empty in ()", LABELS, true],
  ["notin matches non-member", "tier notin (back)", LABELS, true],
  ["notin fails on member", "tier notin (front)", LABELS, false],
  ["notin matches missing key", "zone notin (a)", LABELS, true],
  ["exists matches present key", "app", LABELS, true],
  ["exists matches key with empty value", "empty", LABELS, true],
  ["exists fails on missing key", "zone", LABELS, false],
  ["!exists matches missing key", "!zone", LABELS, true],
  ["!exists fails on present key", "!app", LABELS, false],
  ["AND of all requirements", "app=web,tier in (front),!zone", LABELS, true],
  ["AND fails if one fails", "app=web,tier in (back)", LABELS, false],
  ["inherited property is not a label", "constructor", {}, false],
  ["inherited property counts as missing for !=", "constructor!=x", {}, true],
];

for (const [title, text, labels, expected] of MATCHES) {
  Deno.test(`matchesLabels: ${title}`, () => {
    assert.equal(matchesLabels(parseLabelSelector(text), labels), expected);
  });
}

const FORMATS: [string, string, string][] = [
  ["empty", "", ""],
  ["== printed as =", "a==b", "a=b"],
  ["sorted by key", "b=1,a", "a,b=1"],
  ["set values sorted", "a in (z,y)", "a in (y,z)"],
  ["notin spacing", "a  notin(x)", "a notin (x)"],
  ["does not exist", " ! a", "!a"],
  ["empty set value", "a in ()", "a in ()"],
  ["set with empty and real values", "a in (x,)", "a in (,x)"],
  ["empty exact value", "a!=", "a!="],
  ["duplicates dropped", "a,a", "a"],
  ["same key ordered by text", "a=1,a!=2", "a!=2,a=1"],
  [
    "kube-proxy selector",
    "!service.kubernetes.io/service-proxy-name,!service.kubernetes.io/headless",
    "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name",
  ],
];

for (const [title, text, expected] of FORMATS) {
  Deno.test(`formatLabelSelector: ${title}`, () => {
    const formatted = formatLabelSelector(parseLabelSelector(text));
    assert.equal(formatted, expected);
    assert.equal(formatLabelSelector(parseLabelSelector(formatted)), formatted, "round trip");
  });
}

Deno.test("formatLabelSelector: hand-built selector with unsorted set values is canonical", () => {
  assert.equal(
    formatLabelSelector([
      { key: "b", op: "notin", values: ["y", "x", "y"] },
      { key: "a", op: "=", values: ["1"] },
    ]),
    "a=1,b notin (x,y)",
  );
});
