/**
 * A printable view of a resolved `Config` with secrets redacted, for `holdfast check-config`.
 * @module
 */
import { formatListenAddress } from "./address.ts";
import { formatDuration } from "./duration.ts";
import type { Config, FiltersConfig, HttpsConfig } from "./types.ts";

/** Marks a secret that is set but not shown. */
export const REDACTED = "(redacted)";

/**
 * The config as plain data: URLs, addresses and durations as text, PEM certificates summarised,
 * the client key and token replaced by `(redacted)`.
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const { upstream, health } = config;
  const credentials: Record<string, string> = {};
  if (upstream.caCert !== undefined) credentials.caCert = summarisePem(upstream.caCert);
  if (upstream.clientCert !== undefined) {
    credentials.clientCert = summarisePem(upstream.clientCert);
  }
  if (upstream.clientKey !== undefined) credentials.clientKey = REDACTED;
  if (upstream.token !== undefined) credentials.token = REDACTED;
  if (upstream.tokenFile !== undefined) credentials.tokenFile = upstream.tokenFile;
  return {
    servers: config.servers.map((url) => url.href),
    nodeName: config.nodeName,
    listen: formatListenAddress(config.listen),
    adminListen: formatListenAddress(config.adminListen),
    adminExposeSecrets: config.adminExposeSecrets,
    cachePath: config.cachePath,
    cacheSealedResources: config.cacheSealedResources,
    cacheKeyFile: config.cacheKeyFile,
    cacheAgents: config.cacheAgents,
    cacheMaxQueries: config.cacheMaxQueries,
    cacheMaxMiB: config.cacheMaxMiB,
    cacheHotMiB: config.cacheHotMiB,
    upstream: credentials,
    anonymousRequests: config.anonymousRequests,
    nodeIdentityComponents: config.nodeIdentityComponents,
    ...(config.identityKeyPath ? { identityKey: config.identityKeyPath } : {}),
    ...(config.identityAliases ? { identityAliases: config.identityAliases } : {}),
    ...(config.https ? { https: describeHttps(config.https) } : {}),
    lbMode: config.lbMode,
    health: {
      path: health.path,
      interval: formatDuration(health.intervalMs),
      timeout: formatDuration(health.timeoutMs),
      unhealthyThreshold: health.unhealthyThreshold,
      healthyThreshold: health.healthyThreshold,
    },
    limits: {
      upstreamHeaderTimeout: formatDuration(config.limits.upstreamHeaderTimeoutMs),
      offlineLists: config.limits.offlineLists,
      watches: config.limits.watches,
    },
    log: { ...config.log },
    ...(config.filters ? { filters: describeFilters(config.filters) } : {}),
  };
}

function describeFilters(filters: FiltersConfig): Record<string, unknown> {
  const { masterServiceAddress: address, ...rest } = filters;
  if (!address) return { ...rest };
  const masterServiceAddress = formatListenAddress({ hostname: address.host, port: address.port });
  return { ...rest, masterServiceAddress };
}

function describeHttps(https: HttpsConfig): Record<string, string> {
  const described: Record<string, string> = { listen: formatListenAddress(https.listen) };
  if (https.cert !== undefined) described.cert = summarisePem(https.cert);
  if (https.key !== undefined) described.key = REDACTED;
  if (https.clientCA !== undefined) described.clientCA = summarisePem(https.clientCA);
  return described;
}

function summarisePem(pem: string): string {
  const count = pem.split("-----BEGIN CERTIFICATE-----").length - 1;
  return `PEM, ${count} certificate${count === 1 ? "" : "s"}`;
}
