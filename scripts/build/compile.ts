/**
 * The one-binary build: `deno compile` of the bundle (`bundle.ts`) with the gateway wrapper's
 * runtime flags baked in, so the binary runs the same file, the same way, as the bench measures.
 * `deno compile` downloads a base runtime (`denort`) for the target, or takes `DENORT_BIN`.
 *
 * ```sh
 * deno run -A scripts/build/compile.ts x86_64-unknown-linux-gnu    # dist/holdfast-x86_64-linux
 * deno run -A scripts/build/compile.ts aarch64-unknown-linux-gnu   # dist/holdfast-aarch64-linux
 * ```
 * @module
 */
import { bundleAgent, GATEWAY_RUN_ARGS, ROOT, runDeno } from "./bundle.ts";

/**
 * `deno compile` arguments for `bundle` into `output`: the wrapper's flags after `run`, and
 * `--target` when given (else the host's).
 */
export function compileArgs(bundle: string, output: string, target?: string): string[] {
  const [, ...runtimeFlags] = GATEWAY_RUN_ARGS;
  return [
    "compile",
    ...runtimeFlags,
    ...target ? ["--target", target] : [],
    "--output",
    output,
    bundle,
  ];
}

/**
 * Bundles the agent and compiles the bundle into `output`; throws with `deno compile`'s output
 * when it fails.
 */
export async function compileAgent(output: string, target?: string): Promise<void> {
  const bundle = `${output}.js`;
  await bundleAgent(bundle);
  try {
    await runDeno(compileArgs(bundle, output, target), "deno compile");
  } finally {
    await Deno.remove(bundle).catch(() => {});
  }
}

if (import.meta.main) {
  const target = Deno.args[0];
  if (!target) {
    console.error(
      "usage: compile.ts <target> (x86_64-unknown-linux-gnu, aarch64-unknown-linux-gnu)",
    );
    Deno.exit(2);
  }
  const output = `${ROOT}dist/holdfast-${target.split("-")[0]}-linux`;
  await compileAgent(output, target);
  console.log(output);
}
