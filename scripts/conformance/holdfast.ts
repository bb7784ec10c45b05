/**
 * holdfast as the suite runs it: a subprocess (`deno run -A main.ts run …`) on fixed loopback
 * ports, so that a restart keeps the address clients were given, with its upstream (the link
 * relay) and credentials in a kubeconfig, every component cached and given the node's identity.
 * @module
 */
import { type BenchProcess, freePort, spawnAgent, waitForHttp } from "../bench/lib/processes.ts";

/** Health checks: offline within ~3 intervals of the link going, never for one slow answer. */
export const HEALTH = {
  interval: "2s",
  timeout: "1500ms",
  unhealthyThreshold: 3,
  healthyThreshold: 2,
};

/** Where and how holdfast runs; the same settings serve every restart. */
export interface HoldfastSettings {
  /** Kubeconfig naming the upstream (the relay) and holdfast's credentials. */
  kubeconfig: string;
  cachePath: string;
  logDir: string;
  port: number;
  adminPort: number;
}

/** A running holdfast. */
export interface Holdfast {
  proc: BenchProcess;
  /** `http://127.0.0.1:<port>`: the proxy. */
  url: string;
  adminUrl: string;
  /** `/v1/status` as JSON. */
  status(): Promise<{ mode: string; modeSince: string; events?: { queued: number } }>;
  /** SIGTERM (SIGKILL after 15 s); the exit code. */
  stop(): Promise<number>;
}

/** Settings on free ports. */
export function holdfastSettings(
  kubeconfig: string,
  dir: string,
): HoldfastSettings {
  return {
    kubeconfig,
    cachePath: `${dir}/holdfast.kv`,
    logDir: dir,
    port: freePort(),
    adminPort: freePort(),
  };
}

/** Starts holdfast and waits until its admin listener answers. */
export async function startHoldfast(settings: HoldfastSettings): Promise<Holdfast> {
  const proc = await spawnAgent(
    [
      "--kubeconfig",
      settings.kubeconfig,
      "--node-name",
      "node-0",
      "--listen",
      `127.0.0.1:${settings.port}`,
      "--admin-listen",
      `127.0.0.1:${settings.adminPort}`,
      "--cache-path",
      settings.cachePath,
      "--cache-agents",
      "*",
      "--node-identity-components",
      "*",
      "--health-interval",
      HEALTH.interval,
      "--health-timeout",
      HEALTH.timeout,
      "--unhealthy-threshold",
      String(HEALTH.unhealthyThreshold),
      "--healthy-threshold",
      String(HEALTH.healthyThreshold),
      "--log-level",
      "warn",
    ],
    settings.logDir,
    30 * 60_000,
  );
  const adminUrl = `http://127.0.0.1:${settings.adminPort}`;
  await waitForHttp(`${adminUrl}/v1/status`, proc, 120_000, 100);
  return {
    proc,
    url: `http://127.0.0.1:${settings.port}`,
    adminUrl,
    async status() {
      const response = await fetch(`${adminUrl}/v1/status`, {
        signal: AbortSignal.timeout(10_000),
      });
      return await response.json();
    },
    async stop() {
      return (await proc.stop(15_000)).code;
    },
  };
}
