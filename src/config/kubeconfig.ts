/**
 * Reads the upstream server, CA and credentials out of a kubeconfig (the current context's
 * cluster and user). Pure: the caller reads the kubeconfig and the files it names.
 * @module
 */
import { catchConfigError, ConfigError } from "./error.ts";
import { besideFile } from "./path.ts";
import { parseYaml } from "./yaml_parse.ts";
import { toValue, YamlSyntaxError } from "./yaml_tree.ts";

/** PEM text given inline (`…-data`, already base64-decoded) or a file to read. */
export type PemSource = { data: string } | { file: string };

/** What a kubeconfig says about reaching the apiserver. Relative file paths are made absolute. */
export interface KubeconfigAuth {
  server?: string;
  ca?: PemSource;
  cert?: PemSource;
  key?: PemSource;
  token?: string;
  tokenFile?: string;
}

type Obj = Record<string, unknown>;

const UNSUPPORTED_USER_KEYS = ["exec", "auth-provider", "username", "password"];

/**
 * Parses kubeconfig text found at `path` (named in errors; relative file references are taken from
 * its folder). Honours `current-context`; with none set, a kubeconfig with a single context uses it.
 */
export async function parseKubeconfig(
  text: string,
  path: string,
): Promise<KubeconfigAuth | ConfigError> {
  const doc = await parseYaml(text);
  if (doc instanceof YamlSyntaxError) return new ConfigError("kubeconfig", doc.message, path);
  return catchConfigError(() => {
    const fail = (message: string): never => {
      throw new ConfigError("kubeconfig", message, path);
    };
    const root = toValue(doc.root);
    if (!isObj(root)) return fail("is not a kubeconfig (expected a mapping)");

    const contexts = namedList(root, "contexts", "context", fail);
    let contextName = root["current-context"];
    if (contextName === undefined || contextName === "") {
      if (contexts.size !== 1) return fail("has no current-context and not exactly one context");
      contextName = [...contexts.keys()][0];
    }
    if (typeof contextName !== "string") return fail("current-context is not a string");
    const context = contexts.get(contextName) ??
      fail(`current-context "${contextName}" is not among its contexts`);

    const auth: KubeconfigAuth = {};
    const clusterName = context.cluster;
    if (typeof clusterName !== "string" || clusterName === "") {
      return fail(`context "${contextName}" names no cluster`);
    }
    const cluster = namedList(root, "clusters", "cluster", fail).get(clusterName) ??
      fail(`cluster "${clusterName}" (of context "${contextName}") is not among its clusters`);
    const where = `cluster "${clusterName}"`;
    if (cluster["insecure-skip-tls-verify"] === true) {
      fail(`${where}: insecure-skip-tls-verify is not supported; give certificate-authority`);
    }
    if (cluster.server !== undefined) auth.server = stringField(cluster, "server", where, fail);
    const ca = pem(cluster, "certificate-authority", where, path, fail);
    if (ca) auth.ca = ca;

    const userName = context.user;
    if (userName === undefined || userName === "") return auth;
    if (typeof userName !== "string") return fail(`context "${contextName}": user is not a string`);
    const user = namedList(root, "users", "user", fail).get(userName) ??
      fail(`user "${userName}" (of context "${contextName}") is not among its users`);
    const who = `user "${userName}"`;
    for (const key of UNSUPPORTED_USER_KEYS) {
      if (user[key] !== undefined) {
        fail(`${who}: ${key} is not supported (use a client certificate or a token)`);
      }
    }
    const cert = pem(user, "client-certificate", who, path, fail);
    const key = pem(user, "client-key", who, path, fail);
    if (cert && !key) fail(`${who}: client-certificate has no client-key`);
    if (key && !cert) fail(`${who}: client-key has no client-certificate`);
    if (cert && key) {
      auth.cert = cert;
      auth.key = key;
    }
    if (user.token !== undefined) auth.token = stringField(user, "token", who, fail);
    else if (user.tokenFile !== undefined) {
      auth.tokenFile = besideFile(path, stringField(user, "tokenFile", who, fail));
    }
    return auth;
  });
}

function namedList(
  root: Obj,
  listKey: string,
  itemKey: string,
  fail: (message: string) => never,
): Map<string, Obj> {
  const list = root[listKey] ?? [];
  if (!Array.isArray(list)) return fail(`${listKey} is not a list`);
  const byName = new Map<string, Obj>();
  for (const entry of list) {
    if (!isObj(entry) || typeof entry.name !== "string") {
      return fail(`${listKey}: every entry needs a name`);
    }
    const body = entry[itemKey] ?? {};
    if (!isObj(body)) return fail(`${listKey} "${entry.name}": ${itemKey} is not a mapping`);
    byName.set(entry.name, body);
  }
  return byName;
}

function pem(
  obj: Obj,
  key: string,
  where: string,
  kubeconfig: string,
  fail: (message: string) => never,
): PemSource | undefined {
  if (obj[`${key}-data`] !== undefined) {
    const encoded = stringField(obj, `${key}-data`, where, fail);
    try {
      const binary = atob(encoded);
      return { data: new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))) };
    } catch {
      return fail(`${where}: ${key}-data is not valid base64`);
    }
  }
  if (obj[key] !== undefined) {
    return { file: besideFile(kubeconfig, stringField(obj, key, where, fail)) };
  }
  return undefined;
}

function stringField(obj: Obj, key: string, where: string, fail: (m: string) => never): string {
  const value = obj[key];
  if (typeof value !== "string" || value === "") {
    return fail(`${where}: ${key} is not a non-empty string`);
  }
  return value;
}

function isObj(value: unknown): value is Obj {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
