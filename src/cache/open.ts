/**
 * Opening the agent's cache so that a bad file never takes the node's API away: the file is
 * locked first (one process per file, {@link CacheLock}); a damaged, truncated or foreign file is
 * moved aside to `<path>.corrupt-<time>` (with its `-wal` and `-shm`) and an empty cache started
 * in its place; a file or folder that cannot be written leaves the agent with an in-memory cache.
 * A file written in another cache layout ({@link CACHE_LAYOUT}) is moved aside the same way and
 * rebuilt, never misread. Either way the agent runs, and the returned {@link CacheFault} says what
 * happened.
 * @module
 */
import { CacheLock, CacheLocked } from "./lock.ts";
import { CacheStore, type CacheStoreOptions } from "./store.ts";

/** What went wrong with the cache file at start-up. */
export interface CacheFault {
  /**
   * `damaged`: moved aside, started empty; `incompatible`: written in another cache layout, moved
   * aside, started empty; `unwritable`: caching in memory only.
   */
  kind: "damaged" | "incompatible" | "unwritable";
  /** The cache file. */
  path: string;
  /** What failed. */
  error: string;
  /** Where the damaged file was moved. */
  movedTo?: string;
  /** When, as an ISO 8601 time. */
  since: string;
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
export async function openCache(path: string, options: CacheStoreOptions): Promise<OpenedCache> {
  let lock: CacheLock;
  try {
    lock = await CacheLock.acquire(path);
  } catch (error) {
    if (error instanceof CacheLocked) throw error;
    return await inMemory(path, options, error);
  }
  try {
    try {
      return { store: await openChecked(path, options), lock };
    } catch (error) {
      if (UNWRITABLE.test(String(error))) return { ...await inMemory(path, options, error), lock };
      const movedTo = await moveAside(path);
      const fault: CacheFault = {
        kind: error instanceof IncompatibleLayout ? "incompatible" : "damaged",
        path,
        error: String(error),
        movedTo,
        since: now(),
      };
      return { store: await openChecked(path, options), lock, fault };
    }
  } catch (error) {
    return { ...await inMemory(path, options, error), lock };
  }
}

/** Opens the file after checking it is not another program's database, and writes to it once. */
async function openChecked(path: string, options: CacheStoreOptions): Promise<CacheStore> {
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
