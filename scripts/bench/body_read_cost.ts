/**
 * What reading a response body in JavaScript costs, against the runtime piping it natively (not
 * part of the bench table; run by hand): the floor under a cached LIST, whose body the bounded
 * tee must read in JavaScript, where an uncached one goes from `fetch` to `Deno.serve` without
 * JavaScript. It fetches `--url` (e.g. a 5,000-pod LIST from a simulator started with
 * `deno task sim -- --port 0 --pods 5000 --no-compression`) `--runs` times per way, in rounds
 * that alternate the ways, and prints the process CPU per body (all threads) and the JavaScript
 * thread's: a default reader (a fresh 64 KiB buffer per read, as `fetch` allocates it), a BYOB
 * reader refilling one buffer (the same reads without the allocations), and `arrayBuffer()`.
 *
 * Usage: `deno run -A scripts/bench/body_read_cost.ts --url URL [--runs 10] [--rounds 2]`
 * @module
 */
import { parseArgs } from "node:util";
import { cpuMs } from "./lib/processes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    url: { type: "string" },
    runs: { type: "string", default: "10" },
    rounds: { type: "string", default: "2" },
  },
});
if (!values.url) throw new Error("--url is required");
const url = values.url;

/** Reads one body a given way; resolves to its size in bytes. */
type Way = (response: Response) => Promise<number>;

const WAYS: Record<string, Way> = {
  "default reader": async (response) => {
    let bytes = 0;
    for await (const chunk of response.body!) bytes += chunk.byteLength;
    return bytes;
  },
  "BYOB, one buffer": async (response) => {
    const reader = response.body!.getReader({ mode: "byob" });
    let buffer = new Uint8Array(64 * 1024);
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read(buffer);
      if (done || !value) return bytes;
      bytes += value.byteLength;
      buffer = new Uint8Array(value.buffer);
    }
  },
  "arrayBuffer()": async (response) => (await response.arrayBuffer()).byteLength,
};

for (let round = 1; round <= Number(values.rounds); round++) {
  for (const [name, read] of Object.entries(WAYS)) {
    const [process, thread] = [cpuMs("/proc/self/stat"), cpuMs(`/proc/self/task/${Deno.pid}/stat`)];
    let bytes = 0;
    for (let i = 0; i < Number(values.runs); i++) {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      bytes = await read(response);
    }
    const per = (ms: number) => (ms / Number(values.runs)).toFixed(0);
    console.log(
      `round ${round}, ${name}: ${(bytes / 2 ** 20).toFixed(1)} MiB body, CPU per body ` +
        `${per(cpuMs("/proc/self/stat") - process)} ms (JavaScript thread ` +
        `${per(cpuMs(`/proc/self/task/${Deno.pid}/stat`) - thread)} ms)`,
    );
  }
}
