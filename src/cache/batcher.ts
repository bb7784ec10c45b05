/**
 * The write-behind batcher: every cache write goes through it as a *group* of mutations that must
 * commit together. Groups are committed in the order they were added, packed into as few Deno KV
 * atomics as the limits allow (≤ 1000 mutations, ≤ 800 KiB of keys and values, ≤ 80 KiB of keys),
 * one commit at a time. The bytes added but not yet committed are bounded: `add()` waits while
 * the bound is reached, which is the backpressure the cache sinks pass on to the proxy's tee.
 *
 * Because groups commit in order, what is in the KV file is always a prefix of the groups added;
 * the cache's crash safety rests on that. So a commit that still fails after a few retries stops
 * the batcher for good (fail-stop) rather than letting later groups commit past a hole; the store
 * then pauses writes and, once KV accepts writes again, continues on a new batcher from what the
 * file holds.
 *
 * Until its commit finishes, a group's values are visible through {@link WriteBatcher.read}, so
 * read-modify-write code sees its own pending writes.
 * @module
 */
import { encodedKeySize, keyString, MAX_KEY_BYTES } from "./keys.ts";
import { MAX_VALUE_BYTES } from "./record.ts";
import { SEAL_OVERHEAD } from "./seal.ts";

/**
 * One key to set (`value`) or delete (`value: null`). `seal` marks a value to be sealed for its
 * key when committed: a cache record (`record`) or one part of a blob (`part`).
 */
export interface Mutation {
  key: Deno.KvKey;
  value: Uint8Array | null;
  seal?: SealKind;
}

/** What a sealed value is: a record (its header stays readable) or a blob part (sealed whole). */
export type SealKind = "record" | "part";

/** Seals a marked value for its key (see `seal.ts`). */
export type SealFunction = (
  key: Deno.KvKey,
  value: Uint8Array,
  kind: SealKind,
) => Promise<Uint8Array>;

/** Mutations that commit together, or not at all. */
export interface WriteGroup {
  mutations: Mutation[];
  /** Evaluated just before the group would be committed; `false` drops the group. */
  guard?: () => boolean;
}

/** What one commit held (for metrics and tests). */
export interface CommitInfo {
  groups: number;
  mutations: number;
  /** Keys (counted twice) plus values, as Deno KV counts them against its 800 KiB limit. */
  bytes: number;
  keyBytes: number;
  /** Values sealed (of resources sealed at rest). */
  sealed: number;
}

/** Deno KV's limits per atomic commit. */
export const ATOMIC_LIMITS = { mutations: 1000, bytes: 819_200, keyBytes: 81_920 } as const;

/** Commits one atomic operation (tests inject failures through it). */
export type CommitFunction = (
  atomic: Deno.AtomicOperation,
) => Promise<Deno.KvCommitResult | Deno.KvCommitError>;

/** Options of a {@link WriteBatcher}. */
export interface BatcherOptions {
  /** Most bytes (keys plus values) added but not yet committed. */
  maxPendingBytes: number;
  /** Called after each successful commit. */
  onCommit?: (info: CommitInfo) => void;
  /** Called after each successful commit with what it wrote and its versionstamp. */
  onCommitted?: (mutations: Iterable<Mutation>, versionstamp: string) => void;
  /** Waits before retrying a failed commit; the batcher stops after the last. */
  retryDelaysMs?: readonly number[];
  /** Commits an atomic; `atomic.commit()` by default. */
  commit?: CommitFunction;
  /** Called once when the batcher stops after a commit kept failing. */
  onFailure?: (failure: CacheWriteFailed) => void;
  /** Seals the values marked `seal` just before they are committed; without it none may be. */
  seal?: SealFunction;
}

/** The batcher stopped after a commit kept failing; nothing more is written. */
export class CacheWriteFailed extends Error {
  /** Wraps the commit's error. */
  constructor(cause: unknown) {
    super(`cache write failed, cache writes stopped: ${cause}`, { cause });
    this.name = "CacheWriteFailed";
  }
}

interface Sized {
  key: Deno.KvKey;
  value: Uint8Array | null;
  seal?: SealKind;
  keyBytes: number;
  bytes: number;
}

interface Entry {
  seq: number;
  group: WriteGroup;
  mutations: Map<string, Sized>;
  bytes: number;
  keyBytes: number;
}

const DEFAULT_RETRY_DELAYS_MS = [50, 250, 1000];

