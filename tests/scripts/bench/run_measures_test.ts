import { assertEquals } from "../../assert.ts";
import type { BenchContext, Measure } from "../../../scripts/bench/lib/measure.ts";
import { QUICK, runMeasures } from "../../../scripts/bench/main.ts";

const failing: Measure = {
  name: "failing",
  plan: () => [{ id: "a", metric: "a", peer: true }, { id: "b", metric: "b" }],
  run: () => Promise.reject(new Error("boom\nmore")),
};

function context(yurthub: BenchContext["yurthub"]): BenchContext {
  return { quick: true, profile: false, repoRoot: "", runDir: "", sizes: QUICK, yurthub };
}

Deno.test("runMeasures: a failed measurement's YurtHub cells say why they are empty", async () => {
  const quiet = () => {};
  const missing = await runMeasures(context({ missing: "not built: test" }), [failing], quiet);
  assertEquals(missing.map((row) => [row.id, row.note, row.yurthub]), [
    ["a", "not measured: boom", "not built: test"],
    ["b", "not measured: boom", undefined],
  ]);
  const built = await runMeasures(context({ path: "/bin/true" }), [failing], quiet);
  assertEquals(built.map((row) => row.yurthub), ["not measured: boom", undefined]);
});
