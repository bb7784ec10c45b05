/**
 * Active health checking of each upstream server: a probe (default `GET /readyz` under the
 * server's path prefix, as the node) every interval, counted from one probe's start to the next, with a timeout, and
 * thresholds of consecutive failures/successes before a server is marked unhealthy/healthy (so a
 * server that stops answering is marked unhealthy within interval × threshold + timeout). The
 * first probe's failure marks it unhealthy at once: health was only assumed until then, and an
 * agent restarted on a dead link goes offline within one probe's timeout.
 * Passive signals (a proxied request that could not connect) trigger an immediate probe through
 * {@linkcode HealthChecker.suspect}.
 * @module
 */
import type { HealthConfig } from "../config/types.ts";
import type { UpstreamIdentity } from "./identity.ts";
import type { UpstreamPool, UpstreamServer } from "./pool.ts";
import { splitTarget } from "../kube/request_path.ts";
import { upstreamUrl } from "./url.ts";

interface ServerState {
  failures: number;
  successes: number;
  /** Whether a probe has given a verdict yet (the pool assumes health until one does). */
  checked?: boolean;
  timer?: ReturnType<typeof setTimeout>;
  probing?: Promise<void>;
}

/** Probes upstream servers and feeds the verdicts into an {@linkcode UpstreamPool}. */
export class HealthChecker {
  #states = new Map<UpstreamServer, ServerState>();
  #stopped = false;

  /** Prepares checks for every server of `pool`; {@linkcode start} begins them. */
  constructor(
    readonly pool: UpstreamPool,
    public config: HealthConfig,
    readonly identity: UpstreamIdentity,
  ) {
    for (const server of pool.servers) this.#states.set(server, { failures: 0, successes: 0 });
  }

  /** Probes every server now, then every interval. */
  start(): void {
    for (const server of this.pool.servers) this.#schedule(server, 0);
  }

  /** Stops all checks and waits for probes in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    const inFlight: Promise<void>[] = [];
    for (const state of this.#states.values()) {
      clearTimeout(state.timer);
      if (state.probing) inFlight.push(state.probing);
    }
    await Promise.all(inFlight);
  }

  /** A proxied request failed to reach `server`: probe it at once instead of waiting. */
  suspect(server: UpstreamServer): void {
    const state = this.#states.get(server);
    if (!state || state.probing || this.#stopped) return;
    clearTimeout(state.timer);
    this.#schedule(server, 0);
  }

  /** Probes after `delay`, then every interval counted from each probe's start. */
  #schedule(server: UpstreamServer, delay: number): void {
    const state = this.#states.get(server)!;
    state.timer = setTimeout(() => {
      const started = performance.now();
      state.probing = this.#probe(server, state).finally(() => {
        state.probing = undefined;
        const next = Math.max(0, this.config.intervalMs - (performance.now() - started));
        if (!this.#stopped) this.#schedule(server, next);
      });
    }, delay);
  }

  async #probe(server: UpstreamServer, state: ServerState): Promise<void> {
    const error = await this.#check(server);
    const first = !state.checked;
    state.checked = true;
    if (error === undefined) {
      state.failures = 0;
      state.successes++;
      if (!server.healthy && state.successes >= this.config.healthyThreshold) {
        this.pool.setHealth(server, true);
      } else this.pool.setHealth(server, server.healthy);
    } else {
      state.successes = 0;
      state.failures++;
      if (server.healthy && (first || state.failures >= this.config.unhealthyThreshold)) {
        this.pool.setHealth(server, false, error);
      } else this.pool.setHealth(server, server.healthy, error);
    }
  }

  async #check(server: UpstreamServer): Promise<string | undefined> {
    const headers = new Headers({ "user-agent": "holdfast/health" });
    const authorization = this.identity.nodeAuthorization;
    if (authorization) headers.set("authorization", authorization);
    const { path, search } = splitTarget(this.config.path);
    try {
      const response = await fetch(upstreamUrl(server.url, path, search), {
        headers,
        client: this.identity.nodeClient,
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      await response.body?.cancel();
      return response.ok ? undefined : `health check answered ${response.status}`;
    } catch (error) {
      return describeFetchError(error);
    }
  }
}

/** A one-line reason for a failed fetch, including the TLS/connection cause `fetch` hides. */
export function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "timed out";
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
