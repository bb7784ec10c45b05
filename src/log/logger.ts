/**
 * A small structured logger: JSON lines or `TIME LEVEL msg key=value` text, written synchronously
 * to a sink (stderr by default). A disabled level costs a call and a comparison.
 * Field values go through redaction: secret-looking field names and values never reach the sink.
 * @module
 */
import type { LogLevel } from "../config/types.ts";
import { safeJson, safeValue } from "./redact.ts";

export type { LogLevel };

/** Structured fields attached to a log line. */
export type LogFields = Record<string, unknown>;

/** Logs messages with fields at four levels. */
export interface Logger {
  /** Detail useful when diagnosing; off by default. */
  debug(msg: string, fields?: LogFields): void;
  /** Normal operation worth recording. */
  info(msg: string, fields?: LogFields): void;
  /** Something wrong that the agent works around. */
  warn(msg: string, fields?: LogFields): void;
  /** Something failed. */
  error(msg: string, fields?: LogFields): void;
  /** A logger adding `fields` to every line (a line's own fields win on a clash). */
  child(fields: LogFields): Logger;
  /** Whether lines at `level` are written, to skip building costly fields. */
  enabled(level: LogLevel): boolean;
  /** Changes the level of this logger, its parent and all their children (a config reload). */
  setLevel(level: LogLevel): void;
}

/** Output settings, as in `Config.log`. */
export interface LoggerOptions {
  level: LogLevel;
  format: "json" | "text";
}

/** Log levels, least to most severe. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

const RESERVED = new Set(["time", "level", "msg"]);
const BARE = /^[^\s"=\\]+$/;
const encoder = new TextEncoder();

/**
 * Creates a logger writing one line (without the trailing newline) per call to `sink`;
 * the default sink writes to stderr synchronously.
 */
export function createLogger(
  options: LoggerOptions,
  sink: (line: string) => void = writeStderr,
): Logger {
  let threshold = LOG_LEVELS.indexOf(options.level);
  const format = options.format === "json" ? formatJson : formatText;
  const build = (bound: LogFields | undefined): Logger => {
    const method = (level: LogLevel) => {
      const rank = LOG_LEVELS.indexOf(level);
      return (msg: string, fields?: LogFields) => {
        if (rank < threshold) return;
        const all = bound ? (fields ? { ...bound, ...fields } : bound) : fields;
        sink(format(new Date().toISOString(), level, msg, all));
      };
    };
    return {
      debug: method("debug"),
      info: method("info"),
      warn: method("warn"),
      error: method("error"),
      child: (fields) => build(bound ? { ...bound, ...fields } : fields),
      enabled: (level) => LOG_LEVELS.indexOf(level) >= threshold,
      setLevel: (level) => threshold = LOG_LEVELS.indexOf(level),
    };
  };
  return build(undefined);
}

function formatJson(time: string, level: LogLevel, msg: string, fields?: LogFields): string {
  let line = `{"time":"${time}","level":"${level}","msg":${JSON.stringify(msg)}`;
  if (fields) {
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      const name = RESERVED.has(key) ? `${key}_` : key;
      line += `,${JSON.stringify(name)}:${safeJson(key, value)}`;
    }
  }
  return line + "}";
}

function formatText(time: string, level: LogLevel, msg: string, fields?: LogFields): string {
  let line = `${time} ${level.toUpperCase().padEnd(5)} ${msg.replaceAll("\n", "\\n")}`;
  if (fields) {
    for (const key in fields) {
      const value = fields[key];
      if (value === undefined) continue;
      line += ` ${key}=${textValue(key, value)}`;
    }
  }
  return line;
}

function textValue(key: string, value: unknown): string {
  const safe = safeValue(key, value);
  if (typeof safe === "string") return BARE.test(safe) ? safe : JSON.stringify(safe);
  if (safe === null || typeof safe !== "object") return String(safe);
  return safeJson(key, safe);
}

function writeStderr(line: string): void {
  const bytes = encoder.encode(line + "\n");
  try {
    for (let written = 0; written < bytes.length;) {
      written += Deno.stderr.writeSync(bytes.subarray(written));
    }
  } catch {
    // stderr is gone (closed pipe): there is nowhere left to report to.
  }
}
