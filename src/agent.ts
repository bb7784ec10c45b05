/**
 * Wires the agent together from a resolved {@linkcode Config}: the upstream pool and its health
 * checks, the Deno KV cache, the proxy listener and the admin listener.
 * @module
 */
import { cacheAdminRoutes } from "./admin/cache_routes.ts";
import { componentLabeler, requestLabeler } from "./admin/metric_labels.ts";
import { createMetrics } from "./admin/metrics.ts";
import { formatListenAddress } from "./config/address.ts";
import { serveAdmin } from "./admin/server.ts";
import { registerStateMetrics } from "./admin/state_metrics.ts";
import type { CacheFaultStatus, StatusReport } from "./admin/status_report.ts";
import { documentStats } from "./cache/documents.ts";
import { queryViews } from "./cache/inspect.ts";
import { EventQueue } from "./node/event_queue.ts";
import { settlesWithin } from "./cache/settle.ts";
import { openCache } from "./cache/open.ts";
import type { CacheAgents, Config } from "./config/types.ts";
import { buildResponseFilters } from "./filters/build.ts";
import { upstreamJsonGet } from "./proxy/remote/json_get.ts";
import type { Logger } from "./log/logger.ts";
import { storeCacheBranch } from "./proxy/remote/cache_branch.ts";
import { Slots } from "./proxy/admission.ts";
import { createProxyHandler, type ProxyDeps } from "./proxy/handler.ts";
import { createLocalAnswer } from "./proxy/local/mod.ts";
import { openMallocTrim, trimPeriodically } from "./process/memory_trim.ts";
import { proxyServing, serveProxy } from "./proxy/server.ts";
import { AcceptedCallers } from "./cache/callers.ts";
import { partitionComponent } from "./cache/partition.ts";
import { CallerIdentities } from "./proxy/caller.ts";
import { ephemeralCallerKey, loadCallerKey } from "./proxy/caller_key.ts";
import type { HttpsListener } from "./proxy/https_server.ts";
import { nodeAddresses, selfSignedPair } from "./proxy/serving_cert.ts";
import { startEventDelivery, upstreamEventSender } from "./node/event_delivery.ts";
import { HealthChecker } from "./upstream/health.ts";
import { NodeIdentity } from "./upstream/identity.ts";
import { UpstreamPool } from "./upstream/pool.ts";
import { VERSION } from "./version.ts";

/** A running agent. */
export interface Agent {
  /** Settles when both listeners have stopped. */
  finished: Promise<void>;
  /** Stops listening, finishes cache writes and closes the KV file. */
  shutdown(): Promise<void>;
  /**
   * Applies what can change while running (log level, health checks, cached components) from a
   * reloaded config, without dropping a stream; returns the changed fields that need a restart.
   */
  reload(config: Config): string[];
  /** The proxy's bound address (useful with port 0). */
  proxyAddress: Deno.NetAddr;
  /** The admin listener's bound address. */
  adminAddress: Deno.NetAddr;
  /** The HTTPS listener's bound address, when it is on. */
  httpsAddress?: Deno.NetAddr;
}

/** How often the node's token, certificate, key and CA files are checked for rotation. */
const CREDENTIAL_CHECK_MS = 1000;

/**
 * How often the C allocator's freed memory is given back to the system (see
 * `process/memory_trim.ts`): often enough that a LIST's buffers are not resident a few seconds
 * after it ends, and each call is well under a millisecond of a helper thread.
 */
const MEMORY_TRIM_MS = 2_000;

/** The most the cache branch may fall behind the client on one response. */
const MAX_CACHE_LAG_BYTES = 8 * 1024 * 1024;

/**
 * The same for one LIST: a 5,000-pod JSON list (~45 MB) reaches a client on loopback in a third
 * of the time KV needs to store it, so lists get more room before they are given up.
 */
const MAX_LIST_CACHE_LAG_BYTES = 32 * 1024 * 1024;

/**
 * How long shutdown waits for open responses, then for responses still being stored in the cache
 * and queued event delivery, before it closes the cache anyway: a SIGTERM stops the agent within
 * a few seconds whatever clients do.
 */
