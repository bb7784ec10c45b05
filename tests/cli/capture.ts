/**
 * Test helper: runs `main` in-process and captures what it writes.
 * @module
 */
import { main } from "../../src/cli/main.ts";

/** What one CLI invocation produced. */
export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `holdfast ...args` in this process. */
export async function runMain(args: string[]): Promise<Outcome> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, {
    out: (text) => stdout += text,
    err: (text) => stderr += text,
  });
  return { code, stdout, stderr };
}
