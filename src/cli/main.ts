/**
 * The `holdfast` command line: `run`, `version`, `status`, `check-config`, `cache`, `install` and
 * `uninstall`. `main` parses the arguments and returns the exit code instead of exiting, so it can
 * be called from tests.
 * Usage errors and bad configuration exit with 2.
 * @module
 */
import { VERSION } from "../version.ts";
import { parseCommandLine } from "./args.ts";
import { cacheCommand } from "./cache_command.ts";
import { checkConfigCommand } from "./check_config_command.ts";
import { type CliContext, processContext } from "./context.ts";
import { installCommand, uninstallCommand } from "./install_command.ts";
import { runCommand } from "./run_command.ts";
import { statusCommand } from "./status_command.ts";

/** Runs the CLI on `args` (without the program name) and resolves to the process exit code. */
export async function main(args: string[], ctx: CliContext = processContext()): Promise<number> {
  const parsed = parseCommandLine({
    name: "holdfast",
    description: "caching edge proxy between a node's components and kube-apiserver",
    options: [{ flag: "--version", short: "-V", help: "print the version" }],
    subcommands: [
      {
        name: "version",
        description: "print the version",
        action: () => {
          ctx.out(`holdfast ${VERSION}\n`);
          ctx.exitCode = 0;
        },
      },
      runCommand(ctx),
      statusCommand(ctx),
      checkConfigCommand(ctx),
      cacheCommand(ctx),
      installCommand(ctx),
      uninstallCommand(ctx),
    ],
  }, args);
  switch (parsed.kind) {
    case "version":
      ctx.out(`holdfast ${VERSION}\n`);
      return 0;
    case "help":
      if (!parsed.error) {
        ctx.out(parsed.text);
        return 0;
      }
      ctx.err(parsed.text);
      return 2;
    case "usage":
      ctx.err(`holdfast: ${parsed.message}\n`);
      return 2;
  }
  try {
    await parsed.action(parsed.args, parsed.options);
  } catch (err) {
    ctx.err(`holdfast: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return ctx.exitCode ?? Deno.exitCode;
}
