import assert from "node:assert/strict";
import {
  compareResourceVersions,
  goesBackwards,
  isNewer,
  isNumericResourceVersion,
} from "../../src/kube/resource_version.ts";

const ORDER: [string, string, string, number][] = [
  ["equal", "123", "123", 0],
  ["smaller number", "9", "10", -1],
  ["larger number", "10", "9", 1],
  ["same length", "456", "123", 1],
  ["leading zeros are the same value", "007", "7", 0],
  ["zero and zeros", "0", "000", 0],
  ["beyond 2^53", "9007199254740993", "9007199254740992", 1],
  ["beyond uint64", "99999999999999999999999", "18446744073709551615", 1],
  ["empty is older than any number", "", "0", -1],
  ["non-numeric is older than any number", "abc", "1", -1],
  ["number is newer than non-numeric", "1", "abc", 1],
  ["negative is non-numeric", "-5", "1", -1],
  ["two non-numeric by string order", "abc", "abd", -1],
  ["identical non-numeric", "x", "x", 0],
  ["fraction is non-numeric", "1.5", "1", -1],
];

for (const [title, a, b, sign] of ORDER) {
  Deno.test(`compareResourceVersions: ${title}`, () => {
    assert.equal(Math.sign(compareResourceVersions(a, b)), sign);
    assert.equal(Math.sign(compareResourceVersions(b, a)), -sign || 0, "antisymmetric");
  });
}

Deno.test("compareResourceVersions: never NaN", () => {
  for (const a of ["", "x", "1", "-1", " 1"]) {
    for (const b of ["", "y", "2", "1e3"]) assert.ok(!Number.isNaN(compareResourceVersions(a, b)));
  }
});

Deno.test("compareResourceVersions: sorts a mixed list into a total order", () => {
  const sorted = ["10", "", "2", "abc", "1", "010"].sort(compareResourceVersions);
  assert.deepEqual(sorted, ["", "abc", "1", "2", "10", "010"]);
});

Deno.test("isNewer: strict", () => {
  assert.equal(isNewer("11", "10"), true);
  assert.equal(isNewer("10", "10"), false);
  assert.equal(isNewer("9", "10"), false);
});

Deno.test("isNumericResourceVersion: digits only", () => {
  assert.equal(isNumericResourceVersion("0"), true);
  assert.equal(isNumericResourceVersion("12345678901234567890"), true);
  assert.equal(isNumericResourceVersion(""), false);
  assert.equal(isNumericResourceVersion("+1"), false);
  assert.equal(isNumericResourceVersion("1 "), false);
});

Deno.test("goesBackwards: only numeric versions, strictly older", () => {
  const cases: [string, string, boolean][] = [
    ["200", "150", true],
    ["200", "0199", true],
    ["200", "200", false],
    ["200", "201", false],
    ["200", "abc", false],
    ["abc", "1", false],
    ["", "1", false],
  ];
  for (const [previous, next, expected] of cases) {
    assert.deepEqual(goesBackwards(previous, next), expected, `${previous} → ${next}`);
  }
});
