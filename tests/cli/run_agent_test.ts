import assert from "node:assert/strict";
import { runAgent } from "../../src/cli/run_agent.ts";
import type { Config } from "../../src/config/types.ts";
import { createLogger } from "../../src/log/logger.ts";

const CHILD = new URL("./run_agent_child.ts", import.meta.url).pathname;

/** Starts the child, waits for `ready`, sends `signals` one after another, collects its output. */
async function signalChild(signals: Deno.Signal[], args: string[] = []) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, ...args],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let pending = [...signals];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop() ?? "";
    for (const line of parts) {
      lines.push(line);
      if ((line === "ready" || line === "shutdown") && pending.length > 0) {
        child.kill(pending[0]);
        pending = pending.slice(1);
      }
    }
  }
  const status = await child.status;
  return { code: status.code, lines, stderr: await stderr };
}

Deno.test("SIGTERM shuts the agent down and run exits 0", async () => {
  const outcome = await signalChild(["SIGTERM"]);
  assert.deepEqual(outcome.lines, ["ready", "shutdown", "code 0"]);
  assert.equal(outcome.code, 0);
  assert.match(outcome.stderr, /"msg":"shutting down","signal":"SIGTERM"/);
});

Deno.test("SIGINT shuts the agent down too", async () => {
  const outcome = await signalChild(["SIGINT"]);
  assert.deepEqual(outcome.lines, ["ready", "shutdown", "code 0"]);
});

Deno.test("a second signal during a stuck shutdown exits 1 at once", async () => {
  const outcome = await signalChild(["SIGTERM", "SIGTERM"], ["--hang"]);
  assert.deepEqual(outcome.lines, ["ready", "shutdown"]);
  assert.equal(outcome.code, 1);
  assert.match(outcome.stderr, /second signal/);
});

const CONFIG = { log: { level: "error", format: "json" } } as Config;

Deno.test("runAgent returns 1 and logs when the agent fails to start", async () => {
  const lines: string[] = [];
  const logger = createLogger(CONFIG.log, (line) => lines.push(line));
  const code = await runAgent(CONFIG, logger, () => Promise.reject(new Error("address in use")));
  assert.equal(code, 1);
  assert.match(lines[0], /"msg":"agent failed to start","error":"address in use"/);
});

Deno.test("runAgent returns 1 when the agent stops with an error", async () => {
  const logger = createLogger(CONFIG.log, () => {});
  const code = await runAgent(CONFIG, logger, () =>
    Promise.resolve({
      finished: Promise.reject(new Error("kv corrupted")),
      shutdown: () => Promise.resolve(),
    }));
  assert.equal(code, 1);
});

Deno.test("runAgent returns 0 when the agent finishes on its own", async () => {
  const logger = createLogger(CONFIG.log, () => {});
  const code = await runAgent(
    CONFIG,
    logger,
    () => Promise.resolve({ finished: Promise.resolve(), shutdown: () => Promise.resolve() }),
  );
  assert.equal(code, 0);
});
