import assert from "node:assert/strict";
import {
  jsonPatch,
  mergePatch,
  PatchError,
  strategicMerge,
} from "../../../scripts/apiserver-sim/patch.ts";

Deno.test("merge patch: null deletes, objects merge, arrays replace", () => {
  const target = { a: 1, b: { c: 2, d: 3 }, list: [1, 2] };
  assert.deepEqual(mergePatch(target, { a: null, b: { c: 5 }, list: [9] }), {
    b: { c: 5, d: 3 },
    list: [9],
  });
  assert.deepEqual(target, { a: 1, b: { c: 2, d: 3 }, list: [1, 2] });
});

Deno.test("strategic merge: containers merge by name, new ones are appended", () => {
  const target = {
    containers: [{ name: "a", image: "1", ports: [80] }, { name: "b", image: "1" }],
  };
  const patched = strategicMerge(target, {
    containers: [{ name: "a", image: "2" }, { name: "c" }],
  });
  assert.deepEqual(patched.containers, [
    { name: "a", image: "2", ports: [80] },
    { name: "b", image: "1" },
    { name: "c" },
  ]);
});

Deno.test("strategic merge: $patch delete removes a keyed element, directives are dropped", () => {
  const target = {
    conditions: [{ type: "Ready", status: "True" }, { type: "X", status: "False" }],
  };
  const patched = strategicMerge(target, {
    "$setElementOrder/conditions": [{ type: "Ready" }],
    conditions: [{ type: "X", $patch: "delete" }],
  });
  assert.deepEqual(patched, { conditions: [{ type: "Ready", status: "True" }] });
});

Deno.test("strategic merge: finalizers merge as a set, unknown lists replace", () => {
  const patched = strategicMerge({ finalizers: ["a"], args: ["x", "y"] }, {
    finalizers: ["b", "a"],
    args: ["z"],
  });
  assert.deepEqual(patched, { finalizers: ["a", "b"], args: ["z"] });
});

Deno.test("json patch: add to an array end, replace, remove, copy", () => {
  const result = jsonPatch({ list: [1], a: { b: "x" } }, [
    { op: "add", path: "/list/-", value: 2 },
    { op: "replace", path: "/a/b", value: "y" },
    { op: "copy", from: "/a", path: "/c" },
    { op: "remove", path: "/list/0" },
  ]);
  assert.deepEqual(result, { list: [2], a: { b: "y" }, c: { b: "y" } });
});

Deno.test("json patch: escaped pointers address keys with / and ~", () => {
  const result = jsonPatch({ labels: { "a/b": "1", "c~d": "2" } }, [
    { op: "remove", path: "/labels/a~1b" },
    { op: "replace", path: "/labels/c~0d", value: "3" },
  ]);
  assert.deepEqual(result, { labels: { "c~d": "3" } });
});

Deno.test("json patch: a failed test is a 422 PatchError", () => {
  assert.throws(
    () => jsonPatch({ a: 1 }, [{ op: "test", path: "/a", value: 2 }]),
    (e) => e instanceof PatchError && e.code === 422,
  );
});

Deno.test("json patch: removing a missing path is a 422, a non-array patch a 400", () => {
  assert.throws(
    () => jsonPatch({}, [{ op: "remove", path: "/nope" }]),
    (e) => e instanceof PatchError && e.code === 422,
  );
  assert.throws(
    () => jsonPatch({}, { op: "add" }),
    (e) => e instanceof PatchError && e.code === 400,
  );
});
