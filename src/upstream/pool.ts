/**
 * The set of upstream kube-apiservers and their health. Requests pick a healthy server
 * round-robin or in priority order; the agent is offline when no server is healthy.
 * @module
 */
import type { LoadBalanceMode } from "../config/types.ts";

/** One upstream server and what holdfast knows of its health. */
export interface UpstreamServer {
  url: URL;
  healthy: boolean;
  lastCheck?: Date;
  lastError?: string;
}

/** Called when a server's health flips. */
export type HealthListener = (server: UpstreamServer) => void;

/** The upstream servers, their health and the choice of server per request. */
export class UpstreamPool {
  readonly servers: UpstreamServer[];
  /** Dispatches `offline` when the last healthy server is marked unhealthy. */
  readonly events: EventTarget = new EventTarget();
  #next = 0;
  #listeners: HealthListener[] = [];
  #offline = new AbortController();

  /** Starts with every server assumed healthy until a check says otherwise. */
  constructor(urls: readonly URL[], readonly mode: LoadBalanceMode) {
    this.servers = urls.map((url) => ({ url, healthy: true }));
  }

  /**
   * Aborted when the agent goes offline; a fresh signal once it is online again. Streams from
   * upstream that should not outlive the link (watches) follow it.
   */
  get offlineSignal(): AbortSignal {
    return this.#offline.signal;
  }

  /** True while at least one server is healthy. */
  get online(): boolean {
    return this.servers.some((s) => s.healthy);
  }

  /** The server for the next request, skipping `exclude`; undefined when none is healthy. */
  pick(exclude?: UpstreamServer): UpstreamServer | undefined {
    const candidates = this.servers.filter((s) => s.healthy && s !== exclude);
    if (candidates.length === 0) return undefined;
    if (this.mode === "priority") return candidates[0];
    return candidates[this.#next++ % candidates.length];
  }

  /** Records a health verdict; listeners hear only real changes. */
  setHealth(server: UpstreamServer, healthy: boolean, error?: string): void {
    server.lastCheck = new Date();
    server.lastError = error;
    if (server.healthy === healthy) return;
    server.healthy = healthy;
    if (this.online && this.#offline.signal.aborted) this.#offline = new AbortController();
    for (const listener of this.#listeners) listener(server);
    if (!this.online) {
      this.events.dispatchEvent(new Event("offline"));
      this.#offline.abort("offline");
    }
  }

  /** Subscribes to health changes. */
  onHealthChange(listener: HealthListener): void {
    this.#listeners.push(listener);
  }
}
