import assert from "node:assert/strict";
import { openMallocTrim, trimPeriodically } from "../../src/process/memory_trim.ts";

/** The trim timer does not keep the process alive: a test keeps it alive while it waits. */
function keepAlive(): { [Symbol.dispose](): void } {
  const timer = setTimeout(() => {}, 60_000);
  return { [Symbol.dispose]: () => clearTimeout(timer) };
}

Deno.test("trims run periodically, one at a time, and stop waits for the one in flight", async () => {
  using _alive = keepAlive();
  const pending: Array<() => void> = [];
  const called = Promise.withResolvers<void>();
  const timer = trimPeriodically(() => {
    called.resolve();
    return new Promise<void>((resolve) => pending.push(resolve));
  }, 2);
  await called.promise;
  await new Promise((resolve) => setTimeout(resolve, 30)); // many intervals pass meanwhile
  assert.equal(pending.length, 1);
  let stopped = false;
  const stopping = timer.stop().then(() => (stopped = true));
  await Promise.resolve();
  assert.equal(stopped, false);
  pending[0]();
  await stopping;
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(pending.length, 1);
});

Deno.test("a failing trim is ignored and the next one still runs", async () => {
  using _alive = keepAlive();
  let calls = 0;
  const second = Promise.withResolvers<void>();
  const timer = trimPeriodically(() => {
    if (++calls === 2) second.resolve();
    return Promise.reject(new Error("no"));
  }, 1);
  await second.promise;
  await timer.stop();
});

Deno.test("without glibc's malloc_trim the agent runs untrimmed", () => {
  assert.equal(openMallocTrim("libholdfast-no-such-library.so"), undefined);
});

Deno.test("malloc_trim gives freed, fragmented native memory back to the system", async () => {
  const trim = openMallocTrim();
  if (!trim) return console.warn("skipped: no glibc malloc_trim here");
  trim.close();
  // A child allocates ~200 MB of 40 KB buffers, keeps every tenth (so the free space is holes
  // the allocator cannot return by itself), collects the rest, then trims.
  const program = `
    import { openMallocTrim } from ${
    JSON.stringify(new URL("../../src/process/memory_trim.ts", import.meta.url).href)
  };
    const rss = () => Number(/VmRSS:\\s+(\\d+) kB/.exec(Deno.readTextFileSync("/proc/self/status"))[1]) * 1024;
    let buffers = Array.from({ length: 5000 }, () => new Uint8Array(40_000).fill(1));
    const kept = buffers.filter((_, i) => i % 10 === 0);
    buffers = [];
    for (let i = 0; i < 3; i++) globalThis.gc();
    const before = rss();
    const trim = openMallocTrim();
    await trim.trim();
    trim.close();
    console.log(JSON.stringify({ before, after: rss(), kept: kept.length }));
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--no-config", "--v8-flags=--expose-gc", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = output.stdin.getWriter();
  await writer.write(new TextEncoder().encode(program));
  await writer.close();
  const result = await output.output();
  assert.ok(result.success);
  const { before, after } = JSON.parse(new TextDecoder().decode(result.stdout));
  assert.ok(before - after > 100 * 2 ** 20, `RSS ${before} → ${after}`);
});
