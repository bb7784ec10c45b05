import assert from "node:assert/strict";
import { readMemory, resetPeakMemory } from "../../../../scripts/bench/lib/processes.ts";

const MB = 2 ** 20;

/**
 * A child that touches 96 MiB, lets it go, prints "freed" and waits: its peak stays high while its
 * resident set falls back.
 */
const CHILD = `
(() => new Uint8Array(96 * 1024 * 1024).fill(1))();
globalThis.gc();
setTimeout(() => { globalThis.gc(); console.log("freed"); }, 0);
setTimeout(() => {}, 60_000);
`;

Deno.test("resetPeakMemory: the peak after a reset is the resident set since, not before", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--no-config", "--v8-flags=--expose-gc", CHILD],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  try {
    let out = "";
    while (!out.includes("freed")) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`child ended early: ${out}`);
      out += value;
    }
    // The buffer's memory goes back to the system a moment after the collection.
    let before = await readMemory(child.pid);
    for (const deadline = Date.now() + 10_000; before.rss >= before.hwm - 48 * MB;) {
      assert.ok(Date.now() < deadline, `resident ${before.rss / MB} MB after the free`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      before = await readMemory(child.pid);
    }
    assert.ok(before.hwm >= 96 * MB, `peak ${before.hwm / MB} MB before the reset`);
    await resetPeakMemory(child.pid);
    const after = await readMemory(child.pid);
    assert.ok(after.hwm < before.hwm - 48 * MB, `peak ${after.hwm / MB} MB after the reset`);
  } finally {
    child.kill();
    await child.status;
    await lines.cancel().catch(() => {});
  }
});
