import assert from "node:assert/strict";
import { mergePatch, strategicMergePatch } from "../../../src/proxy/local/merge_patch.ts";

Deno.test("merge patch: sets, replaces nested values and deletes with null", () => {
  const target = { a: 1, b: { c: 2, d: 3 }, e: [1, 2] };
  assert.deepEqual(mergePatch(target, { a: 5, b: { c: null, x: 1 }, e: [3] }), {
    a: 5,
    b: { d: 3, x: 1 },
    e: [3],
  });
});

Deno.test("merge patch: the target is not modified", () => {
  const target = { b: { c: 2 } };
  mergePatch(target, { b: { c: 3 } });
  assert.deepEqual(target, { b: { c: 2 } });
});

Deno.test("strategic merge: conditions merge by type and keep the untouched ones", () => {
  const node = {
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: "True", lastHeartbeatTime: "t0" },
      ],
    },
  };
  const patch = {
    status: {
      "$setElementOrder/conditions": [{ type: "MemoryPressure" }, { type: "Ready" }],
      conditions: [{ type: "Ready", lastHeartbeatTime: "t1" }],
    },
  };
  assert.deepEqual(strategicMergePatch(node, patch), {
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: "True", lastHeartbeatTime: "t1" },
      ],
    },
  });
});

Deno.test("strategic merge: $setElementOrder reorders merged lists", () => {
  const target = { conditions: [{ type: "A" }, { type: "B" }] };
  const patch = {
    "$setElementOrder/conditions": [{ type: "C" }, { type: "B" }, { type: "A" }],
    conditions: [{ type: "C", status: "x" }],
  };
  assert.deepEqual(strategicMergePatch(target, patch), {
    conditions: [{ type: "C", status: "x" }, { type: "B" }, { type: "A" }],
  });
});

Deno.test("strategic merge: $patch delete removes a list element by its key", () => {
  const target = { containerStatuses: [{ name: "a" }, { name: "b" }] };
  const patch = { containerStatuses: [{ name: "a", $patch: "delete" }] };
  assert.deepEqual(strategicMergePatch(target, patch), { containerStatuses: [{ name: "b" }] });
});

Deno.test("strategic merge: lists without a merge key are replaced", () => {
  const target = { images: [{ names: ["a"] }, { names: ["b"] }] };
  assert.deepEqual(strategicMergePatch(target, { images: [{ names: ["c"] }] }), {
    images: [{ names: ["c"] }],
  });
});

Deno.test("strategic merge: $deleteFromPrimitiveList and $patch replace", () => {
  const target = { finalizers: ["a", "b"], obj: { x: 1, y: 2 } };
  const patch = { "$deleteFromPrimitiveList/finalizers": ["a"], obj: { $patch: "replace", z: 3 } };
  assert.deepEqual(strategicMergePatch(target, patch), { finalizers: ["b"], obj: { z: 3 } });
});

Deno.test("strategic merge: annotations merge as a map and null deletes a key", () => {
  const target = { metadata: { annotations: { a: "1", b: "2" } } };
  const patch = { metadata: { annotations: { a: null, c: "3" } } };
  assert.deepEqual(strategicMergePatch(target, patch), {
    metadata: { annotations: { b: "2", c: "3" } },
  });
});
