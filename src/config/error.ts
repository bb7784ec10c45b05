/**
 * `ConfigError`: what is wrong with one configuration field, and where the bad value came from.
 * @module
 */

/**
 * A configuration problem: `field` is the YAML key path (`health.interval`) or a file path,
 * `message` says what is wrong, and `source` (when known) says where the value came from: a flag
 * such as `--health-interval`, or `file.yaml:12:3`.
 */
export class ConfigError extends Error {
  /** The YAML key path, or the file the problem is in. */
  readonly field: string;
  /** Where the value came from: a flag name or `file:line:column`. */
  readonly source?: string;

  /** Creates the error for `field`. */
  constructor(field: string, message: string, source?: string) {
    super(message);
    this.name = "ConfigError";
    this.field = field;
    if (source !== undefined) this.source = source;
  }

  /** One line: `config: health.interval: "5x" is not a duration (…) (from --health-interval)`. */
  override toString(): string {
    const from = this.source ? ` (from ${this.source})` : "";
    return `config: ${this.field}: ${this.message}${from}`;
  }
}

/**
 * Runs `build` and returns its result, or the `ConfigError` it threw. The pure configuration
 * functions throw `ConfigError` internally and use this at their boundary to return it instead.
 */
export function catchConfigError<T>(build: () => T): T | ConfigError {
  try {
    return build();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
}
