/**
 * Child process for run_agent_test.ts: runs `runAgent` with a fake agent, prints `ready` once the
 * signal handlers are in place, `shutdown` when asked to stop, and exits with runAgent's code.
 * With `--hang`, shutdown never finishes.
 * @module
 */
import { runAgent } from "../../src/cli/run_agent.ts";
import type { Config } from "../../src/config/types.ts";
import { createLogger } from "../../src/log/logger.ts";

const CONFIG: Config = {
  servers: [new URL("https://a:6443")],
  nodeName: "edge-1",
  listen: { hostname: "127.0.0.1", port: 0 },
  adminListen: { hostname: "127.0.0.1", port: 0 },
  cachePath: ":memory:",
  cacheAgents: ["*"],
  anonymousRequests: "node-identity-for-loopback-components",
  nodeIdentityComponents: ["*"],
  upstream: {},
  lbMode: "round-robin",
  health: {
    path: "/readyz",
    intervalMs: 5000,
    timeoutMs: 2000,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
  },
  limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: 1000 },
  log: { level: "info", format: "json" },
};

const hang = Deno.args.includes("--hang");
let stop = () => {};
const finished = new Promise<void>((resolve) => stop = resolve);
const code = await runAgent(CONFIG, createLogger(CONFIG.log), () => {
  // A timer runs after runAgent has installed its signal handlers.
  setTimeout(() => console.log("ready"), 0);
  return Promise.resolve({
    finished,
    shutdown: () => {
      console.log("shutdown");
      if (!hang) stop();
      return Promise.resolve();
    },
  });
});
console.log(`code ${code}`);
Deno.exit(code);
