import assert from "node:assert/strict";
import { inRotatingRounds } from "../../../../scripts/bench/lib/rounds.ts";

Deno.test("rotating rounds: every name once per round, each round starting one name later", async () => {
  const order: string[] = [];
  const seen: number[] = [];
  const results = await inRotatingRounds(["a", "b", "c"], 4, (name) => {
    order.push(name);
    return Promise.resolve(order.length);
  }, (_, round) => seen.push(round));
  assert.deepEqual(order.join(""), "abcbcacababc");
  assert.deepEqual(results, { a: [1, 6, 8, 10], b: [2, 4, 9, 11], c: [3, 5, 7, 12] });
  assert.deepEqual(seen, [0, 1, 2, 3]);
});
