/**
 * Validates merged settings and builds the resolved `Config`: parses URLs, addresses and
 * durations, checks ranges and combinations, and reads the CA, certificate, key, token and
 * kubeconfig files through an injected reader (so tests need no filesystem).
 * @module
 */
import { FILTER_NAMES, type FilterName } from "./filter_names.ts";
import { isLoopbackHost, parseListenAddress } from "./address.ts";
import { formatDuration, parseDuration } from "./duration.ts";
import { catchConfigError, ConfigError } from "./error.ts";
import { defaultHealthTimeoutMs, type FieldName, type SourcedSettings } from "./fields.ts";
import type { KubeconfigAuth, parseKubeconfig, PemSource } from "./kubeconfig.ts";
import { holdsPem, type PemKind } from "./pem.ts";
import { targetProblem } from "../kube/request_path.ts";
import type {
  AnonymousRequests,
  Config,
  FiltersConfig,
  HealthConfig,
  HttpsConfig,
  ListenAddress,
  LoadBalanceMode,
  LogLevel,
  UpstreamCredentials,
} from "./types.ts";

/** The little I/O that resolving needs. */
export interface ConfigIO {
  /** Reads a whole text file; throws an Error whose message says why it cannot. */
  readTextFile(path: string): string;
  /** The machine's host name, the default node name. */
  hostname(): string;
}

const LB_MODES: readonly LoadBalanceMode[] = ["round-robin", "priority"];
const ANONYMOUS_REQUESTS: readonly AnonymousRequests[] = [
  "node-identity-for-loopback-components",
  "refuse",
];
const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];
const LOG_FORMATS = ["json", "text"] as const;
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const AGENT_NAME = /^[a-z0-9][a-z0-9._-]*$/;
const RESOURCE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** A client identity as `identityAliases` names it: a certificate subject or a token's id. */
const CALLER_IDENTITY = /^(cert:\/\S.*|token:[0-9a-f]{32})$/;
const DURATION_HINT = "(use 500ms, 5s, 1m)";
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Whether `host` is an IPv4 or IPv6 literal. */
function isIpAddress(host: string): boolean {
  if (IPV4.test(host)) return true;
  if (!host.includes(":")) return false;
  try {
    return new URL(`http://[${host}]/`).hostname !== "";
  } catch {
    return false;
  }
}

/** Reads a kubeconfig's text (`parseKubeconfig`, which the caller loads when one is named). */
export type KubeconfigParser = typeof parseKubeconfig;

/**
 * Validates `input` (defaults, file and flags already merged) into a `Config`, or says why not.
 * `parseKubeconfig` is needed only when `input` names a kubeconfig.
 */
export async function resolveConfig(
  input: SourcedSettings,
  io: ConfigIO,
  parseKubeconfig?: KubeconfigParser,
): Promise<Config | ConfigError> {
  const resolver = new Resolver(input, io);
  const named = catchConfigError(() => resolver.kubeconfigText());
  if (named instanceof ConfigError) return named;
  let kubeconfig: KubeconfigAuth | undefined;
  if (named) {
    if (!parseKubeconfig) throw new Error("resolveConfig: a kubeconfig needs its parser");
    const parsed = await parseKubeconfig(named.text, named.path);
    if (parsed instanceof ConfigError) return parsed;
    kubeconfig = parsed;
  }
  return catchConfigError(() => resolver.config(kubeconfig));
}

type DurationField = "health.interval" | "health.timeout" | "limits.upstreamHeaderTimeout";
type CountField =
  | "health.unhealthyThreshold"
  | "health.healthyThreshold"
  | "limits.offlineLists"
  | "limits.watches"
  | "cacheMaxQueries"
  | "cacheMaxMiB";

class Resolver {
  #input: SourcedSettings;
  #io: ConfigIO;

  constructor(input: SourcedSettings, io: ConfigIO) {
    this.#input = input;
    this.#io = io;
  }