const SHUTDOWN_GRACE_MS = 2_000;

/** Starts the agent. */
export async function startAgent(config: Config, logger: Logger): Promise<Agent> {
  const metrics = createMetrics();
  const path = config.cachePath;
  // The lock comes first: a second agent on the same file stops here, having touched nothing.
  const { store, lock, fault } = await openCache(path, {
    sealedResources: config.cacheSealedResources,
    keyFile: config.cacheKeyFile ?? `${path}.key`,
    maxQueriesPerComponent: config.cacheMaxQueries,
    maxQueryBytes: config.cacheMaxMiB && config.cacheMaxMiB * 1024 * 1024,
    hotMaxBytes: config.cacheHotMiB === undefined ? undefined : config.cacheHotMiB * 1024 * 1024,
    onCommit: (commit) => {
      metrics.cacheCommits.inc();
      metrics.cacheWrittenBytes.inc(commit.bytes);
    },
    onAnomaly: ({ kind, query, message }) => {
      metrics.cacheAnomalies.inc({ kind });
      logger.warn(message, { kind, component: query?.component, resource: query?.resource });
    },
    onPause: (pause) => {
      metrics.cacheFault.set({ kind: "writes-paused" }, pause ? 1 : 0);
      if (pause) logger.error("cache writes paused: proxying goes on", { path, ...pause });
      else logger.warn("cache writes resumed", { path });
    },
  });
  for (const kind of ["damaged", "unwritable", "writes-paused", "seal-key"]) {
    metrics.cacheFault.set({ kind }, fault?.kind === kind ? 1 : 0);
  }
  if (fault) logger.error(`cache file ${fault.kind}: proxying goes on`, { ...fault });
  const cacheFault = (): CacheFaultStatus | undefined => {
    const pause = store.writePause;
    return pause ? { kind: "writes-paused", path, error: pause.reason, since: pause.since } : fault;
  };
  const identity = new NodeIdentity(config.upstream);
  identity.watchFiles({
    intervalMs: CREDENTIAL_CHECK_MS,
    onRotate: (files) => logger.info("upstream credentials rotated", { files }),
    onError: (reason) => logger.error("rotated upstream credentials are unusable", { reason }),
  });
  const pool = new UpstreamPool(config.servers, config.lbMode);
  const health = new HealthChecker(pool, config.health, identity);
  const events = new EventQueue(store.kv);
  const cacheAgents = cacheAgentSet(config.cacheAgents);
  registerStateMetrics(metrics, {
    cacheStats: () => store.stats(),
    eventQueue: () => events.stats(),
    eventQueueLimits: events.limits,
    cacheHot: () => store.hotStats,
    componentLabel: (partition) => componentLabeler(cacheAgents)(partitionComponent(partition)),
  });
  const sendEvent = upstreamEventSender({
    pool,
    identity,
    headerTimeoutMs: config.limits.upstreamHeaderTimeoutMs,
  });
  const delivery = startEventDelivery(events, sendEvent, {
    online: () => pool.online,
    retryMs: config.health.intervalMs,
    onReport: (report) => logger.info("delivered queued events", { ...report }),
    onError: (error) => logger.warn("queued event delivery stopped", { error }),
  });
  for (const server of pool.servers) {
    metrics.upstreamHealthy.set({ server: server.url.origin }, 1);
  }
  let offline = !pool.online;
  let modeSince = new Date();
  metrics.offline.set(offline ? 1 : 0);
  pool.onHealthChange((server) => {
    metrics.upstreamHealthy.set({ server: server.url.origin }, server.healthy ? 1 : 0);
    logger.info(server.healthy ? "upstream healthy" : "upstream unhealthy", {
      server: server.url.origin,
      reason: server.lastError,
    });
    if (offline !== !pool.online) {
      offline = !pool.online;
      modeSince = new Date();
      metrics.modeTransitions.inc({ to: offline ? "offline" : "online" });
      metrics.offline.set(offline ? 1 : 0);
      logger.warn(offline ? "mode offline: answering from the cache" : "mode online", {});
      if (!offline) delivery.deliver();
    }
  });

  const cacheBranch = storeCacheBranch(
    store,
    logger,
    (reason) => metrics.cacheDrops.inc({ reason }),
  );
  /** Responses (other than watches) whose cache branch is still storing them. */
  const storingResponses = new Set<Promise<void>>();
  const aliases = new Map(Object.entries(config.identityAliases ?? {}));
  const proxyDeps: ProxyDeps = {
    pool,
    identity,
    anonymous: {
      mode: config.anonymousRequests,
      components: config.nodeIdentityComponents.includes("*")
        ? "*"
        : new Set(config.nodeIdentityComponents),
      aliases,
    },
    callers: {
      identities: new CallerIdentities(await callerKey(config, logger), aliases),
      accepted: new AcceptedCallers(store.kv),
    },
    suspect: (server) => {
      metrics.upstreamErrors.inc({ server: server.url.origin });
      health.suspect(server);
    },
    filters: buildResponseFilters(
      config,
      upstreamJsonGet({
        pool,
        identity,
        suspect: (server) => health.suspect(server),
        headerTimeoutMs: config.limits.upstreamHeaderTimeoutMs,
      }),
    ),
    cacheAgents,
    maxCacheLagBytes: MAX_CACHE_LAG_BYTES,
    maxListCacheLagBytes: MAX_LIST_CACHE_LAG_BYTES,
    headerTimeoutMs: config.limits.upstreamHeaderTimeoutMs,
    offlineLists: new Slots(config.limits.offlineLists),
    watches: new Slots(config.limits.watches),
    cache: (classified, response, body, cut) => {
      const storing = cacheBranch(classified, response, body, cut);
      if (classified.info.verb === "watch") return storing; // ended at shutdown, not awaited
      storingResponses.add(storing);
      const done = () => storingResponses.delete(storing);
      storing.then(done, done);
      return storing;
    },
    onUpstreamBytes: (bytes) => metrics.upstreamBytes.inc(bytes),
    local: createLocalAnswer({
      store,
      events,
      pool,
      onError: (error, classified) =>
        logger.error("offline answer failed", { path: classified.url.pathname, error }),
    }),
  };
  const handler = createProxyHandler(proxyDeps);
  const eventQueueStatus = async () => {
    const { count, bytes } = await events.stats();
    return { queued: count, bytes, ...events.limits };
  };
  const status = async (): Promise<StatusReport> => ({
    version: VERSION,
    mode: pool.online ? "online" : "offline",
    modeSince: modeSince.toISOString(),
    nodeName: config.nodeName,
    upstreams: pool.servers.map((s) => ({
      url: s.url.href,
      healthy: s.healthy,
      lastCheck: s.lastCheck?.toISOString(),
      lastError: s.lastError,
    })),
    cache: await store.stats(),
    queries: await queryViews(store),
    documents: await documentStats(store.kv),
    events: await eventQueueStatus(),
    cacheHot: store.hotStats,
    cacheFault: cacheFault(),
  });
  const closing = new AbortController();
  const serveOptions = {
    metrics,
    labels: requestLabeler(cacheAgents),
    logger,
    closing: closing.signal,
  };
  let proxy: Deno.HttpServer<Deno.NetAddr> | undefined;
  let secure: HttpsListener | undefined;
  let admin: Deno.HttpServer<Deno.NetAddr>;
  try {
    proxy = serveProxy(config.listen, handler, serveOptions);
    if (config.https) {
      const { cert, key } = config.https.cert && config.https.key
        ? { cert: config.https.cert, key: config.https.key }
        : await selfSignedPair(
          config.cachePath === ":memory:"
            ? await Deno.makeTempDir({ prefix: "holdfast-https-" })
            : stateDir(config),
          config.nodeName,
          nodeAddresses(),
        );
      // Loaded only when on: the `node:https` bridge brings Deno's Node compatibility layer.
      const { serveHttps } = await import("./proxy/https_server.ts");
      secure = await serveHttps(
        config.https.listen,
        { cert, key, clientCA: config.https.clientCA },
        proxyServing(handler, serveOptions),
      );
    }
    admin = serveAdmin(config.adminListen, {
      ready: () => true,
      status,
      metrics,
      logger,
      extra: cacheAdminRoutes(store, config.adminExposeSecrets),
    });
    await lock.describe({ pid: Deno.pid, admin: `http://${formatListenAddress(admin.addr)}` });
  } catch (error) {
    await proxy?.shutdown();
    await secure?.shutdown();
    await store.close();
    lock.release();
    await identity.close();
    throw error;
  }
  const listening = proxy;
  health.start();
  const mallocTrim = openMallocTrim();
  const trimming = mallocTrim && trimPeriodically(mallocTrim.trim, MEMORY_TRIM_MS);
  logger.info("holdfast started", {
    version: VERSION,
    listen: `${listening.addr.hostname}:${listening.addr.port}`,
    admin: `${admin.addr.hostname}:${admin.addr.port}`,
    ...(secure ? { https: `${secure.addr.hostname}:${secure.addr.port}` } : {}),
    servers: config.servers.map((u) => u.origin),
  });

  let stopping: Promise<void> | undefined;
  const shutdown = () =>
    stopping ??= (async () => {
      await health.stop();
      const stopped = Promise.all([
        listening.shutdown(),
        admin.shutdown(),
        secure?.shutdown(),
      ]);
      closing.abort(); // after the listener stopped taking requests: ends open watches
      if (!await settlesWithin(stopped, SHUTDOWN_GRACE_MS)) {
        logger.warn("responses still open at shutdown: closing the cache anyway", {
          graceMs: SHUTDOWN_GRACE_MS,
        });
      }
      // A LIST answered just before the signal is still being stored: keep it.
      await settlesWithin(Promise.all([delivery.stop(), ...storingResponses]), SHUTDOWN_GRACE_MS);
      await store.close();
      lock.release();
      await identity.close();
      await trimming?.stop();
      mallocTrim?.close();
      logger.info("holdfast stopped", {});
    })();

  return {
    // Settles only once the shutdown has flushed and closed the cache, never when the listeners
    // alone have stopped: the CLI exits the process as soon as this settles.
    finished: Promise.all([listening.finished, admin.finished]).then(shutdown),
    shutdown,
    reload(next) {
      logger.setLevel(next.log.level);
      health.config = next.health;
      proxyDeps.cacheAgents = cacheAgentSet(next.cacheAgents);
      logger.info("config reloaded", { logLevel: next.log.level, cacheAgents: next.cacheAgents });
      return restartFields(config, next);
    },
    proxyAddress: listening.addr,
    adminAddress: admin.addr,
    httpsAddress: secure?.addr,
  };
}

