/**
 * `holdfast check-config FILE`: validates a config file and prints the resolved configuration
 * with secrets redacted; exit 0 when valid, 2 when not.
 * @module
 */
import { describeConfig } from "../config/describe.ts";
import { ConfigError } from "../config/error.ts";
import { loadConfig } from "../config/load.ts";
import type { CommandSpec } from "./args.ts";
import type { CliContext } from "./context.ts";

/** The `check-config` command. */
export function checkConfigCommand(ctx: CliContext): CommandSpec {
  return {
    name: "check-config",
    description: "validate a config file and print the resolved config (secrets redacted)",
    arguments: [{ name: "FILE", help: "YAML config file" }],
    action: async ([file]) => {
      const config = await loadConfig({ configFile: file });
      if (config instanceof ConfigError) {
        ctx.err(`holdfast: ${config}\n`);
        ctx.exitCode = 2;
        return;
      }
      const { stringify } = await import("yaml");
      ctx.out(`# ${file} is valid; resolved configuration:\n${stringify(describeConfig(config))}`);
      ctx.exitCode = 0;
    },
  };
}