  /** The kubeconfig named by the settings, read but not parsed; undefined when none is named. */
  kubeconfigText(): { path: string; text: string } | undefined {
    const path = this.#get("kubeconfig");
    if (path === undefined) return undefined;
    if (path === "") return this.#fail("kubeconfig", "must not be empty");
    return { path, text: this.#read("kubeconfig", path) };
  }

  /** The `Config`, given what the named kubeconfig (if any) says. */
  config(kubeconfig: KubeconfigAuth | undefined): Config {
    const listen = this.#address("listen");
    const adminListen = this.#address("adminListen");
    if (
      listen.port !== 0 && listen.port === adminListen.port &&
      listen.hostname === adminListen.hostname
    ) {
      this.#fail("adminListen", "is the same address as listen");
    }
    if (!isLoopbackHost(adminListen.hostname) && this.#get("adminAllowRemote") !== true) {
      this.#fail(
        "adminListen",
        `"${adminListen.hostname}" is not a loopback address: the admin listener has no ` +
          "authentication; set adminAllowRemote (--admin-allow-remote) to listen there anyway",
      );
    }
    return {
      servers: this.#servers(kubeconfig),
      nodeName: this.#nodeName(),
      listen,
      adminListen,
      adminExposeSecrets: this.#get("adminExposeSecrets") === true,
      cachePath: this.#required("cachePath"),
      cacheSealedResources: this.#sealedResources(),
      cacheKeyFile: this.#get("cacheKeyFile") || `${this.#required("cachePath")}.key`,
      cacheAgents: this.#cacheAgents(),
      cacheMaxQueries: this.#threshold("cacheMaxQueries"),
      cacheMaxMiB: this.#threshold("cacheMaxMiB"),
      cacheHotMiB: this.#size("cacheHotMiB"),
      upstream: this.#upstream(kubeconfig),
      anonymousRequests: this.#oneOf("anonymousRequests", ANONYMOUS_REQUESTS),
      nodeIdentityComponents: this.#components("nodeIdentityComponents", true),
      ...this.#identities(),
      lbMode: this.#oneOf("lbMode", LB_MODES),
      health: this.#health(),
      limits: {
        upstreamHeaderTimeoutMs: this.#duration("limits.upstreamHeaderTimeout"),
        offlineLists: this.#threshold("limits.offlineLists"),
        watches: this.#threshold("limits.watches"),
      },
      log: {
        level: this.#oneOf("log.level", LOG_LEVELS),
        format: this.#oneOf("log.format", LOG_FORMATS),
      },
      filters: this.#filters(),
    };
  }

