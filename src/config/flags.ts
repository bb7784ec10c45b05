/**
 * `run` flag values (strings as typed) into a `Settings` layer.
 * @module
 */
import { catchConfigError, ConfigError } from "./error.ts";
import { FIELDS, type Origins, type Settings, type SourcedSettings } from "./fields.ts";

/** Raw flag values keyed by field; a repeatable flag gives every occurrence. */
export type FlagValues = Partial<Record<keyof Settings, string | string[]>>;

/**
 * Converts flag values to settings: list flags are split on commas (and may be repeated),
 * integer flags must be whole numbers, switches are `true` (given) or `false`. Each value's origin
 * is its flag.
 */
export function settingsFromFlags(values: FlagValues): SourcedSettings | ConfigError {
  return catchConfigError(() => {
    const settings: Record<string, unknown> = {};
    const origins: Origins = {};
    for (const spec of FIELDS) {
      const raw = values[spec.key];
      if (raw === undefined) continue;
      const texts = typeof raw === "string" ? [raw] : raw;
      if (spec.type === "list") {
        settings[spec.key] = splitList(texts);
      } else {
        const text = texts[texts.length - 1];
        if (spec.type === "integer") {
          if (!/^[+-]?\d+$/.test(text.trim())) {
            throw new ConfigError(spec.key, `"${text}" is not a whole number`, spec.flag);
          }
          settings[spec.key] = Number(text);
        } else if (spec.type === "boolean") {
          if (text !== "true" && text !== "false") {
            throw new ConfigError(spec.key, `"${text}" is not true or false`, spec.flag);
          }
          settings[spec.key] = text === "true";
        } else {
          settings[spec.key] = text;
        }
      }
      origins[spec.key] = spec.flag;
    }
    return { settings: settings as Settings, origins };
  });
}

/** Splits comma-separated entries, trimming them and dropping empty ones. */
export function splitList(texts: readonly string[]): string[] {
  return texts.flatMap((text) => text.split(",")).map((item) => item.trim()).filter((item) =>
    item !== ""
  );
}
