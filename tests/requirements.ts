/**
 * Test helper: gates a test on the tools it drives beyond Deno (`scripts/test_setup.ts` installs
 * them when it can). A test whose tool is missing is ignored, and the reason is printed once.
 *
 * ```ts
 * const test = testWith("kubectl");
 * test("kubectl: get", async () => {});
 * ```
 * @module
 */
import { isPresent, requirement, type Tool } from "../scripts/test_setup.ts";

const known = new Map<Tool, boolean>();

/** Test options that ignore the test when one of `tools` is not installed. */
export function needs(...tools: Tool[]): { ignore: boolean } {
  const missing = tools.filter((tool) => {
    if (!known.has(tool)) {
      const present = isPresent(requirement(tool));
      known.set(tool, present);
      if (!present) console.warn(`skipping tests that need ${tool}: it is not installed`);
    }
    return !known.get(tool);
  });
  return { ignore: missing.length > 0 };
}

/** `Deno.test`, ignoring the test when one of `tools` is not installed. */
export function testWith(...tools: Tool[]): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) => Deno.test(name, needs(...tools), fn);
}
