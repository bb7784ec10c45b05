/**
 * The `holdfast` command line: `run`, `version`, `status`, `check-config`, `cache`, `install` and
 * `uninstall`. `main` parses the arguments and returns the exit code instead of exiting, so it can
 * be called from tests.
 * Usage errors and bad configuration exit with 2.
 * @module
 */
import { Command, CommanderError } from "commander";
import { VERSION } from "../version.ts";
import { cacheCommand } from "./cache_command.ts";
import { checkConfigCommand } from "./check_config_command.ts";
import { type CliContext, processContext } from "./context.ts";
import { installCommand, uninstallCommand } from "./install_command.ts";
import { runCommand } from "./run_command.ts";
import { statusCommand } from "./status_command.ts";

/** Runs the CLI on `args` (without the program name) and resolves to the process exit code. */
export async function main(args: string[], ctx: CliContext = processContext()): Promise<number> {
  const program = new Command("holdfast")
    .description("caching edge proxy between a node's components and kube-apiserver")
    .version(`holdfast ${VERSION}`, "-V, --version", "print the version")
    .exitOverride()
    .configureOutput({
      writeOut: ctx.out,
      writeErr: ctx.err,
      outputError: (text, write) => write(`holdfast: ${text.replace(/^error: /, "")}`),
    });
  program.command("version").description("print the version").action(() => {
    ctx.out(`holdfast ${VERSION}\n`);
    ctx.exitCode = 0;
  });
  program.addCommand(inheriting(runCommand(ctx), program));
  program.addCommand(inheriting(statusCommand(ctx), program));
  program.addCommand(inheriting(checkConfigCommand(ctx), program));
  program.addCommand(inheriting(cacheCommand(ctx), program));
  program.addCommand(inheriting(installCommand(ctx), program));
  program.addCommand(inheriting(uninstallCommand(ctx), program));

  try {
    await program.parseAsync(args, { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    ctx.err(`holdfast: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  return ctx.exitCode ?? Deno.exitCode;
}

/** Gives a separately built command (and its subcommands) the program's output and exit handling. */
function inheriting(command: Command, parent: Command): Command {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheriting(sub, command);
  return command;
}
