/**
 * The thin loader: reads the config file, then merges defaults, file and flags and resolves them.
 * The only module of `src/config/` that touches the filesystem (through `denoConfigIO`).
 * The YAML readers (config file, kubeconfig) are loaded only when there is such a file to read;
 * they read it with holdfast's own YAML reader, and load the `yaml` package only for a file that
 * reader defers (`yaml_parse.ts`): `yaml` is CommonJS and brings Deno's Node compatibility layer,
 * megabytes an agent does not pay otherwise.
 * @module
 */
import { ConfigError } from "./error.ts";
import { defaultSettings, type SourcedSettings } from "./fields.ts";
import { type FlagValues, settingsFromFlags } from "./flags.ts";
import { mergeSettings } from "./merge.ts";
import { type ConfigIO, resolveConfig } from "./resolve.ts";
import type { Config } from "./types.ts";

/** What `run` and `check-config` give the loader. */
export interface LoadOptions {
  /** The YAML config file, if any. */
  configFile?: string;
  /** `run` flag values; they win over the file. */
  flags?: FlagValues;
}

/** `ConfigIO` over the real filesystem and host name, with short reasons for unreadable files. */
export const denoConfigIO: ConfigIO = {
  readTextFile(path: string): string {
    try {
      return Deno.readTextFileSync(path);
    } catch (err) {
      throw new Error(readFailure(err));
    }
  },
  hostname: () => Deno.hostname(),
};

/** Builds the `Config` from defaults, the config file and flags (in rising precedence). */
export async function loadConfig(
  options: LoadOptions,
  io: ConfigIO = denoConfigIO,
): Promise<Config | ConfigError> {
  const flags = settingsFromFlags(options.flags ?? {});
  if (flags instanceof ConfigError) return flags;
  let file: SourcedSettings = { settings: {}, origins: {} };
  if (options.configFile !== undefined) {
    const path = options.configFile;
    let text: string;
    try {
      text = io.readTextFile(path);
    } catch (err) {
      return new ConfigError(path, `cannot read: ${err instanceof Error ? err.message : err}`);
    }
    const { parseConfigFile } = await import("./file.ts");
    const parsed = await parseConfigFile(text, path);
    if (parsed instanceof ConfigError) return parsed;
    file = parsed;
  }
  const merged = mergeSettings(defaultSettings(), file, flags);
  const kubeconfig = merged.settings.kubeconfig
    ? (await import("./kubeconfig.ts")).parseKubeconfig
    : undefined;
  return await resolveConfig(merged, io, kubeconfig);
}

function readFailure(err: unknown): string {
  if (err instanceof Deno.errors.NotFound) return "no such file";
  if (err instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (err instanceof Deno.errors.IsADirectory) return "is a directory";
  if (err instanceof Error) return err.message;
  return String(err);
}
