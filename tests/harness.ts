/**
 * Test harness: the apiserver simulator plus a holdfast agent in front of it, in this process,
 * with a KV file in a temp folder and kubeconfigs for clients (to the proxy) and for the agent
 * (to the simulator).
 * @module
 */
import { type Agent, startAgent } from "../src/agent.ts";
import type { Config, UpstreamCredentials } from "../src/config/types.ts";
import { createLogger } from "../src/log/logger.ts";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../scripts/apiserver-sim/mod.ts";
import { kubeconfigYaml } from "../scripts/apiserver-sim/kubeconfig.ts";

/** Polls `check` every 25 ms until it holds; throws naming `what` after `ms`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 10_000,
): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * The stack's health checks: a slow probe on a loaded machine does not count as the cloud gone
 * (tests must not depend on the machine's load), while a refused connection (the simulator's link
 * cut) still does within ~1 s.
 */
export const PATIENT_HEALTH: Config["health"] = {
  path: "/readyz",
  intervalMs: 200,
  timeoutMs: 5_000,
  unhealthyThreshold: 5,
  healthyThreshold: 1,
};

/** A simulator and an agent in front of it. */
export interface Stack extends AsyncDisposable {
  sim: Simulator;
  agent: Agent;
  config: Config;
  /** `http://127.0.0.1:<port>` of the proxy. */
  proxyUrl: string;
  /** `http://127.0.0.1:<port>` of the admin listener. */
  adminUrl: string;
  /** A kubeconfig file whose server is the proxy (no credentials). */
  kubeconfig: string;
  dir: string;
  /** Runs kubectl against the proxy; throws with stderr on failure. */
  kubectl(...args: string[]): Promise<string>;
  /** Stops the agent (not the simulator). */
  stopAgent(): Promise<void>;
  /** Starts a new agent on the same KV file. */
  restartAgent(): Promise<void>;
}

/** Options for {@linkcode startStack}. */
export interface StackOptions {
  sim?: SimulatorOptions;
  config?: Partial<Config>;
}

/**
 * The configuration tests run an agent with: free loopback ports, a KV file in `dir`, Secrets
 * sealed (as by default), every component cached, patient health checks, quiet logs.
 */
export function testAgentConfig(server: URL, upstream: UpstreamCredentials, dir: string): Config {
  return {
    servers: [server],
    nodeName: "node-0",
    listen: { hostname: "127.0.0.1", port: 0 },
    adminListen: { hostname: "127.0.0.1", port: 0 },
    cachePath: `${dir}/cache.kv`,
    cacheSealedResources: ["secrets"],
    cacheAgents: ["*"],
    anonymousRequests: "node-identity-for-loopback-components",
    nodeIdentityComponents: ["*"],
    upstream,
    lbMode: "round-robin",
    health: PATIENT_HEALTH,
    limits: { upstreamHeaderTimeoutMs: 15_000, offlineLists: 4, watches: 1000 },
    log: { level: "error", format: "text" },
  };
}

/** Starts a simulator (TLS, client certificate) and an agent whose upstream it is. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = await startSimulator({ tls: true, scale: { pods: 20, nodes: 2 }, ...options.sim });
  const dir = await Deno.makeTempDir({ prefix: "holdfast-stack-" });
  const config: Config = {
    ...testAgentConfig(new URL(sim.url), {
      caCert: sim.tls?.caCert,
      clientCert: sim.tls?.clientCert,
      clientKey: sim.tls?.clientKey,
    }, dir),
    ...options.config,
  };
  const logger = createLogger(config.log);
  let agent = await startAgent(config, logger);
  const kubeconfig = `${dir}/kubeconfig`;
  const proxyUrl = () => `http://127.0.0.1:${agent.proxyAddress.port}`;
  await Deno.writeTextFile(kubeconfig, kubeconfigYaml({ server: proxyUrl() }));
  const stack: Stack = {
    sim,
    get agent() {
      return agent;
    },
    config,
    get proxyUrl() {
      return proxyUrl();
    },
    get adminUrl() {
      return `http://127.0.0.1:${agent.adminAddress.port}`;
    },
    kubeconfig,
    dir,
    async kubectl(...args: string[]) {
      const out = await new Deno.Command("kubectl", {
        args: [`--kubeconfig=${kubeconfig}`, `--cache-dir=${dir}/kubectl-cache`, ...args],
        stdout: "piped",
        stderr: "piped",
        stdin: "null",
      }).output();
      if (!out.success) {
        throw new Error(`kubectl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
      }
      return new TextDecoder().decode(out.stdout);
    },
    async stopAgent() {
      await agent.shutdown();
    },
    async restartAgent() {
      const port = agent.proxyAddress.port;
      agent = await startAgent({ ...config, listen: { hostname: "127.0.0.1", port } }, logger);
    },
    async [Symbol.asyncDispose]() {
      await agent.shutdown();
      await sim.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
  return stack;
}
