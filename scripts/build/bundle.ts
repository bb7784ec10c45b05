/**
 * The agent as a gateway runs it: one file from `deno bundle`, started by Deno's own binary with
 * the flags of the README's wrapper. The `bundle` task, the bench and the tests that run the
 * bundle take both from here, so they measure and prove the same thing.
 *
 * ```sh
 * deno run -A scripts/build/bundle.ts [OUT]   # default dist/holdfast.js (the `bundle` task)
 * ```
 * @module
 */
import { AGENT_V8_FLAGS_VALUE } from "../../src/process/v8_flags.ts";

/**
 * `deno bundle` flags: for the browser platform (npm packages resolve to their ES module builds,
 * so yaml's CommonJS build and `node:module` stay out). Not minified: a minified bundle idles
 * about 1 MB smaller, but its stack traces and CPU profiles name no function, and keeping the
 * names (`--keep-names`) wraps every closure the hot paths create, which cost 15–25 % more CPU
 * per small GET (the README's memory section).
 */
export const BUNDLE_FLAGS: readonly string[] = ["--platform", "browser"];

/**
 * `deno` arguments before the bundle's path, as the gateway wrapper has them. `--no-code-cache`:
 * V8's code cache for the bundle costs ~1.5 MB resident for ~12 ms of start-up it saves.
 */
export const GATEWAY_RUN_ARGS: readonly string[] = [
  "run",
  "-A",
  "--unstable-kv",
  "--unstable-no-legacy-abort",
  "--no-config",
  "--no-code-cache",
  `--v8-flags=${AGENT_V8_FLAGS_VALUE}`,
];

/** The repository root (where `main.ts` and `dist/` are). */
export const ROOT = new URL("../../", import.meta.url).pathname;

/** Runs `deno` with `args` in `cwd`; throws with its error output, naming `what`, when it fails. */
export async function runDeno(args: string[], what: string, cwd: string = ROOT): Promise<void> {
  const ran = await new Deno.Command(Deno.execPath(), { args, cwd, stdin: "null", stdout: "null" })
    .output();
  if (!ran.success) throw new Error(`${what} failed: ${new TextDecoder().decode(ran.stderr)}`);
}

/**
 * Bundles the agent of the checkout at `root` (default this one) into `out`; throws with `deno
 * bundle`'s output when it fails.
 */
export async function bundleAgent(out: string, root: string = ROOT): Promise<void> {
  await runDeno(["bundle", "--quiet", ...BUNDLE_FLAGS, "-o", out, "main.ts"], "deno bundle", root);
}

if (import.meta.main) {
  const out = Deno.args[0] ?? `${ROOT}dist/holdfast.js`;
  await bundleAgent(out);
  console.log(out);
}
