/**
 * Assertions for tests, on top of `node:assert/strict` (JSR's @std/assert is unreachable here).
 * @module
 */
import * as nodeAssert from "node:assert/strict";

/** Asserts `value` is truthy. */
export function assert(value: unknown, message?: string): asserts value {
  nodeAssert.ok(value, message ?? "assertion failed");
}

/** Asserts deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message ?? "values differ");
}

/** Asserts that `fn` rejects, optionally with an error of `type` whose message includes `text`. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  // deno-lint-ignore no-explicit-any
  type?: new (...args: any[]) => Error,
  text?: string,
): Promise<unknown> {
  try {
    await fn();
  } catch (error) {
    if (type) nodeAssert.ok(error instanceof type, `expected ${type.name}, got ${error}`);
    if (text) nodeAssert.ok(String((error as Error).message).includes(text), `message: ${error}`);
    return error;
  }
  throw new nodeAssert.AssertionError({ message: "expected a rejection" });
}
