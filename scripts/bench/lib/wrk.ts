/**
 * Runs `wrk` (the load generator, as its own process) at fixed concurrency and reads its summary
 * from a generated Lua `done()` hook, which prints exact percentiles as one JSON line.
 * @module
 */

/** One `wrk` run. */
export interface WrkOptions {
  url: string;
  connections: number;
  threads?: number;
  durationS: number;
  headers?: Record<string, string>;
  /** Per-request timeout. */
  timeoutS?: number;
}

/** What `wrk` measured. */
export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  bytes: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors (connect, read, write, timeout) plus non-2xx/3xx responses. */
  errors: number;
}

const DONE_HOOK = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "WRKJSON {\\"requests\\":%d,\\"bytes\\":%d,\\"durationUs\\":%d,\\"p50Us\\":%d,\\"p99Us\\":%d,\\"errors\\":%d}\\n",
    summary.requests, summary.bytes, summary.duration, latency:percentile(50),
    latency:percentile(99), e.connect + e.read + e.write + e.timeout + e.status))
end
`;

/** True when the `wrk` binary can be run. */
export async function wrkAvailable(): Promise<boolean> {
  try {
    await new Deno.Command("wrk", { args: ["--version"], stdout: "null", stderr: "null" }).output();
    return true;
  } catch {
    return false;
  }
}

/** Runs `wrk` against `options.url` and returns its summary. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const hook = await Deno.makeTempFile({ prefix: "holdfast-wrk-", suffix: ".lua" });
  try {
    await Deno.writeTextFile(hook, DONE_HOOK);
    return await wrk(options, hook);
  } finally {
    await Deno.remove(hook);
  }
}

async function wrk(options: WrkOptions, hook: string): Promise<WrkResult> {
  const args = [
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    `--timeout`,
    `${options.timeoutS ?? 10}s`,
    "-s",
    hook,
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    args.push("-H", `${name}: ${value}`);
  }
  args.push(options.url);
  const limit = (options.durationS + (options.timeoutS ?? 10) + 10) * 1000;
  const output = await new Deno.Command("wrk", {
    args,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(limit),
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  const line = text.split("\n").find((l) => l.startsWith("WRKJSON "));
  if (!output.success || !line) {
    throw new Error(
      `wrk failed (${output.code}): ${text}${new TextDecoder().decode(output.stderr)}`,
    );
  }
  const raw = JSON.parse(line.slice("WRKJSON ".length));
  return {
    requestsPerSec: raw.requests / (raw.durationUs / 1e6),
    requests: raw.requests,
    bytes: raw.bytes,
    p50Ms: raw.p50Us / 1000,
    p99Ms: raw.p99Us / 1000,
    errors: raw.errors,
  };
}
