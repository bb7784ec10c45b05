import assert from "node:assert/strict";
import { decodeContinue, encodeContinue } from "../../../src/proxy/local/continue_token.ts";

Deno.test("continue token: round-trips", () => {
  const token = { queryId: 7, generation: 3, resourceVersion: "1234", offset: 500 };
  assert.deepEqual(decodeContinue(encodeContinue(token)), token);
});

Deno.test("continue token: is URL-safe", () => {
  const text = encodeContinue({ queryId: 1, generation: 1, resourceVersion: "??>>", offset: 1 });
  assert.deepEqual(/^[A-Za-z0-9_-]+$/.test(text), true);
});

Deno.test("continue token: garbage, kube-apiserver tokens and tampered fields are rejected", () => {
  assert.deepEqual(decodeContinue("not a token!"), undefined);
  assert.deepEqual(decodeContinue(""), undefined);
  const apiserver = btoa(JSON.stringify({ v: "meta.k8s.io/v1", rv: 5, start: "pods/a" }));
  assert.deepEqual(decodeContinue(apiserver), undefined);
  const negative = btoa(JSON.stringify({ v: "holdfast/1", q: 1, g: 1, rv: "5", o: -1 }));
  assert.deepEqual(decodeContinue(negative), undefined);
});
