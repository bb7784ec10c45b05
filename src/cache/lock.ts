/**
 * One process per cache file: an exclusive advisory lock (flock) on `<cache>.lock`, taken before
 * the cache file is opened. The lock file holds its holder's pid (and, once the agent listens, its
 * admin URL) so that a second agent can name the holder and `holdfast cache` can ask it instead.
 * The lock goes with the process: a crashed holder leaves no stale lock behind.
 * @module
 */

/** Who holds a cache file, as its lock file says. */
export interface LockHolder {
  pid: number;
  /** The holder's admin listener, e.g. `http://127.0.0.1:10267`, once it listens. */
  admin?: string;
}

/** The cache file is locked by another process. */
export class CacheLocked extends Error {
  /** Names the file and, when the lock file says, its holder. */
  constructor(readonly path: string, readonly holder: LockHolder | undefined) {
    const who = holder
      ? `holdfast pid ${holder.pid}${holder.admin ? ` (admin ${holder.admin})` : ""}`
      : "another process";
    super(`cache file ${path} is in use by ${who} (lock ${lockPath(path)})`);
    this.name = "CacheLocked";
  }
}

/** The lock file of a cache file. */
export function lockPath(cachePath: string): string {
  return `${cachePath}.lock`;
}

const encoder = new TextEncoder();

/** A held lock on a cache file; release it when the file is closed. */
export class CacheLock {
  readonly #file: Deno.FsFile | undefined;

  private constructor(file: Deno.FsFile | undefined) {
    this.#file = file;
  }

  /**
   * Takes the lock of `cachePath` without waiting, writing this process's pid into the lock
   * file. Throws {@link CacheLocked} when another process holds it. `:memory:` needs no lock.
   */
  static async acquire(cachePath: string): Promise<CacheLock> {
    if (cachePath === ":memory:") return new CacheLock(undefined);
    const path = lockPath(cachePath);
    const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
    await Deno.chmod(path, 0o600).catch(() => {}); // a lock file from before may be 0644
    let locked = false;
    try {
      locked = await file.tryLock(true);
    } finally {
      if (!locked) file.close();
    }
    if (!locked) throw new CacheLocked(cachePath, await readHolder(cachePath));
    const lock = new CacheLock(file);
    await lock.describe({ pid: Deno.pid });
    return lock;
  }

  /** Rewrites what the lock file says about its holder (e.g. once the admin listener is up). */
  async describe(holder: LockHolder): Promise<void> {
    if (!this.#file) return;
    await this.#file.truncate(0);
    await this.#file.seek(0, Deno.SeekMode.Start);
    const bytes = encoder.encode(`${JSON.stringify(holder)}\n`);
    for (let written = 0; written < bytes.byteLength;) {
      written += await this.#file.write(bytes.subarray(written));
    }
  }

  /** Releases the lock (the lock file stays: removing it would race with the next holder). */
  release(): void {
    if (!this.#file) return;
    try {
      this.#file.unlockSync();
    } finally {
      this.#file.close();
    }
  }

  /** Releases the lock (`using`). */
  [Symbol.dispose](): void {
    this.release();
  }
}

/** What the lock file of `cachePath` says about its holder, if it says something readable. */
export async function readHolder(cachePath: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await Deno.readTextFile(lockPath(cachePath)));
    if (typeof holder?.pid !== "number") return undefined;
    return typeof holder.admin === "string"
      ? { pid: holder.pid, admin: holder.admin }
      : { pid: holder.pid };
  } catch {
    return undefined;
  }
}
