/**
 * `scripts/test_setup.ts` and the test gate on a machine without the tools: run with a PATH
 * holding only Deno (and `openssl` where asked), so nothing can be installed either.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DENO_DIR = Deno.execPath().replace(/\/[^/]+$/, "");

/** Runs deno with `args` and a PATH of Deno's folder plus the given tools (symlinked). */
async function withBareMachine(args: string[], tools: string[]) {
  const bin = await Deno.makeTempDir({ prefix: "holdfast-bare-" });
  try {
    for (const tool of tools) await Deno.symlink(`/usr/bin/${tool}`, `${bin}/${tool}`);
    const output = await new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env: { PATH: `${DENO_DIR}:${bin}`, NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return {
      code: output.code,
      text: decoder.decode(output.stdout) + decoder.decode(output.stderr),
    };
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
}

Deno.test("test set-up: names what it cannot install and the tests skipped for it", async () => {
  const { code, text } = await withBareMachine(["run", "-A", "scripts/test_setup.ts"], ["openssl"]);
  assertEquals(code, 0, text);
  assert(text.includes("kubectl is missing"), text);
  assert(text.includes("skipping the kubectl tests"), text);
  assert(text.includes("wrk is missing (apt-get install wrk (as root))"), text);
});

Deno.test("test set-up: without openssl the tests cannot run, and it says so", async () => {
  const { code, text } = await withBareMachine(["run", "-A", "scripts/test_setup.ts"], []);
  assertEquals(code, 1, text);
  assert(text.includes("openssl is required"), text);
});

Deno.test("test gate: the kubectl tests are ignored, with the reason, where kubectl is missing", async () => {
  const { code, text } = await withBareMachine(
    ["test", "-A", "tests/scripts/apiserver-sim/kubectl_test.ts"],
    ["openssl"],
  );
  assertEquals(code, 0, text);
  assert(text.includes("skipping tests that need kubectl: it is not installed"), text);
  assert(/ok \| 0 passed \| 0 failed \| 7 ignored/.test(text), text);
});
