/**
 * The configurable fields: one table naming each field's YAML key path, its `run` flag, its value
 * type and help text, plus the defaults. Flags, the YAML file and the defaults all produce
 * `Settings` (a flat record keyed by YAML key path) before they are merged and validated.
 * @module
 */
import { DEFAULT_FILTER_COMPONENTS, FILTER_NAMES } from "./filter_names.ts";

/** Unvalidated values keyed by YAML key path; every layer (flags, file, defaults) is one. */
export interface Settings {
  servers?: string[];
  nodeName?: string;
  listen?: string;
  adminListen?: string;
  adminAllowRemote?: boolean;
  adminExposeSecrets?: boolean;
  cachePath?: string;
  cacheAgents?: string[];
  cacheMaxQueries?: number;
  cacheMaxMiB?: number;
  cacheHotMiB?: number;
  cacheSealedResources?: string[];
  cacheKeyFile?: string;
  kubeconfig?: string;
  "upstream.ca"?: string;
  "upstream.cert"?: string;
  "upstream.key"?: string;
  "upstream.tokenFile"?: string;
  anonymousRequests?: string;
  nodeIdentityComponents?: string[];
  identityKey?: string;
  identityAliases?: string[];
  "https.listen"?: string;
  "https.cert"?: string;
  "https.key"?: string;
  "https.clientCA"?: string;
  lbMode?: string;
  "health.path"?: string;
  "health.interval"?: string;
  "health.timeout"?: string;
  "health.unhealthyThreshold"?: number;
  "health.healthyThreshold"?: number;
  "limits.upstreamHeaderTimeout"?: string;
  "limits.offlineLists"?: number;
  "limits.watches"?: number;
  "log.level"?: string;
  "log.format"?: string;
  "filters.enabled"?: string[];
  "filters.masterServiceAddress"?: string;
  "filters.nodePool"?: string;
  "filters.masterservice"?: string[];
  "filters.servicetopology"?: string[];
  "filters.discardcloudservice"?: string[];
  "filters.inclusterconfig"?: string[];
  "filters.nodeportisolation"?: string[];
}

/** A YAML key path such as `health.interval`. */
export type FieldName = keyof Settings;

/** Where each set value came from: a flag (`--listen`), `file.yaml:3:9`, or `default`. */
export type Origins = Partial<Record<FieldName, string>>;

/** One layer of settings together with the origin of each value. */
export interface SourcedSettings {
  settings: Settings;
  origins: Origins;
}

/** How one field is written as a flag and in YAML. */
export interface FieldSpec {
  key: FieldName;
  /** The `run` flag, e.g. `--health-interval`. */
  flag: string;
  /** The flag's argument name in help, e.g. `DURATION`. */
  arg: string;
  /** YAML value type: a string, a list of strings, an integer, or a switch (a flag without value). */
  type: "string" | "list" | "integer" | "boolean";
  /** A file path: relative paths in the config file are taken from the file's folder. */
  path?: true;
  /** One line of help, with the default when there is one. */
  help: string;
}

/**
 * The defaults. Filled in when resolving: the node name (the host name) and the health-check
 * timeout ({@linkcode defaultHealthTimeoutMs} of the interval, so no default rejects a value the
 * user set).
 */
export const DEFAULTS: Readonly<Settings> = {
  listen: "127.0.0.1:10261",
  adminListen: "127.0.0.1:10267",
  cachePath: "/var/lib/holdfast/cache.kv",
  cacheAgents: ["kubelet", "kube-proxy", "coredns", "flanneld", "holdfast"],
  cacheMaxQueries: 64,
  cacheMaxMiB: 1024,
  cacheHotMiB: 64,
  cacheSealedResources: ["secrets"],
  adminAllowRemote: false,
  adminExposeSecrets: false,
  anonymousRequests: "node-identity-for-loopback-components",
  nodeIdentityComponents: ["kubelet", "kube-proxy", "coredns", "flanneld"],
  lbMode: "round-robin",
  "health.path": "/readyz",
  "health.interval": "5s",
  "health.unhealthyThreshold": 3,
  "health.healthyThreshold": 2,
  "limits.upstreamHeaderTimeout": "15s",
  "limits.offlineLists": 4,
  "limits.watches": 500,
  "log.level": "info",
  "log.format": "text",
  "filters.enabled": [...FILTER_NAMES],
};

/** The health-check timeout when none is set: half the interval, at most 2 s. */
export function defaultHealthTimeoutMs(intervalMs: number): number {
  return Math.min(2000, intervalMs / 2);
}