/** The folder beside the cache file: the default home of the identity key and serving pair. */
function stateDir(config: Config): string {
  const slash = config.cachePath.lastIndexOf("/");
  return slash === -1 ? "." : config.cachePath.slice(0, slash) || "/";
}

/**
 * The secret token identities are keyed with; a key that cannot be read or made is replaced by
 * one for this run only (tokens then count as unknown offline until the cloud accepts them again).
 */
async function callerKey(config: Config, logger: Logger): Promise<CryptoKey> {
  if (config.cachePath === ":memory:" && !config.identityKeyPath) return ephemeralCallerKey();
  const path = config.identityKeyPath ?? `${stateDir(config)}/identity.key`;
  try {
    return await loadCallerKey(path);
  } catch (error) {
    logger.error("identity key unusable: using one for this run only", { path, error });
    return ephemeralCallerKey();
  }
}

function cacheAgentSet(agents: readonly string[]): CacheAgents {
  return agents.includes("*") ? "*" : new Set(agents);
}

/** What a reload changed that takes effect only after a restart (by top-level field). */
function restartFields(running: Config, next: Config): string[] {
  const live = new Set(["log", "health", "cacheAgents"]);
  const changed: string[] = [];
  for (const key of Object.keys(next) as (keyof Config)[]) {
    if (live.has(key)) continue;
    if (JSON.stringify(running[key]) !== JSON.stringify(next[key])) changed.push(key);
  }
  if (running.log.format !== next.log.format) changed.push("log.format");
  return changed;
}
