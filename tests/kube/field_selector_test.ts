import assert from "node:assert/strict";
import {
  escapeFieldValue,
  type FieldSelector,
  formatFieldSelector,
  matchesFields,
  nameFromFieldSelector,
  parseFieldSelector,
  requiredFieldValue,
} from "../../src/kube/field_selector.ts";
import { SelectorError } from "../../src/kube/label_selector.ts";

const PARSES: [string, string, FieldSelector][] = [
  ["empty string selects everything", "", []],
  ["only commas select everything", ",,", []],
  ["equals", "metadata.name=n1", [{ field: "metadata.name", op: "=", value: "n1" }]],
  ["double equals is equals", "metadata.name==n1", [
    { field: "metadata.name", op: "=", value: "n1" },
  ]],
  ["not equals", "spec.clusterIP!=None", [{ field: "spec.clusterIP", op: "!=", value: "None" }]],
  ["empty value", "spec.nodeName=", [{ field: "spec.nodeName", op: "=", value: "" }]],
  ["empty field", "=x", [{ field: "", op: "=", value: "x" }]],
  ["both sides empty is dropped", "=", []],
  ["both sides empty with == is dropped", "==,a=b", [{ field: "a", op: "=", value: "b" }]],
  ["terms sorted by text", "status.phase!=Unknown,status.phase!=Failed", [
    { field: "status.phase", op: "!=", value: "Failed" },
    { field: "status.phase", op: "!=", value: "Unknown" },
  ]],
  ["empty terms skipped", "a=1,,b=2,", [
    { field: "a", op: "=", value: "1" },
    { field: "b", op: "=", value: "2" },
  ]],
  ["whitespace kept", " a = b ", [{ field: " a ", op: "=", value: " b " }]],
  ["escaped comma", "a=x\\,y", [{ field: "a", op: "=", value: "x,y" }]],
  ["escaped equals", "a=x\\=y", [{ field: "a", op: "=", value: "x=y" }]],
  ["escaped backslash", "a=x\\\\y", [{ field: "a", op: "=", value: "x\\y" }]],
  ["escaped backslash before a separating comma", "a=x\\\\,b=y", [
    { field: "a", op: "=", value: "x\\" },
    { field: "b", op: "=", value: "y" },
  ]],
  ["first operator splits the term", "a!b=c", [{ field: "a!b", op: "=", value: "c" }]],
  ["bang after equals belongs to the value", "a=!b", [{ field: "a", op: "=", value: "!b" }]],
  ["non-ASCII value", "a=ü\u{1F600}", [{ field: "a", op: "=", value: "ü\u{1F600}" }]],
  [
    "CoreDNS pods-verified selector",
    "status.phase!=Succeeded,status.phase!=Failed,status.phase!=Unknown",
    [
      { field: "status.phase", op: "!=", value: "Failed" },
      { field: "status.phase", op: "!=", value: "Succeeded" },
      { field: "status.phase", op: "!=", value: "Unknown" },
    ],
  ],
];

for (const [title, text, expected] of PARSES) {
  Deno.test(`parseFieldSelector: ${title}`, () => {
    assert.deepEqual(parseFieldSelector(text), expected);
  });
}

const REJECTS: [string, string][] = [
  ["no operator", "metadata.name"],
  ["one good term and one without operator", "a=b,c"],
  ["unescaped equals in value", "a=b=c"],
  ["triple equals", "a===b"],
  ["not-equals followed by equals", "a!==b"],
  ["unknown escape", "a=\\x"],
  ["trailing backslash", "a=b\\"],
  ["operator-less garbage", "!"],
];

for (const [title, text] of REJECTS) {
  Deno.test(`parseFieldSelector rejects ${title}`, () => {
    assert.throws(() => parseFieldSelector(text), SelectorError);
  });
}