/** Bounded write-behind batching of mutation groups into Deno KV atomics. */
export class WriteBatcher {
  #kv: Deno.Kv;
  #options: BatcherOptions;
  #queue: Entry[] = [];
  #waiting: { entry: Entry; admit: () => void; reject: (error: unknown) => void }[] = [];
  #overlay = new Map<string, { seq: number; value: Uint8Array | null }>();
  #syncs: { seq: number; resolve: () => void; reject: (error: unknown) => void }[] = [];
  #pendingBytes = 0;
  #lastSeq = 0;
  #doneSeq = 0;
  #running = false;
  #closed = false;
  #failure: CacheWriteFailed | undefined;

  /** Batches writes to `kv`. */
  constructor(kv: Deno.Kv, options: BatcherOptions) {
    this.#kv = kv;
    this.#options = options;
  }

  /** Bytes added and not yet committed; never above `maxPendingBytes` unless one group is. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** The error that stopped the batcher, if one did. */
  get failure(): CacheWriteFailed | undefined {
    return this.#failure;
  }

  /**
   * Adds a group. Resolves once the group is admitted (not committed): at once while the pending
   * bytes stay within the bound, otherwise when enough earlier writes have committed. Rejects a
   * group that breaks a Deno KV limit on its own, and any group after {@link close} or a failure.
   */
  add(group: WriteGroup): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new Error("cache writer is closed"));
    let entry: Entry;
    try {
      entry = this.#entry(group);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#waiting.length === 0 && this.#fits(entry.bytes)) {
      this.#admit(entry);
      return Promise.resolve();
    }
    return new Promise((admit, reject) => this.#waiting.push({ entry, admit, reject }));
  }

  /** The pending value of `key`: `undefined` when no write of it is pending, `null` for a delete. */
  read(key: Deno.KvKey): Uint8Array | null | undefined {
    return this.#overlay.get(keyString(key))?.value;
  }

  /**
   * Resolves when every group added so far has been committed (or dropped by its guard); rejects
   * with {@link CacheWriteFailed} if the batcher stopped before.
   */
  sync(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = this.#lastSeq;
    if (this.#doneSeq >= seq) return Promise.resolve();
    return new Promise((resolve, reject) => this.#syncs.push({ seq, resolve, reject }));
  }

  /** Refuses further groups and waits for the pending ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.sync();
  }

  #entry(group: WriteGroup): Entry {
    const mutations = new Map<string, Sized>();
    let bytes = 0;
    let keyBytes = 0;
    for (const { key, value, seal } of group.mutations) {
      const size = encodedKeySize(key);
      if (size > MAX_KEY_BYTES) throw new RangeError(`cache key too large (${size} bytes)`);
      const valueBytes = value ? value.byteLength + (seal ? SEAL_OVERHEAD : 0) : 0;
      if (valueBytes > MAX_VALUE_BYTES) {
        throw new RangeError(`cache value too large (${valueBytes} bytes)`);
      }
      if (seal && !this.#options.seal) throw new TypeError("cache value to seal, but no seal key");
      const sized = { key, value, seal, keyBytes: size, bytes: 2 * size + valueBytes };
      const id = keyString(key);
      const previous = mutations.get(id);
      if (previous) {
        bytes -= previous.bytes;
        keyBytes -= previous.keyBytes;
      }
      mutations.set(id, sized);
      bytes += sized.bytes;
      keyBytes += sized.keyBytes;
    }
    if (
      mutations.size > ATOMIC_LIMITS.mutations || bytes > ATOMIC_LIMITS.bytes ||
      keyBytes > ATOMIC_LIMITS.keyBytes
    ) {
      throw new RangeError("cache write group exceeds the Deno KV atomic limits");
    }
    return { seq: ++this.#lastSeq, group, mutations, bytes, keyBytes };
  }

  #fits(bytes: number): boolean {
    return this.#pendingBytes === 0 || this.#pendingBytes + bytes <= this.#options.maxPendingBytes;
  }

  #admit(entry: Entry): void {
    this.#pendingBytes += entry.bytes;
    for (const [id, { value }] of entry.mutations) this.#overlay.set(id, { seq: entry.seq, value });
    this.#queue.push(entry);
    if (!this.#running) this.#run();
  }

  async #run(): Promise<void> {
    this.#running = true;
    while (this.#queue.length > 0 && !this.#failure) {
      const { entries, mutations, info } = this.#take();
      if (mutations.size > 0 && !await this.#commit(mutations, info)) return;
      for (const entry of entries) this.#finish(entry);
    }
    this.#running = false;
  }

  /** Takes the longest run of queued groups that fits one atomic (dropping guarded-out ones). */
  #take(): { entries: Entry[]; mutations: Map<string, Sized>; info: CommitInfo } {
    const entries: Entry[] = [];
    const mutations = new Map<string, Sized>();
    const info: CommitInfo = { groups: 0, mutations: 0, bytes: 0, keyBytes: 0, sealed: 0 };
    while (this.#queue.length > 0) {
      const entry = this.#queue[0];
      if (entry.group.guard && !entry.group.guard()) {
        entries.push(this.#queue.shift()!);
        continue;
      }
      let count = 0;
      let bytes = 0;
      let keyBytes = 0;
      for (const [id, sized] of entry.mutations) {
        const previous = mutations.get(id);
        count += previous ? 0 : 1;
        bytes += sized.bytes - (previous?.bytes ?? 0);
        keyBytes += sized.keyBytes - (previous?.keyBytes ?? 0);
      }
      if (
        info.groups > 0 &&
        (info.mutations + count > ATOMIC_LIMITS.mutations ||
          info.bytes + bytes > ATOMIC_LIMITS.bytes ||
          info.keyBytes + keyBytes > ATOMIC_LIMITS.keyBytes)
      ) break;
      for (const [id, sized] of entry.mutations) {
        if (sized.seal && !mutations.get(id)?.seal) info.sealed++;
        mutations.set(id, sized);
      }
      info.groups++;
      info.mutations += count;
      info.bytes += bytes;
      info.keyBytes += keyBytes;
      entries.push(this.#queue.shift()!);
    }
    return { entries, mutations, info };
  }

  /** Commits one atomic, retrying; on the last failure stops the batcher and returns false. */
  async #commit(mutations: Map<string, Sized>, info: CommitInfo): Promise<boolean> {
    const delays = this.#options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    try {
      await this.#seal(mutations, info);
    } catch (error) {
      this.#stop(new CacheWriteFailed(error));
      return false;
    }
    for (let attempt = 0;; attempt++) {
      const atomic = this.#kv.atomic();
      for (const { key, value } of mutations.values()) {
        if (value === null) atomic.delete(key);
        else atomic.set(key, value);
      }
      try {
        const result =
          await (this.#options.commit ? this.#options.commit(atomic) : atomic.commit());
        this.#options.onCommit?.(info);
        if (result?.ok) this.#options.onCommitted?.(mutations.values(), result.versionstamp);
        return true;
      } catch (error) {
        if (attempt >= delays.length) {
          this.#stop(new CacheWriteFailed(error));
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, delays[attempt]));
      }
    }
  }

  /** Seals the marked values (once: a retried commit reuses them). */
  async #seal(mutations: Map<string, Sized>, info: CommitInfo): Promise<void> {
    const seal = this.#options.seal;
    if (!seal || info.sealed === 0) return;
    for (const sized of mutations.values()) {
      if (!sized.seal || sized.value === null) continue;
      sized.value = await seal(sized.key, sized.value, sized.seal);
      sized.seal = undefined;
    }
  }

  #finish(entry: Entry): void {
    this.#pendingBytes -= entry.bytes;
    for (const id of entry.mutations.keys()) {
      if (this.#overlay.get(id)?.seq === entry.seq) this.#overlay.delete(id);
    }
    this.#doneSeq = entry.seq;
    while (this.#waiting.length > 0 && this.#fits(this.#waiting[0].entry.bytes)) {
      const { entry: next, admit } = this.#waiting.shift()!;
      this.#admit(next);
      admit();
    }
    while (this.#syncs.length > 0 && this.#syncs[0].seq <= this.#doneSeq) {
      this.#syncs.shift()!.resolve();
    }
  }

  #stop(failure: CacheWriteFailed): void {
    this.#failure = failure;
    this.#running = false;
    this.#queue = [];
    this.#overlay.clear();
    this.#pendingBytes = 0;
    for (const { reject } of this.#waiting.splice(0)) reject(failure);
    for (const { reject } of this.#syncs.splice(0)) reject(failure);
    this.#options.onFailure?.(failure);
  }
}
