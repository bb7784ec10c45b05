/**
 * Wires the agent together from a resolved {@linkcode Config}: the upstream pool and its health
 * checks, the Deno KV cache, the proxy listener and the admin listener.
 * @module
 */
import { createMetrics } from "./admin/metrics.ts";
import { serveAdmin } from "./admin/server.ts";
import type { StatusReport } from "./admin/status_report.ts";
import { cacheAdminRoutes } from "./cache/inspect.ts";
import { CacheStore } from "./cache/store.ts";
import type { Config } from "./config/types.ts";
import type { Logger } from "./log/logger.ts";
import { storeCacheBranch } from "./proxy/cache_branch.ts";
import { createProxyHandler } from "./proxy/handler.ts";
import { serveProxy } from "./proxy/server.ts";
import { createUpstreamClient } from "./upstream/client.ts";
import { HealthChecker } from "./upstream/health.ts";
import { UpstreamPool } from "./upstream/pool.ts";
import { VERSION } from "./version.ts";

/** A running agent. */
export interface Agent {
  /** Settles when both listeners have stopped. */
  finished: Promise<void>;
  /** Stops listening, finishes cache writes and closes the KV file. */
  shutdown(): Promise<void>;
  /** The proxy's bound address (useful with port 0). */
  proxyAddress: Deno.NetAddr;
  /** The admin listener's bound address. */
  adminAddress: Deno.NetAddr;
}

/** The most the cache branch may fall behind the client on one response. */
const MAX_CACHE_LAG_BYTES = 8 * 1024 * 1024;

/** Starts the agent. */
export async function startAgent(config: Config, logger: Logger): Promise<Agent> {
  const metrics = createMetrics();
  const store = await CacheStore.open(config.cachePath);
  const client = createUpstreamClient(config.upstream);
  const pool = new UpstreamPool(config.servers, config.lbMode);
  const health = new HealthChecker(pool, config.health, client, config.upstream);
  for (const server of pool.servers) {
    metrics.upstreamHealthy.set({ server: server.url.origin }, 1);
  }
  let offline = !pool.online;
  pool.onHealthChange((server) => {
    metrics.upstreamHealthy.set({ server: server.url.origin }, server.healthy ? 1 : 0);
    logger.info(server.healthy ? "upstream healthy" : "upstream unhealthy", {
      server: server.url.origin,
      reason: server.lastError,
    });
    if (offline !== !pool.online) {
      offline = !pool.online;
      metrics.modeTransitions.inc({ to: offline ? "offline" : "online" });
      logger.warn(offline ? "mode offline: answering from the cache" : "mode online", {});
    }
  });

  const handler = createProxyHandler({
    pool,
    client,
    credentials: config.upstream,
    suspect: (server) => health.suspect(server),
    filters: [],
    cacheAgents: config.cacheAgents.includes("*") ? "*" : new Set(config.cacheAgents),
    maxCacheLagBytes: MAX_CACHE_LAG_BYTES,
    cache: storeCacheBranch(store, logger, (reason) => metrics.cacheDrops.inc({ reason })),
    onUpstreamBytes: (bytes) => metrics.upstreamBytes.inc(bytes),
  });
  const proxy = serveProxy(config.listen, handler, metrics, logger);

  const status = async (): Promise<StatusReport> => ({
    version: VERSION,
    mode: pool.online ? "online" : "offline",
    nodeName: config.nodeName,
    upstreams: pool.servers.map((s) => ({
      url: s.url.href,
      healthy: s.healthy,
      lastCheck: s.lastCheck?.toISOString(),
      lastError: s.lastError,
    })),
    cache: await store.stats(),
  });
  const admin = serveAdmin(config.adminListen, {
    ready: () => true,
    status,
    metrics,
    logger,
    extra: cacheAdminRoutes(store),
  });
  health.start();
  logger.info("holdfast started", {
    version: VERSION,
    listen: `${proxy.addr.hostname}:${proxy.addr.port}`,
    admin: `${admin.addr.hostname}:${admin.addr.port}`,
    servers: config.servers.map((u) => u.origin),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      await health.stop();
      await Promise.all([proxy.shutdown(), admin.shutdown()]);
      await store.close();
      client.close();
      logger.info("holdfast stopped", {});
    })();

  return {
    finished: Promise.all([proxy.finished, admin.finished]).then(() => undefined),
    shutdown,
    proxyAddress: proxy.addr,
    adminAddress: admin.addr,
  };
}
