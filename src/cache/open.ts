/**
 * Opening the agent's cache so that a bad file never takes the node's API away: the file is
 * locked first (one process per file, {@link CacheLock}); a damaged, truncated or foreign file is
 * moved aside to `<path>.corrupt-<time>` (with its `-wal` and `-shm`) and an empty cache started
 * in its place; a file or folder that cannot be written leaves the agent with an in-memory cache.
 * A file written in another cache layout ({@link CACHE_LAYOUT}) is moved aside the same way and
 * rebuilt, never misread. Either way the agent runs, and the returned {@link CacheFault} says what
 * happened.
 *
 * Everything holdfast makes in the cache's folder is private: a missing folder is created `0700`;
 * the KV file is created `0600` before Deno KV opens it (SQLite gives its `-wal` and `-shm` the
 * database file's mode), and an existing one and its `-wal`/`-shm` are set to `0600`; the lock file
 * and the seal key are `0600`.
 * @module
 */
import { CacheLock, CacheLocked } from "./lock.ts";
import { loadSealKey, Sealer } from "./seal.ts";
import { CacheStore, type CacheStoreOptions } from "./store.ts";

/** What went wrong with the cache file at start-up. */
export interface CacheFault {
  /**
   * `damaged`: moved aside, started empty; `incompatible`: written in another cache layout, moved
   * aside, started empty; `unwritable`: caching in memory only; `seal-key`: the seal key file is
   * unusable (caching in memory only), or the file's sealed data was sealed under another key
   * (that data was dropped).
   */
  kind: "damaged" | "incompatible" | "unwritable" | "seal-key";
  /** The cache file. */
  path: string;
  /** What failed. */
  error: string;
  /** Where the damaged file was moved. */
  movedTo?: string;
  /** When, as an ISO 8601 time. */
  since: string;
}

/** Options of {@link openCache}: the store's, and where the seal key is kept. */
export interface OpenCacheOptions extends Omit<CacheStoreOptions, "sealer"> {
  /** The seal key file (created on first start); needed when `sealedResources` names any. */
  keyFile?: string;
}

/** The opened cache, its lock, and the fault met on the way (if any). */
export interface OpenedCache {
  store: CacheStore;
  lock: CacheLock;
  fault?: CacheFault;
}

/** The file is a SQLite database, but not a Deno KV one (another program's data). */
export class ForeignFile extends Error {
  /** Names the tables that do not belong to Deno KV. */
  constructor(tables: string[]) {
    super(`not a Deno KV file: it has tables ${tables.join(", ")}`);
    this.name = "ForeignFile";
  }
}

/**
 * The version of the cache's key and value layout. A change to what a stored key or value means
 * bumps it; a file of another layout (an older agent's after an upgrade with no migration, or a
 * newer agent's after a downgrade) is rebuilt rather than misread. Files written before the layout
 * was recorded are layout 1.
 */
export const CACHE_LAYOUT = 1;

/** The file was written in another cache layout than this agent's. */
export class IncompatibleLayout extends Error {
  /** Names both layouts. */
  constructor(readonly layout: unknown) {
    super(
      `the cache file has layout ${
        JSON.stringify(layout)
      }; this holdfast reads layout ${CACHE_LAYOUT}`,
    );
    this.name = "IncompatibleLayout";
  }
}

const LAYOUT_KEY: Deno.KvKey = ["holdfast", "layout"];
const KV_TABLE = /^(kv|queue|migration_state|data_version)(_|$)/;
/** Errors of a sound file that cannot be written (or not now): never moved aside. */
const UNWRITABLE =
  /read-?only|permission denied|EACCES|EROFS|disk is full|no space|ENOSPC|os error (13|28|30)\b|CacheWriteFailed/i;

/**
 * Locks and opens the cache at `path` (see the module doc). Throws {@link CacheLocked} when
 * another process holds the file: then nothing was touched.
 */
export async function openCache(path: string, options: OpenCacheOptions): Promise<OpenedCache> {
  let lock: CacheLock;
  let storeOptions: CacheStoreOptions;
  try {
    await makeFolder(folderOf(path));
    lock = await CacheLock.acquire(path);
  } catch (error) {
    if (error instanceof CacheLocked) throw error;
    return await inMemory(path, await withSealer(options), error);
  }
  try {
    storeOptions = await withSealer(options, path === ":memory:" ? undefined : options.keyFile);
  } catch (error) {
    const opened = await inMemory(path, await withSealer(options), error);
    return { ...opened, lock, fault: { ...opened.fault, kind: "seal-key" } };
  }
  try {
    try {
      return sealFault(path, { store: await openChecked(path, storeOptions), lock });
    } catch (error) {
      if (UNWRITABLE.test(String(error))) {
        return { ...await inMemory(path, storeOptions, error), lock };
      }
      const movedTo = await moveAside(path);
      const fault: CacheFault = {
        kind: error instanceof IncompatibleLayout ? "incompatible" : "damaged",
        path,
        error: String(error),
        movedTo,
        since: now(),
      };
      return { store: await openChecked(path, storeOptions), lock, fault };
    }
  } catch (error) {
    return { ...await inMemory(path, storeOptions, error), lock };
  }
}

