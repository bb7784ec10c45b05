import { assertEquals } from "../../assert.ts";
import { shapeProblem } from "../../../src/proxy/local/patched_shape.ts";

Deno.test("patched shape: a node or pod keeps the JSON types of what clients read", () => {
  const node = (status: unknown, labels: unknown = { a: "b" }) => ({
    metadata: { name: "n", labels },
    status,
  });
  assertEquals(
    shapeProblem(node({ conditions: [{ type: "Ready" }], phase: "Running" })),
    undefined,
  );
  assertEquals(shapeProblem(node(undefined)), undefined);
  assertEquals(shapeProblem(node({ conditions: null, capacity: {} })), undefined);
  assertEquals(shapeProblem(node(5)), "status must be an object");
  assertEquals(shapeProblem(node([])), "status must be an object");
  assertEquals(shapeProblem(node({ conditions: {} })), "status.conditions must be a list");
  assertEquals(shapeProblem(node({ conditions: [1] })), "status.conditions must hold objects");
  assertEquals(shapeProblem(node({ nodeInfo: "x" })), "status.nodeInfo must be an object");
  assertEquals(shapeProblem(node({ podIP: 1 })), "status.podIP must be a string");
  assertEquals(shapeProblem(node({}, { a: 1 })), "metadata.labels must map strings to strings");
  assertEquals(shapeProblem({ metadata: 3 }), "metadata must be an object");
});
