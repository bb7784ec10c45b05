/**
 * `holdfast check-config FILE`: validates a config file and prints the resolved configuration
 * with secrets redacted; exit 0 when valid, 2 when not.
 * @module
 */
import { Command } from "commander";
import { stringify } from "yaml";
import { describeConfig } from "../config/describe.ts";
import { ConfigError } from "../config/error.ts";
import { loadConfig } from "../config/load.ts";
import type { CliContext } from "./context.ts";

/** The `check-config` command. */
export function checkConfigCommand(ctx: CliContext): Command {
  return new Command("check-config")
    .description("validate a config file and print the resolved config (secrets redacted)")
    .argument("<FILE>", "YAML config file")
    .action((file: string) => {
      const config = loadConfig({ configFile: file });
      if (config instanceof ConfigError) {
        ctx.err(`holdfast: ${config}\n`);
        ctx.exitCode = 2;
        return;
      }
      ctx.out(`# ${file} is valid; resolved configuration:\n${stringify(describeConfig(config))}`);
      ctx.exitCode = 0;
    });
}
