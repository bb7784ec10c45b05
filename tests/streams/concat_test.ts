import assert from "node:assert/strict";
import { concat } from "../../src/streams/concat.ts";

Deno.test("concat joins in order, into a new array", () => {
  const first = Uint8Array.of(1);
  const joined = concat([first, new Uint8Array(0), Uint8Array.of(2, 3)]);
  assert.deepEqual([...joined], [1, 2, 3]);
  assert.notEqual(concat([first]), first);
  assert.equal(concat([]).length, 0);
});