  #fail(field: FieldName, message: string, source = this.#input.origins[field]): never {
    throw new ConfigError(field, message, source);
  }

  #get<K extends FieldName>(field: K) {
    return this.#input.settings[field];
  }

  #required(field: "cachePath" | "health.path" | DurationField): string {
    const value = this.#get(field);
    if (value === undefined || value === "") return this.#fail(field, "must not be empty");
    return value;
  }

  #oneOf<T extends string>(field: FieldName, allowed: readonly T[]): T {
    const value = this.#get(field);
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) {
      return value as T;
    }
    return this.#fail(field, `"${value}" is not one of ${allowed.join(", ")}`);
  }

  #read(field: FieldName, path: string, source?: string): string {
    try {
      return this.#io.readTextFile(path);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      return this.#fail(field, `cannot read "${path}": ${reason}`, source);
    }
  }

  #servers(kubeconfig: KubeconfigAuth | undefined): URL[] {
    let texts = this.#get("servers");
    let source = this.#input.origins.servers;
    if (texts === undefined || texts.length === 0) {
      texts = kubeconfig?.server === undefined ? [] : [kubeconfig.server];
      source = this.#get("kubeconfig");
    }
    if (texts.length === 0) {
      return this.#fail(
        "servers",
        "no upstream server: give --server, servers: in the config file, or a kubeconfig",
      );
    }
    const seen = new Set<string>();
    return texts.map((text) => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        return this.#fail("servers", `"${text}" is not a URL (e.g. https://10.0.0.1:6443)`, source);
      }
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        this.#fail("servers", `"${text}" is not an https:// (or http://) URL`, source);
      }
      if (url.username !== "" || url.password !== "") {
        this.#fail("servers", `"${text}" must not carry credentials in the URL`, source);
      }
      if (url.search !== "" || url.hash !== "") {
        this.#fail("servers", `"${text}" must not have a query or fragment`, source);
      }
      if (seen.has(url.href)) this.#fail("servers", `"${text}" is listed twice`, source);
      seen.add(url.href);
      return url;
    });
  }

  #nodeName(): string {
    const given = this.#get("nodeName");
    const name = given ?? this.#io.hostname().toLowerCase();
    if (name.length > 253 || !NODE_NAME.test(name)) {
      const what = given === undefined ? `the host name "${name}"` : `"${name}"`;
      return this.#fail(
        "nodeName",
        `${what} is not a valid node name (lower-case DNS name${
          given === undefined ? "; set --node-name" : ""
        })`,
      );
    }
    return name;
  }

  #address(field: "listen" | "adminListen"): ListenAddress {
    const parsed = parseListenAddress(this.#get(field) ?? "");
    return typeof parsed === "string" ? this.#fail(field, parsed) : parsed;
  }

  /** Plural resource names (any group), lower-case, without repeats. */
  #sealedResources(): string[] {
    const resources = new Set<string>();
    for (const raw of this.#get("cacheSealedResources") ?? []) {
      if (!RESOURCE_NAME.test(raw)) {
        this.#fail("cacheSealedResources", `"${raw}" is not a resource name (e.g. secrets)`);
      }
      resources.add(raw);
    }
    return [...resources];
  }

  #cacheAgents(): string[] {
    return this.#components("cacheAgents", true);
  }

  /** A list of component names (lower-cased, without repeats); `*` alone when `star` allows it. */
  #components(field: FieldName, star = false): string[] {
    const agents = new Set<string>();
    for (const raw of (this.#get(field) ?? []) as string[]) {
      const agent = raw.trim().toLowerCase();
      if (star && agent === "*") return ["*"];
      if (!AGENT_NAME.test(agent)) {
        this.#fail(field, `"${raw}" is not a component name (e.g. kubelet)${star ? " or *" : ""}`);
      }
      agents.add(agent);
    }
    return [...agents];
  }

  #identities(): Pick<Config, "identityKeyPath" | "identityAliases" | "https"> {
    const identities: Pick<Config, "identityKeyPath" | "identityAliases" | "https"> = {};
    const keyPath = this.#get("identityKey");
    if (keyPath === "") this.#fail("identityKey", "must not be empty");
    if (keyPath !== undefined) identities.identityKeyPath = keyPath;
    const aliases = this.#get("identityAliases");
    if (aliases !== undefined && aliases.length > 0) {
      identities.identityAliases = this.#aliases(aliases);
    }
    const https = this.#https();
    if (https) identities.https = https;
    return identities;
  }

  /** `FROM->TO` entries as a map; FROM a certificate or token identity, TO also `node`. */
  #aliases(entries: readonly string[]): Record<string, string> {
    const aliases: Record<string, string> = {};
    for (const entry of entries) {
      const arrow = entry.lastIndexOf("->");
      const from = entry.slice(0, Math.max(arrow, 0)).trim();
      const to = entry.slice(arrow + 2).trim();
      const fail = (why: string) =>
        this.#fail(
          "identityAliases",
          `"${entry}" ${why} (e.g. "cert:/CN=system:node:edge-1 -> node")`,
        );
      if (arrow === -1) fail("is not FROM->TO");
      if (!CALLER_IDENTITY.test(from)) fail(`names no identity to map (cert:/…, token:<id>)`);
      if (to !== "node" && !CALLER_IDENTITY.test(to)) {
        fail("maps to no identity (node, cert:/…, token:<id>)");
      }
      if (from === to) fail("maps an identity to itself");
      if (from in aliases) fail("maps an identity mapped before");
      aliases[from] = to;
    }
    return aliases;
  }

  #https(): HttpsConfig | undefined {
    const listenText = this.#get("https.listen");
    const certFile = this.#get("https.cert");
    const keyFile = this.#get("https.key");
    const caFile = this.#get("https.clientCA");
    if (listenText === undefined || listenText === "") {
      for (const field of ["https.cert", "https.key", "https.clientCA"] as const) {
        if (this.#get(field) !== undefined) {
          this.#fail(field, "needs https.listen (--https-listen)");
        }
      }
      return undefined;
    }
    const listen = parseListenAddress(listenText);
    if (typeof listen === "string") return this.#fail("https.listen", listen);
    const https: HttpsConfig = { listen };
    if ((certFile === undefined) !== (keyFile === undefined)) {
      const field = certFile === undefined ? "https.key" : "https.cert";
      this.#fail(field, "the serving certificate and its key go together (https.cert, https.key)");
    }
    if (certFile !== undefined && keyFile !== undefined) {
      https.cert = this.#pemFile("https.cert", certFile, "certificate");
      https.key = this.#pemFile("https.key", keyFile, "private key");
      https.certFile = certFile;
      https.keyFile = keyFile;
    }
    if (caFile !== undefined) {
      https.clientCA = this.#pemFile("https.clientCA", caFile, "certificate");
    }
    return https;
  }

  #filters(): FiltersConfig {
    const enabled = new Set<FilterName>();
    for (const raw of this.#get("filters.enabled") ?? []) {
      const name = raw.trim().toLowerCase() as FilterName;
      if (!FILTER_NAMES.includes(name)) {
        this.#fail("filters.enabled", `"${raw}" is not a filter (${FILTER_NAMES.join(", ")})`);
      }
      enabled.add(name);
    }
    const filters: FiltersConfig = { enabled: [...enabled], components: {} };
    for (const name of FILTER_NAMES) {
      if (this.#get(`filters.${name}`) !== undefined) {
        filters.components[name] = this.#components(`filters.${name}`);
      }
    }
    const address = this.#get("filters.masterServiceAddress");
    if (address !== undefined) filters.masterServiceAddress = this.#masterServiceAddress(address);
    const pool = this.#get("filters.nodePool");
    if (pool !== undefined) {
      if (pool.length > 253 || !NODE_NAME.test(pool)) {
        this.#fail("filters.nodePool", `"${pool}" is not a node pool name (lower-case DNS name)`);
      }
      filters.nodePool = pool;
    }
    return filters;
  }

  #masterServiceAddress(text: string): { host: string; port: number } {
    const parsed = parseListenAddress(text);
    if (typeof parsed === "string") return this.#fail("filters.masterServiceAddress", parsed);
    const { hostname, port } = parsed;
    if (!isIpAddress(hostname)) {
      this.#fail(
        "filters.masterServiceAddress",
        `"${hostname}" is not an IP address (a Service's clusterIP is one)`,
      );
    }
    if (port === 0) this.#fail("filters.masterServiceAddress", "port 0 is not a port to point at");
    return { host: hostname, port };
  }

  #upstream(kubeconfig: KubeconfigAuth | undefined): UpstreamCredentials {
    const credentials: UpstreamCredentials = {};
    const caFile = this.#get("upstream.ca");
    if (caFile !== undefined) {
      credentials.caCert = this.#pemFile("upstream.ca", caFile, "certificate");
      credentials.caFile = caFile;
    } else if (kubeconfig?.ca) {
      credentials.caCert = this.#kubeconfigPem(
        kubeconfig.ca,
        "certificate-authority",
        "certificate",
      );
      if ("file" in kubeconfig.ca) credentials.caFile = kubeconfig.ca.file;
    }

    const certFile = this.#get("upstream.cert");
    const keyFile = this.#get("upstream.key");
    if (certFile !== undefined && keyFile === undefined) {
      this.#fail(
        "upstream.cert",
        "a client certificate needs its key (upstream.key, --upstream-key)",
      );
    }
    if (keyFile !== undefined && certFile === undefined) {
      this.#fail(
        "upstream.key",
        "a client key needs its certificate (upstream.cert, --upstream-cert)",
      );
    }
    if (certFile !== undefined && keyFile !== undefined) {
      credentials.clientCert = this.#pemFile("upstream.cert", certFile, "certificate");
      credentials.clientKey = this.#pemFile("upstream.key", keyFile, "private key");
      credentials.clientCertFile = certFile;
      credentials.clientKeyFile = keyFile;
    } else if (kubeconfig?.cert && kubeconfig.key) {
      credentials.clientCert = this.#kubeconfigPem(
        kubeconfig.cert,
        "client-certificate",
        "certificate",
      );
      credentials.clientKey = this.#kubeconfigPem(kubeconfig.key, "client-key", "private key");
      if ("file" in kubeconfig.cert) credentials.clientCertFile = kubeconfig.cert.file;
      if ("file" in kubeconfig.key) credentials.clientKeyFile = kubeconfig.key.file;
    }

    const ownTokenFile = this.#get("upstream.tokenFile");
    const tokenFile = ownTokenFile ?? kubeconfig?.tokenFile;
    if (tokenFile !== undefined) {
      const field = ownTokenFile === undefined ? "kubeconfig" : "upstream.tokenFile";
      const token = this.#read(field, tokenFile).trim();
      if (token === "") this.#fail(field, `token file "${tokenFile}" is empty`);
      credentials.token = token;
      credentials.tokenFile = tokenFile;
    } else if (kubeconfig?.token !== undefined) {
      credentials.token = kubeconfig.token;
    }
    return credentials;
  }

  /** Reads a PEM file named by `field` and checks it holds a `kind`. */
  #pemFile(field: FieldName, path: string, kind: PemKind): string {
    return this.#checkPem(field, `"${path}"`, this.#read(field, path), kind);
  }

  /** Takes a kubeconfig's inline PEM or reads the file it names, and checks it holds a `kind`. */
  #kubeconfigPem(pem: PemSource, key: string, kind: PemKind): string {
    if ("data" in pem) return this.#checkPem("kubeconfig", `${key}-data`, pem.data, kind);
    const text = this.#read("kubeconfig", pem.file, this.#get("kubeconfig"));
    return this.#checkPem("kubeconfig", `${key} "${pem.file}"`, text, kind);
  }

  #checkPem(field: FieldName, label: string, text: string, kind: PemKind): string {
    if (!holdsPem(text, kind)) this.#fail(field, `${label} holds no PEM ${kind}`);
    return text;
  }

  #health(): HealthConfig {
    const path = this.#required("health.path");
    const problem = targetProblem(path);
    if (problem) this.#fail("health.path", `"${path}": ${problem}`);
    const intervalMs = this.#duration("health.interval");
    const timeoutMs = this.#get("health.timeout") === undefined
      ? defaultHealthTimeoutMs(intervalMs)
      : this.#duration("health.timeout");
    if (timeoutMs >= intervalMs) {
      this.#fail(
        "health.timeout",
        `${formatDuration(timeoutMs)} must be shorter than health.interval (${
          formatDuration(intervalMs)
        })`,
      );
    }
    return {
      path,
      intervalMs,
      timeoutMs,
      unhealthyThreshold: this.#threshold("health.unhealthyThreshold"),
      healthyThreshold: this.#threshold("health.healthyThreshold"),
    };
  }

  #duration(field: DurationField): number {
    const text = this.#required(field);
    const ms = parseDuration(text);
    if (ms === undefined) return this.#fail(field, `"${text}" is not a duration ${DURATION_HINT}`);
    if (ms <= 0) return this.#fail(field, `"${text}" must be longer than zero`);
    return ms;
  }

  /** A size that may be 0 (none). */
  #size(field: "cacheHotMiB"): number {
    const value = this.#get(field) ?? 0;
    if (!Number.isInteger(value) || value < 0) {
      return this.#fail(field, `${value} must be a whole number of at least 0`);
    }
    return value;
  }

  #threshold(field: CountField): number {
    const value = this.#get(field) ?? 0;
    if (!Number.isInteger(value) || value < 1) {
      return this.#fail(field, `${value} must be a whole number of at least 1`);
    }
    return value;
  }
}
