import assert from "node:assert/strict";
import { containsAny, nameNeedles, needlesOf } from "../../src/filters/needles.ts";
import { service } from "./objects.ts";

const encoder = new TextEncoder();

Deno.test("needles: a name is found as the object's name in both encodings, not inside labels", () => {
  const needles = needlesOf(nameNeedles("kubernetes"));
  const named = service("default", "kubernetes");
  const labelled = service("default", "web");
  (labelled.json.metadata as Record<string, unknown>).labels = { "app.kubernetes.io/name": "web" };
  assert.equal(containsAny(encoder.encode(JSON.stringify(named.json)), needles), true);
  assert.equal(containsAny(named.pb, needles), true);
  assert.equal(containsAny(encoder.encode(JSON.stringify(labelled.json)), needles), false);
  assert.equal(containsAny(labelled.pb, needles), false);
  // The bare word would have matched both.
  const word = needlesOf(["kubernetes"]);
  assert.equal(containsAny(encoder.encode(JSON.stringify(labelled.json)), word), true);
});

Deno.test("needles: no needles means every object is looked at; a needle at either end is found", () => {
  assert.equal(containsAny(encoder.encode("anything"), []), true);
  const needles = needlesOf(["ab"]);
  assert.equal(containsAny(encoder.encode("abxx"), needles), true);
  assert.equal(containsAny(encoder.encode("xxab"), needles), true);
  assert.equal(containsAny(encoder.encode("xxa"), needles), false);
  assert.equal(containsAny(encoder.encode("aab"), needles), true);
});
