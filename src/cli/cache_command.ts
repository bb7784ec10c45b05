/**
 * `holdfast cache`: look into and maintain the cache (a Deno KV file).
 *
 * One process owns a KV file ({@link CacheLock}):
 * - `ls` and `get` read the file without changing it (no start-up GC); while an agent holds the
 *   file they ask its admin listener (found in the lock file, or given with `--admin URL`).
 * - `purge [COMPONENT]` and `verify` take the file's lock, so they refuse (exit 1, naming the
 *   holder) while an agent runs; `verify` exits with 1 when the cache is damaged.
 * @module
 */
import { findObject, type LsView, lsView, type ObjectView, verifyCache } from "../cache/inspect.ts";
import { CacheLock, CacheLocked } from "../cache/lock.ts";
import { rejectOtherLayout } from "../cache/open.ts";
import { loadSealKey, type Sealer } from "../cache/seal.ts";
import { CacheStore } from "../cache/store.ts";
import { DEFAULTS } from "../config/fields.ts";
import type { CommandSpec, OptionSpec, OptionValues } from "./args.ts";
import { type CliContext, processContext } from "./context.ts";
import { documentTable, formatBytes, queryTable, table } from "./status_format.ts";

const TIMEOUT_MS = 5000;

/** The `cache` command and its subcommands. */
export function cacheCommand(ctx: CliContext = processContext()): CommandSpec {
  const pathOption: OptionSpec = {
    flag: "--cache-path",
    arg: "FILE",
    help: "the cache's Deno KV file",
    default: DEFAULTS.cachePath,
  };
  const adminOption: OptionSpec = {
    flag: "--admin",
    arg: "URL",
    help: "ask the running agent's admin listener instead",
  };
  const keyOption: OptionSpec = {
    flag: "--cache-key-file",
    arg: "FILE",
    help: "the key sealing the cache's sealed resources (default: <cache-path>.key)",
  };
  const ls: CommandSpec = {
    name: "ls",
    description: "components, resources, object counts, bytes, and queries with their freshness",
    options: [pathOption, adminOption, { flag: "--json", help: "print JSON" }],
    action: async (_args, options) => {
      const view = await readCache(
        fileOptions(options),
        (admin) => askAgent<LsView>(admin, "/v1/cache/ls"),
        lsView,
      );
      ctx.out(
        options["--json"] ? `${JSON.stringify(view, null, 2)}\n` : formatLs(view, Date.now()),
      );
      ctx.exitCode = 0;
    },
  };
  const get: CommandSpec = {
    name: "get",
    description: "print a cached object",
    arguments: [
      { name: "COMPONENT", help: "the component that fetched it, e.g. kubelet" },
      { name: "RESOURCE", help: "pods, pods.v1, pods.v1.core, deployments.apps, …" },
      { name: "NAME", help: "[NAMESPACE/]NAME" },
    ],
    options: [pathOption, adminOption, keyOption, {
      flag: "--expose-secrets",
      help: "show the data values of Secrets and sealed resources when reading the file " +
        "(through an agent, its adminExposeSecrets decides)",
    }],
    action: async ([component, resource, target], options) => {
      const file = fileOptions(options);
      const slash = target.indexOf("/");
      const namespace = slash === -1 ? "" : target.slice(0, slash);
      const name = target.slice(slash + 1);
      const view = await readCache(
        file,
        (admin) =>
          askAgent<ObjectView | null>(
            admin,
            `/v1/cache/objects/${
              [component, resource, namespace || "-", name].map(encodeURIComponent).join("/")
            }`,
          ),
        (store) =>
          findObject(
            store,
            component,
            resource,
            namespace,
            name,
            options["--expose-secrets"] === true,
          ),
        () => readKey(file),
      );
      if (!view) {
        ctx.err(`holdfast: cache get: ${target} (${resource}) is not cached for ${component}\n`);
        ctx.exitCode = 1;
        return;
      }
      ctx.out(`${JSON.stringify(view, null, 2)}\n`);
      ctx.exitCode = 0;
    },
  };
  const purge: CommandSpec = {
    name: "purge",
    description: "delete everything cached (for one component); run while the agent is stopped",
    arguments: [{
      name: "COMPONENT",
      help: "only this component's objects and queries (its clients' own identities' too)",
      optional: true,
    }],
    options: [pathOption],
    action: async ([component], options) => {
      const { cachePath } = fileOptions(options);
      await withStore(cachePath, false, (store) => store.purge(component));
      ctx.out(`purged ${component ? `${component}'s cache` : "the cache"} in ${cachePath}\n`);
      ctx.exitCode = 0;
    },
  };
  const verify: CommandSpec = {
    name: "verify",
    description: "check the cache file's integrity and seals; exit 1 on damage",
    options: [pathOption, keyOption],
    action: async (_args, options) => {
      const file = fileOptions(options);
      await requireFile(file.cachePath);
      using _lock = await CacheLock.acquire(file.cachePath);
      const sealer = await readKey(file);
      using kv = await Deno.openKv(file.cachePath);
      const report = await verifyCache(kv, sealer);
      for (const line of report.damage) ctx.out(`damage: ${line}\n`);
      for (const line of report.garbage) ctx.out(`leftover: ${line}\n`);
      const verdict = report.damage.length > 0 ? "DAMAGED" : "ok";
      ctx.out(
        `${verdict}: ${report.checked} records checked, ${report.damage.length} problems, ${report.garbage.length} leftovers\n`,
      );
      ctx.exitCode = report.damage.length > 0 ? 1 : 0;
    },
  };
  return {
    name: "cache",
    description: "look into and maintain the agent's cache",
    subcommands: [ls, get, purge, verify],
  };
}

/** Where the cache is, and how to reach it, as the options say. */
interface FileOptions {
  cachePath: string;
  admin?: string;
  cacheKeyFile?: string;
}

function fileOptions(options: OptionValues): FileOptions {
  return {
    cachePath: options["--cache-path"] as string,
    admin: options["--admin"] as string | undefined,
    cacheKeyFile: options["--cache-key-file"] as string | undefined,
  };
}

async function requireFile(path: string): Promise<void> {
  if (path === ":memory:") return;
  try {
    await Deno.stat(path);
  } catch {
    throw new Error(`no cache file at ${path}`);
  }
}

/** The seal key of the cache (`--cache-key-file`, or beside the file), if there is one. */
function readKey(options: FileOptions) {
  return loadSealKey(options.cacheKeyFile ?? `${options.cachePath}.key`, false);
}

/** Opens the file under its lock (throws {@link CacheLocked} while an agent holds it). */
async function withStore<T>(
  path: string,
  readOnly: boolean,
  use: (store: CacheStore) => Promise<T>,
  key?: () => Promise<Sealer | undefined>,
): Promise<T> {
  await requireFile(path);
  using _lock = await CacheLock.acquire(path);
  await rejectOtherLayout(path);
  const store = await CacheStore.open(path, { readOnly, sealer: await key?.() });
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

/**
 * Reads through the agent's admin listener with `--admin`, or while an agent holds the file and
 * its lock file names its admin listener; reads the file itself when no agent holds it.
 */
async function readCache<T>(
  options: FileOptions,
  ask: (admin: string) => Promise<T>,
  read: (store: CacheStore) => Promise<T>,
  key?: () => Promise<Sealer | undefined>,
): Promise<T> {
  if (options.admin) return await ask(options.admin);
  try {
    return await withStore(options.cachePath, true, read, key);
  } catch (error) {
    if (!(error instanceof CacheLocked) || !error.holder?.admin) throw error;
    return await ask(error.holder.admin);
  }
}

/** GETs `path` from the agent's admin listener; an object that is not cached is `null`. */
async function askAgent<T>(admin: string, path: string): Promise<T> {
  const url = new URL(path, admin);
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  const body = await response.json().catch(() => ({}));
  if (response.status === 404 && body.reason === "NotCached") return null as T;
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status} ${body.error ?? response.statusText}`);
  }
  return body as T;
}

/** The text `cache ls` prints: a resource table and a query table. */
export function formatLs(view: LsView, now: number): string {
  if (view.resources.length === 0 && view.documents.length === 0) return "cache: empty\n";
  if (view.resources.length === 0) return documentTable(view.documents).join("\n") + "\n";
  const lines = table(
    ["COMPONENT", "RESOURCE", "OBJECTS", "BYTES", "QUERIES", "COMPLETE", "STALE"],
    view.resources.map((r) => [
      r.component,
      r.name,
      `${r.objects}`,
      formatBytes(r.bytes),
      `${r.queries}`,
      `${r.complete}`,
      `${r.stale}`,
    ]),
    [2, 3, 4, 5, 6],
  );
  if (view.queries.length > 0) lines.push("", ...queryTable(view.queries, now));
  if (view.documents.length > 0) lines.push("", ...documentTable(view.documents));
  return lines.join("\n") + "\n";
}
