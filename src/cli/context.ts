/**
 * What every CLI command writes to and reports through: standard output and error, and the
 * process exit code it settles on.
 * @module
 */

/** Output streams and the exit code, shared by the commands of one `main()` call. */
export interface CliContext {
  /** Writes to standard output (the text carries its own newlines). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** The exit code a command settled on; unset means success, unless `Deno.exitCode` says else. */
  exitCode?: number;
}

const encoder = new TextEncoder();

/** A context writing synchronously to the process's stdout and stderr. */
export function processContext(): CliContext {
  return {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
  };
}

function writeAll(target: { writeSync(bytes: Uint8Array): number }, text: string): void {
  const bytes = encoder.encode(text);
  for (let written = 0; written < bytes.length;) {
    written += target.writeSync(bytes.subarray(written));
  }
}