/** Every field, in help order. */
export const FIELDS: readonly FieldSpec[] = [
  {
    key: "servers",
    flag: "--server",
    arg: "URL",
    type: "list",
    help: "upstream kube-apiserver URL, repeatable (default: the kubeconfig's server)",
  },
  {
    key: "nodeName",
    flag: "--node-name",
    arg: "NAME",
    type: "string",
    help: "this node's name (default: the host name)",
  },
  {
    key: "listen",
    flag: "--listen",
    arg: "HOST:PORT",
    type: "string",
    help: `proxy listen address (default: ${DEFAULTS.listen})`,
  },
  {
    key: "adminListen",
    flag: "--admin-listen",
    arg: "HOST:PORT",
    type: "string",
    help: `admin listen address: health, status, metrics (default: ${DEFAULTS.adminListen})`,
  },
  {
    key: "adminAllowRemote",
    flag: "--admin-allow-remote",
    arg: "",
    type: "boolean",
    help: "allow an admin listen address other than loopback (refused otherwise)",
  },
  {
    key: "adminExposeSecrets",
    flag: "--admin-expose-secrets",
    arg: "",
    type: "boolean",
    help: "show the values of sealed objects' data in /v1/cache/objects and `cache get` " +
      "(redacted otherwise)",
  },
  {
    key: "cachePath",
    flag: "--cache-path",
    arg: "FILE",
    type: "string",
    path: true,
    help: `the Deno KV cache file (default: ${DEFAULTS.cachePath})`,
  },
  {
    key: "cacheAgents",
    flag: "--cache-agents",
    arg: "LIST",
    type: "list",
    help: `components whose responses are cached, comma-separated; * = every client ` +
      `(default: ${DEFAULTS.cacheAgents?.join(",")})`,
  },
  {
    key: "cacheMaxQueries",
    flag: "--cache-max-queries",
    arg: "N",
    type: "integer",
    help: `most LIST/WATCH queries cached per component; the least recently used goes first ` +
      `(default: ${DEFAULTS.cacheMaxQueries})`,
  },
  {
    key: "cacheMaxMiB",
    flag: "--cache-max-mib",
    arg: "MIB",
    type: "integer",
    help: `most MiB of cached list snapshots; the least recently used query goes first ` +
      `(default: ${DEFAULTS.cacheMaxMiB})`,
  },
  {
    key: "cacheHotMiB",
    flag: "--cache-hot-mib",
    arg: "MIB",
    type: "integer",
    help: `most MiB of the snapshots read most recently kept in memory for offline answers; ` +
      `0 for none (default: ${DEFAULTS.cacheHotMiB})`,
  },
  {
    key: "cacheSealedResources",
    flag: "--cache-sealed-resources",
    arg: "LIST",
    type: "list",
    help: `resources whose cached objects are encrypted at rest, comma-separated; "" for none ` +
      `(default: ${DEFAULTS.cacheSealedResources?.join(",")})`,
  },
  {
    key: "cacheKeyFile",
    flag: "--cache-key-file",
    arg: "FILE",
    type: "string",
    path: true,
    help: "the 32-byte key sealing them, created 0600 if missing (default: <cache-path>.key)",
  },
  {
    key: "kubeconfig",
    flag: "--kubeconfig",
    arg: "FILE",
    type: "string",
    path: true,
    help: "kubeconfig giving the upstream server, CA and credentials",
  },
  {
    key: "upstream.ca",
    flag: "--upstream-ca",
    arg: "FILE",
    type: "string",
    path: true,
    help: "PEM CA bundle trusted for the upstream (added to the system roots)",
  },
  {
    key: "upstream.cert",
    flag: "--upstream-cert",
    arg: "FILE",
    type: "string",
    path: true,
    help: "PEM client certificate for the upstream (needs --upstream-key)",
  },
  {
    key: "upstream.key",
    flag: "--upstream-key",
    arg: "FILE",
    type: "string",
    path: true,
    help: "PEM private key of the client certificate",
  },
  {
    key: "upstream.tokenFile",
    flag: "--upstream-token-file",
    arg: "FILE",
    type: "string",
    path: true,
    help: "file holding a bearer token for the upstream",
  },
  {
    key: "anonymousRequests",
    flag: "--anonymous-requests",
    arg: "MODE",
    type: "string",
    help: `requests without a credential: node-identity-for-loopback-components or refuse ` +
      `(default: ${DEFAULTS.anonymousRequests})`,
  },
  {
    key: "nodeIdentityComponents",
    flag: "--node-identity-components",
    arg: "LIST",
    type: "list",
    help: `components that may act as the node from loopback, comma-separated; * = every ` +
      `loopback client (default: ${DEFAULTS.nodeIdentityComponents?.join(",")})`,
  },
  {
    key: "identityKey",
    flag: "--identity-key",
    arg: "FILE",
    type: "string",
    path: true,
    help: "secret that token identities are keyed with, created 0600 on first start " +
      "(default: identity.key beside the cache file)",
  },
  {
    key: "identityAliases",
    flag: "--identity-alias",
    arg: "FROM->TO",
    type: "list",
    help: "lets identity FROM (cert:/CN=…, token:<id>) read offline what TO (node, cert:…, " +
      "token:…) cached; a certificate mapped to node acts as the node; repeatable",
  },
  {
    key: "https.listen",
    flag: "--https-listen",
    arg: "HOST:PORT",
    type: "string",
    help: "HTTPS listener for in-cluster clients, e.g. 0.0.0.0:10268 (default: off)",
  },
  {
    key: "https.cert",
    flag: "--https-cert",
    arg: "FILE",
    type: "string",
    path: true,
    help: "the HTTPS listener's serving certificate (default: self-signed, made on first start)",
  },
  {
    key: "https.key",
    flag: "--https-key",
    arg: "FILE",
    type: "string",
    path: true,
    help: "the key of --https-cert",
  },
  {
    key: "https.clientCA",
    flag: "--https-client-ca",
    arg: "FILE",
    type: "string",
    path: true,
    help: "CA bundle client certificates on the HTTPS listener must chain to (default: none " +
      "accepted)",
  },
  {
    key: "lbMode",
    flag: "--lb-mode",
    arg: "MODE",
    type: "string",
    help: `round-robin or priority (default: ${DEFAULTS.lbMode})`,
  },
  {
    key: "health.path",
    flag: "--health-path",
    arg: "PATH",
    type: "string",
    help: `upstream health-check path (default: ${DEFAULTS["health.path"]})`,
  },
  {
    key: "health.interval",
    flag: "--health-interval",
    arg: "DURATION",
    type: "string",
    help: `time between health checks, e.g. 500ms, 5s, 1m (default: ${
      DEFAULTS["health.interval"]
    })`,
  },
  {
    key: "health.timeout",
    flag: "--health-timeout",
    arg: "DURATION",
    type: "string",
    help:
      "health-check timeout, shorter than the interval (default: half the interval, at most 2s)",
  },
  {
    key: "health.unhealthyThreshold",
    flag: "--unhealthy-threshold",
    arg: "N",
    type: "integer",
    help: `failed checks before a server is unhealthy (default: ${
      DEFAULTS["health.unhealthyThreshold"]
    })`,
  },
  {
    key: "health.healthyThreshold",
    flag: "--healthy-threshold",
    arg: "N",
    type: "integer",
    help: `passed checks before a server is healthy again (default: ${
      DEFAULTS["health.healthyThreshold"]
    })`,
  },
  {
    key: "limits.upstreamHeaderTimeout",
    flag: "--upstream-header-timeout",
    arg: "DURATION",
    type: "string",
    help: `wait for an upstream's response headers; then reads go to the cache and writes ` +
      `get 504 (default: ${DEFAULTS["limits.upstreamHeaderTimeout"]})`,
  },
  {
    key: "limits.offlineLists",
    flag: "--max-offline-lists",
    arg: "N",
    type: "integer",
    help: `offline LISTs answered at once, more get 429 (default: ${
      DEFAULTS["limits.offlineLists"]
    })`,
  },
  {
    key: "limits.watches",
    flag: "--max-watches",
    arg: "N",
    type: "integer",
    help: `watches served at once, more get 429 (default: ${DEFAULTS["limits.watches"]})`,
  },
  {
    key: "log.level",
    flag: "--log-level",
    arg: "LEVEL",
    type: "string",
    help: `debug, info, warn or error (default: ${DEFAULTS["log.level"]})`,
  },
  {
    key: "log.format",
    flag: "--log-format",
    arg: "FORMAT",
    type: "string",
    help: `json or text (default: ${DEFAULTS["log.format"]})`,
  },
  {
    key: "filters.enabled",
    flag: "--filters",
    arg: "LIST",
    type: "list",
    help: `response filters switched on, comma-separated; "" for none (default: ${
      DEFAULTS["filters.enabled"]?.join(",")
    })`,
  },
  {
    key: "filters.masterServiceAddress",
    flag: "--master-service-address",
    arg: "IP:PORT",
    type: "string",
    help: "holdfast's HTTPS address the default/kubernetes Service is pointed at " +
      "(masterservice runs only when set)",
  },
  {
    key: "filters.nodePool",
    flag: "--node-pool",
    arg: "NAME",
    type: "string",
    help: "this node's pool (default: the Node's apps.openyurt.io/nodepool label)",
  },
  ...filterComponentFields(),
];

/** `filters.<name>`: the components each filter applies to. */
function filterComponentFields(): FieldSpec[] {
  return FILTER_NAMES.map((name) => ({
    key: `filters.${name}` as const,
    flag: `--${name}-components`,
    arg: "LIST",
    type: "list",
    help: `components the ${name} filter applies to (default: ${
      DEFAULT_FILTER_COMPONENTS[name].join(",")
    })`,
  }));
}

/** The defaults as a layer whose every origin is `default`. */
export function defaultSettings(): SourcedSettings {
  const origins: Origins = {};
  for (const key of Object.keys(DEFAULTS) as FieldName[]) origins[key] = "default";
  return { settings: structuredClone(DEFAULTS) as Settings, origins };
}
