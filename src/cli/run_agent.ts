/**
 * Runs the agent until it finishes: starts it, turns SIGINT/SIGTERM into a graceful shutdown
 * (a second signal exits at once) and SIGHUP into a config reload, and gives the process exit
 * code.
 * @module
 */
import { ConfigError } from "../config/error.ts";
import type { Config } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";

const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/** A running agent, as far as the CLI is concerned. */
export interface RunningAgent {
  /** Settles when the agent has stopped. */
  finished: Promise<void>;
  /** Asks the agent to stop gracefully. */
  shutdown(): Promise<void>;
  /** Applies a reloaded config; returns the changed fields that need a restart. */
  reload?(config: Config): string[];
}

/** Reads the config again (the same flags and file) for a reload. */
export type ReloadConfig = () => Promise<Config | ConfigError>;

/** Starts an agent from a Config; `startAgent` from `src/agent.ts` by default. */
export type StartAgent = (config: Config, logger: Logger) => Promise<RunningAgent>;

/**
 * Starts the agent and waits for it to finish; 0 after a clean stop, 1 on failure.
 * `src/agent.ts` is loaded on demand, so `version`, `status` and `check-config` start without it.
 */
export async function runAgent(
  config: Config,
  logger: Logger,
  start: StartAgent = async (config, logger) =>
    (await import("../agent.ts")).startAgent(config, logger),
  reloadConfig?: ReloadConfig,
): Promise<number> {
  let agent;
  try {
    agent = await start(config, logger);
  } catch (err) {
    logger.error("agent failed to start", { error: err });
    return 1;
  }
  const running = agent;
  let stopping = false;
  const listeners = SIGNALS.map((signal) => {
    const listener = () => {
      if (stopping) {
        logger.warn("second signal: exiting without waiting", { signal });
        Deno.exit(1);
      }
      stopping = true;
      logger.info("shutting down", { signal });
      running.shutdown().catch((err) => logger.error("shutdown failed", { error: err }));
    };
    Deno.addSignalListener(signal, listener);
    return { signal, listener };
  });
  if (reloadConfig && running.reload) {
    const reload = running.reload.bind(running);
    const listener = async () => {
      const next = await reloadConfig();
      if (next instanceof ConfigError) {
        logger.error("config reload refused: the running config stays", { error: String(next) });
        return;
      }
      const restart = reload(next);
      if (restart.length > 0) logger.warn("changed config takes effect at restart", { restart });
    };
    Deno.addSignalListener("SIGHUP", listener);
    listeners.push({ signal: "SIGHUP", listener });
  }
  try {
    await running.finished;
    logger.info("stopped");
    return 0;
  } catch (err) {
    logger.error("agent stopped with an error", { error: err });
    return 1;
  } finally {
    for (const { signal, listener } of listeners) Deno.removeSignalListener(signal, listener);
  }
}
