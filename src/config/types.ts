/**
 * The agent's resolved configuration: what `run` works from after flags, the YAML file and the
 * defaults have been merged and validated (flags win over the file, the file over defaults).
 * @module
 */
import type { FilterName } from "./filter_names.ts";

/** A host and port to listen on. */
export interface ListenAddress {
  hostname: string;
  port: number;
}

/**
 * Credentials and trust for the upstream kube-apiserver, as PEM / token text (files already
 * read), with the files they came from so they can be re-read when they rotate (absent for
 * values given inline in a kubeconfig).
 */
export interface UpstreamCredentials {
  /** PEM CA bundle trusted for the upstream, in addition to the system roots. */
  caCert?: string;
  caFile?: string;
  /** PEM client certificate and key for mTLS: the node's identity. */
  clientCert?: string;
  clientCertFile?: string;
  clientKey?: string;
  clientKeyFile?: string;
  /** The node's bearer token. */
  token?: string;
  tokenFile?: string;
}

/** What a request that brings no credential of its own is sent upstream as. */
export type AnonymousRequests = "node-identity-for-loopback-components" | "refuse";

/** The HTTPS listener for in-cluster clients. */
export interface HttpsConfig {
  listen: ListenAddress;
  /** Serving certificate and key (PEM) and their files; absent: self-signed on first start. */
  cert?: string;
  key?: string;
  certFile?: string;
  keyFile?: string;
  /** PEM CA bundle client certificates must chain to; absent: no client certificate accepted. */
  clientCA?: string;
}

/** How requests are spread over several `--server`s. */
export type LoadBalanceMode = "round-robin" | "priority";

/** Active health checking of each upstream server. */
export interface HealthConfig {
  path: string;
  intervalMs: number;
  timeoutMs: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
}

/** Bounds on what clients can make the agent hold or wait for. */
export interface Limits {
  /** How long a request waits for an upstream's response headers before giving up on it. */
  upstreamHeaderTimeoutMs: number;
  /** Offline LISTs answered at once; more get 429 TooManyRequests. */
  offlineLists: number;
  /** Watches served at once (online and offline); more get 429 TooManyRequests. */
  watches: number;
}

/** Log level names, least to most severe. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Which components are cached, from `cacheAgents`: a set of names, or every component. */
export type CacheAgents = ReadonlySet<string> | "*";

/** YurtHub's response filters (`src/filters/`). */
export interface FiltersConfig {
  /** The filters switched on, by name. */
  enabled: FilterName[];
  /** The components each filter applies to, where the config overrides the default. */
  components: Partial<Record<FilterName, string[]>>;
  /** holdfast's HTTPS address for the `default/kubernetes` Service; `masterservice` needs it. */
  masterServiceAddress?: { host: string; port: number };
  /** This node's pool; when absent it is read from the Node's `apps.openyurt.io/nodepool` label. */
  nodePool?: string;
}

/** The whole resolved configuration. */
export interface Config {
  servers: URL[];
  nodeName: string;
  listen: ListenAddress;
  adminListen: ListenAddress;
  /** Show sealed objects' `data` values through the admin listener (redacted when absent). */
  adminExposeSecrets?: boolean;
  cachePath: string;
  /**
   * Resources (plural names, any group) whose cached objects are sealed at rest (always set from
   * the defaults by `loadConfig`; absent: none).
   */
  cacheSealedResources?: string[];
  /** The seal key file (`<cachePath>.key` when absent). */
  cacheKeyFile?: string;
  /** Lower-cased component names whose responses are cached; `["*"]` caches every component. */
  cacheAgents: string[];
  /**
   * Most LIST/WATCH queries cached per component, least recently used evicted first (always set
   * from the defaults by `loadConfig`; absent: no limit).
   */
  cacheMaxQueries?: number;
  /** Most MiB kept in cached list snapshots over all components (the same). */
  cacheMaxMiB?: number;
  /**
   * Most MiB of hot snapshots held in memory for offline answers (0: none; absent: the store's
   * default).
   */
  cacheHotMiB?: number;
  upstream: UpstreamCredentials;
  /**
   * `node-identity-for-loopback-components`: a request without credential gets the node's
   * identity when it comes from loopback and its component is in `nodeIdentityComponents`;
   * every other one is refused (401). `refuse`: all are refused.
   */
  anonymousRequests: AnonymousRequests;
  /** Lower-cased components that may act as the node; `["*"]` is every loopback client. */
  nodeIdentityComponents: string[];
  /** The secret token identities are keyed with; absent: `identity.key` beside the cache file. */
  identityKeyPath?: string;
  /** Identity → the identity whose cached answers it reads offline (`node` acts as the node). */
  identityAliases?: Record<string, string>;
  /** The HTTPS listener; absent: off. */
  https?: HttpsConfig;
  lbMode: LoadBalanceMode;
  health: HealthConfig;
  limits: Limits;
  log: { level: LogLevel; format: "json" | "text" };
  /** Response filters; absent means none. */
  filters?: FiltersConfig;
}