const POD = { "metadata.name": "p1", "spec.nodeName": "node-a", "status.phase": "Running" };
const MATCHES: [string, string, Record<string, string>, boolean][] = [
  ["empty selector matches anything", "", {}, true],
  ["= matches", "spec.nodeName=node-a", POD, true],
  ["= fails on other value", "spec.nodeName=node-b", POD, false],
  ["absent field equals empty value", "spec.schedulerName=", POD, true],
  ["absent field does not equal a value", "spec.schedulerName=x", POD, false],
  ["!= matches other value", "status.phase!=Failed", POD, true],
  ["!= fails on equal value", "status.phase!=Running", POD, false],
  ["!= matches absent field", "spec.clusterIP!=None", {}, true],
  ["!= empty fails on absent field", "spec.clusterIP!=", {}, false],
  ["AND of all terms", "metadata.name=p1,status.phase!=Failed,status.phase!=Unknown", POD, true],
  ["AND fails if one fails", "metadata.name=p1,status.phase!=Running", POD, false],
  ["escaped value compared unescaped", "a=x\\,y", { a: "x,y" }, true],
  ["inherited property is absent", "constructor=", {}, true],
  ["headless service excluded", "spec.clusterIP!=None", { "spec.clusterIP": "None" }, false],
];

for (const [title, text, fields, expected] of MATCHES) {
  Deno.test(`matchesFields: ${title}`, () => {
    assert.equal(matchesFields(parseFieldSelector(text), fields), expected);
  });
}

const FORMATS: [string, string, string][] = [
  ["empty", "", ""],
  ["== printed as =", "a==b", "a=b"],
  ["sorted", "b=1,a!=2", "a!=2,b=1"],
  ["sorted regardless of spelling", "b==1,a=2", "a=2,b=1"],
  ["duplicates dropped", "a=1,a==1", "a=1"],
  ["values escaped", "a=x\\,y\\=z\\\\", "a=x\\,y\\=z\\\\"],
  ["kubelet node selector", "metadata.name=node-a", "metadata.name=node-a"],
];

for (const [title, text, expected] of FORMATS) {
  Deno.test(`formatFieldSelector: ${title}`, () => {
    const formatted = formatFieldSelector(parseFieldSelector(text));
    assert.equal(formatted, expected);
    assert.deepEqual(
      parseFieldSelector(formatted),
      parseFieldSelector(text).filter(
        (r, i, all) =>
          all.findIndex((s) => s.field === r.field && s.op === r.op && s.value === r.value) === i,
      ),
      "round trip",
    );
  });
}

Deno.test("escapeFieldValue: escapes backslash, comma and equals only", () => {
  assert.equal(escapeFieldValue("a\\b,c=d!e"), "a\\\\b\\,c\\=d!e");
});

const NAMES: [string, string, string | undefined][] = [
  ["sole metadata.name", "metadata.name=n1", "n1"],
  ["sole metadata.name with ==", "metadata.name==n1", "n1"],
  ["repeated identical metadata.name", "metadata.name=n1,metadata.name=n1", "n1"],
  ["empty selector", "", undefined],
  ["name with another field", "metadata.name=n1,metadata.namespace=ns", undefined],
  ["two different names", "metadata.name=a,metadata.name=b", undefined],
  ["not-equals name", "metadata.name!=n1", undefined],
  ["other field", "spec.nodeName=n1", undefined],
  ["empty name", "metadata.name=", ""],
];

for (const [title, text, expected] of NAMES) {
  Deno.test(`nameFromFieldSelector: ${title}`, () => {
    assert.equal(nameFromFieldSelector(parseFieldSelector(text)), expected);
  });
}

Deno.test("requiredFieldValue: first = requirement on the field, like RequiresExactMatch", () => {
  const selector = parseFieldSelector("metadata.name=b,metadata.name=a,metadata.namespace=x");
  assert.equal(requiredFieldValue(selector, "metadata.name"), "a");
  assert.equal(requiredFieldValue(selector, "metadata.namespace"), "x");
  assert.equal(
    requiredFieldValue(parseFieldSelector("metadata.name!=a"), "metadata.name"),
    undefined,
  );
});
