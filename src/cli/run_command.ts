/**
 * `holdfast run`: every configurable field as a flag, `--config FILE` for the YAML file; builds
 * the Config (exit 2 naming the field when it is wrong), then runs the agent.
 * @module
 */
import { ConfigError } from "../config/error.ts";
import { FIELDS } from "../config/fields.ts";
import type { FlagValues } from "../config/flags.ts";
import { loadConfig } from "../config/load.ts";
import { createLogger } from "../log/logger.ts";
import type { CommandSpec } from "./args.ts";
import type { CliContext } from "./context.ts";
import { runAgent } from "./run_agent.ts";

const CONFIG_FLAG = "--config";

/** The `run` command. */
export function runCommand(ctx: CliContext): CommandSpec {
  return {
    name: "run",
    description: "run the agent (flags win over the config file, the file over defaults)",
    options: [
      { flag: CONFIG_FLAG, arg: "FILE", help: "YAML config file (see config.example.yaml)" },
      ...FIELDS.map((spec) => ({
        flag: spec.flag,
        arg: spec.type === "boolean" ? undefined : spec.arg,
        help: spec.help,
        repeatable: spec.type === "list",
      })),
    ],
    action: async (_args, options) => {
      const flags: FlagValues = {};
      for (const spec of FIELDS) {
        const value = options[spec.flag];
        if (value !== undefined) flags[spec.key] = value === true ? "true" : value;
      }
      const configFile = options[CONFIG_FLAG] as string | undefined;
      const config = await loadConfig({ configFile, flags });
      if (config instanceof ConfigError) {
        ctx.err(`holdfast: ${config}\n`);
        ctx.exitCode = 2;
        return;
      }
      const reload = () => loadConfig({ configFile, flags });
      ctx.exitCode = await runAgent(config, createLogger(config.log), undefined, reload);
    },
  };
}