/**
 * The store options with a sealer: the key in `keyFile` (created if missing), or a key kept in
 * memory when there is no file (an in-memory cache). None when nothing is to be sealed.
 */
async function withSealer(options: OpenCacheOptions, keyFile?: string): Promise<CacheStoreOptions> {
  const { keyFile: _, ...rest } = options;
  if ((options.sealedResources ?? []).length === 0) return rest;
  const sealer = keyFile ? await loadSealKey(keyFile) : await Sealer.ephemeral();
  return { ...rest, sealer };
}

/** The `seal-key` fault when the store found data sealed under another key. */
function sealFault(path: string, opened: OpenedCache): OpenedCache {
  const report = opened.store.sealReport;
  if (!report?.foreignKey) return opened;
  const error = `the seal key does not open the sealed data in the cache (the key file was ` +
    `replaced or lost); cached ${report.dropped.join(", ")} were dropped and are fetched again`;
  return { ...opened, fault: { kind: "seal-key", path, error, since: now() } };
}

/** Creates a missing cache folder (and its missing parents) with mode `0700`. */
/** The folder `path` is in: `.` when it names none, `/` for a file at the root. */
function folderOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "." : path.slice(0, slash) || "/";
}

async function makeFolder(folder: string): Promise<void> {
  try {
    await Deno.stat(folder);
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  await Deno.mkdir(folder, { recursive: true, mode: 0o700 });
}

/**
 * Creates the KV file empty with mode `0600` when it is missing, and sets an existing one and its
 * `-wal` and `-shm` to `0600` (SQLite creates those later with the database file's mode). A file
 * this process does not own keeps its mode.
 */
async function makePrivate(path: string): Promise<void> {
  if (path === ":memory:") return;
  try {
    (await Deno.open(path, { write: true, createNew: true, mode: 0o600 })).close();
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  for (const suffix of ["", "-wal", "-shm"]) {
    try {
      await Deno.chmod(`${path}${suffix}`, 0o600);
    } catch (error) {
      if (
        !(error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied)
      ) {
        throw error;
      }
    }
  }
}

/** Opens the file after checking it is not another program's database, and writes to it once. */
async function openChecked(path: string, options: CacheStoreOptions): Promise<CacheStore> {
  await makePrivate(path);
  await rejectForeign(path);
  await rejectOtherLayout(path);
  const store = await CacheStore.open(path, options);
  try {
    await store.kv.set(LAYOUT_KEY, CACHE_LAYOUT); // also the probe that the file can be written
    return store;
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function inMemory(
  path: string,
  options: CacheStoreOptions,
  error: unknown,
): Promise<{ store: CacheStore; lock: CacheLock; fault: CacheFault }> {
  return {
    store: await CacheStore.open(":memory:", options),
    lock: await CacheLock.acquire(":memory:"),
    fault: { kind: "unwritable", path, error: String(error), since: now() },
  };
}

/** Throws {@link ForeignFile} when `path` is a SQLite database with tables Deno KV never makes. */
async function rejectForeign(path: string): Promise<void> {
  if (path === ":memory:" || !(await Deno.stat(path).catch(() => undefined))?.size) return;
  const { DatabaseSync } = await import("node:sqlite");
  let tables: string[];
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    try {
      tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()
        .map((row) => String(row.name));
    } finally {
      db.close();
    }
  } catch {
    return; // not readable as SQLite: Deno KV says why when it opens the file
  }
  const foreign = tables.filter((name) => !KV_TABLE.test(name));
  if (foreign.length > 0) throw new ForeignFile(foreign);
}

/** Throws {@link IncompatibleLayout} before anything reads the file as this layout's (GC would). */
export async function rejectOtherLayout(path: string): Promise<void> {
  const kv = await Deno.openKv(path);
  try {
    const layout = (await kv.get(LAYOUT_KEY)).value ?? CACHE_LAYOUT;
    if (layout !== CACHE_LAYOUT) throw new IncompatibleLayout(layout);
  } finally {
    kv.close();
  }
}

/** Renames the file and its `-wal` and `-shm` to `<path>.corrupt-<time>…`; returns the new name. */
async function moveAside(path: string): Promise<string> {
  const target = `${path}.corrupt-${now().replaceAll(":", "-")}`;
  for (const suffix of ["-wal", "-shm", ""]) {
    try {
      await Deno.rename(`${path}${suffix}`, `${target}${suffix}`);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
  return target;
}

function now(): string {
  return new Date().toISOString();
}
