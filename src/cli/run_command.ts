/**
 * `holdfast run`: every configurable field as a flag, `--config FILE` for the YAML file; builds
 * the Config (exit 2 naming the field when it is wrong), then runs the agent.
 * @module
 */
import { Command, Option } from "commander";
import { ConfigError } from "../config/error.ts";
import { FIELDS } from "../config/fields.ts";
import type { FlagValues } from "../config/flags.ts";
import { loadConfig } from "../config/load.ts";
import { createLogger } from "../log/logger.ts";
import type { CliContext } from "./context.ts";
import { runAgent } from "./run_agent.ts";

/** The `run` command. */
export function runCommand(ctx: CliContext): Command {
  const command = new Command("run")
    .description("run the agent (flags win over the config file, the file over defaults)")
    .option("--config <FILE>", "YAML config file (see config.example.yaml)");
  const attributes = FIELDS.map((spec) => {
    const option = new Option(
      spec.type === "boolean" ? spec.flag : `${spec.flag} <${spec.arg}>`,
      spec.help,
    );
    if (spec.type === "list") option.argParser(collect);
    command.addOption(option);
    return { key: spec.key, attribute: option.attributeName() };
  });
  return command.action(
    async (options: Record<string, string | string[] | boolean | undefined>) => {
      const flags: FlagValues = {};
      for (const { key, attribute } of attributes) {
        const value = options[attribute];
        if (value !== undefined) flags[key] = typeof value === "boolean" ? String(value) : value;
      }
      const configFile = options.config as string | undefined;
      const config = loadConfig({ configFile, flags });
      if (config instanceof ConfigError) {
        ctx.err(`holdfast: ${config}\n`);
        ctx.exitCode = 2;
        return;
      }
      const reload = () => loadConfig({ configFile, flags });
      ctx.exitCode = await runAgent(config, createLogger(config.log), undefined, reload);
    },
  );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return previous ? [...previous, value] : [value];
}
