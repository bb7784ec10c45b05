/**
 * The suite's record of checks: each has a name, a result and a detail (what was seen, or why it
 * failed) and the seconds it took; printed as a table or as JSON.
 * @module
 */

/** One check's outcome. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
  seconds: number;
}

/** The checks run so far, in order. */
export class Checks {
  readonly list: Check[] = [];

  /** True when every check so far passed. */
  get ok(): boolean {
    return this.list.every((check) => check.ok);
  }

  /**
   * Runs `fn` as check `name`: it passes when `fn` resolves (with its detail) and fails when it
   * throws (with the error's message). Returns whether it passed.
   */
  async run(name: string, fn: () => Promise<string>): Promise<boolean> {
    const started = performance.now();
    let ok = true;
    let detail: string;
    try {
      detail = await fn();
    } catch (error) {
      ok = false;
      detail = error instanceof Error ? error.message : String(error);
    }
    const seconds = (performance.now() - started) / 1000;
    this.list.push({ name, ok, detail, seconds });
    return ok;
  }
}

/** The checks as a text table: name, PASS/FAIL, seconds, detail. */
export function formatTable(checks: readonly Check[]): string {
  const width = Math.max(5, ...checks.map((check) => check.name.length));
  const rows = checks.map((check) =>
    `${check.name.padEnd(width)}  ${check.ok ? "PASS" : "FAIL"}  ${
      check.seconds.toFixed(1).padStart(6)
    }  ${check.detail.replaceAll("\n", "\n" + " ".repeat(width + 16))}`
  );
  const passed = checks.filter((check) => check.ok).length;
  return [
    `${"check".padEnd(width)}  result  secs  detail`,
    ...rows,
    `${passed}/${checks.length} passed`,
  ].join("\n");
}
