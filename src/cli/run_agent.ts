/**
 * Runs the agent until it finishes: starts it, turns SIGINT/SIGTERM into a graceful shutdown
 * (a second signal exits at once), and gives the process exit code.
 * @module
 */
import type { Config } from "../config/types.ts";
import type { Logger } from "../log/logger.ts";

const SIGNALS: readonly Deno.Signal[] = ["SIGINT", "SIGTERM"];

/** Starts the agent and waits for it to finish; 0 after a clean stop, 1 on failure. */
export async function runAgent(config: Config, logger: Logger): Promise<number> {
  let agent;
  try {
    // Loaded on demand so that `version`, `status` and `check-config` start without the proxy.
    const { startAgent } = await import("../agent.ts");
    agent = await startAgent(config, logger);
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
