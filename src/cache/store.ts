/**
 * The cache store: Deno KV-backed storage of what the cloud kube-apiserver answered, per
 * component. The proxy hands it decoded LIST pages, watch streams and single objects; the offline
 * path reads objects, complete list snapshots (with their resourceVersion) and tombstones back.
 *
 * One process owns the KV file (the agent locks it first: `open.ts`). {@link CacheStore.open}
 * first collects what a crash left behind. Writes are write-behind ({@link WriteBatcher}); reads
 * see committed data. A commit that keeps failing (disk full) pauses writes until a probe write
 * succeeds; the number of queries per component and their bytes can be bounded (LRU eviction).
 * @module
 */
import { compareResourceVersions } from "../kube/resource_version.ts";
import type {
  GroupVersionResource,
  ListPart,
  ObjectVersion,
  RawObject,
  WatchEvent,
} from "../kube/types.ts";
import {
  type CommitFunction,
  type CommitInfo,
  type SealFunction,
  WriteBatcher,
} from "./batcher.ts";
import { BlobDamaged, readBlob } from "./blobs.ts";
import { collectGarbage, type GarbageReport } from "./gc.ts";
import { HotIndex, type HotStats, type SnapshotObject } from "./hot.ts";
import {
  generationKey,
  generationPrefix,
  parseGenerationKey,
  parseResourceKey,
  queryKey,
  queryPrefix,
  resourcePrefix,
  singleKey,
  snapshotKey,
  snapshotPrefix,
  tombstonePrefix,
} from "./keys.ts";
import { createListSink } from "./list_sink.ts";
import {
  decodeQueryRecord,
  identityOf,
  inFormat,
  isServable,
  type QueryIdentity,
  type QueryRecord,
} from "./query.ts";
import {
  openRecordValue,
  readHeader,
  type RecordHeader,
  recordObject,
  sealRecordValue,
  type StoredObject,
} from "./record.ts";
import { SealBroken, type Sealer } from "./seal.ts";
import { createWatchSink, type WatchSinkOptions } from "./watch_sink.ts";
import { type CacheAnomaly, CacheWriter, type SingleCount } from "./writer.ts";

export type { CacheAnomaly } from "./writer.ts";

/** Options of {@link CacheStore.open}. */
export interface CacheStoreOptions {
  /** Most bytes written but not committed before writers wait (default 8 MiB, at least 256 KiB). */
  maxPendingBytes?: number;
  /** How long a paginated list waits for its next page (default 60 s). */
  pageTimeoutMs?: number;
  /** Most tombstones kept per query (default 1000). */
  maxTombstones?: number;
  /** Most LIST/WATCH queries kept per component (default: no limit); LRU idle ones are evicted. */
  maxQueriesPerComponent?: number;
  /** Most bytes kept in query snapshots (default: no limit); LRU idle queries are evicted. */
  maxQueryBytes?: number;
  /**
   * Most bytes of hot snapshots held in memory for offline reads (default
   * {@link DEFAULT_HOT_BYTES}; 0 for none, as for a read-only store); see `hot.ts`.
   */
  hotMaxBytes?: number;
  /** Called after every commit (for metrics). */
  onCommit?: (info: CommitInfo) => void;
  /** Told about damaged records and resourceVersions going backwards (for logs and metrics). */
  onAnomaly?: (anomaly: CacheAnomaly) => void;
  /** Called when writes pause (a commit kept failing) and with `undefined` when they resume. */
  onPause?: (pause: WritePause | undefined) => void;
  /** How often paused writes probe whether KV accepts writes again (default 5 s). */
  probeIntervalMs?: number;
  /** Waits between retries of a failed commit before writes pause (see {@link WriteBatcher}). */
  retryDelaysMs?: readonly number[];
  /** Commits an atomic (tests inject failures here); `atomic.commit()` by default. */
  commit?: CommitFunction;
  /**
   * Open for reading only: no start-up GC, every write is refused. Safe next to the process that
   * owns the file (the CLI's `cache ls` / `cache get`).
   */
  readOnly?: boolean;
  /** Seals the objects of `sealedResources` at rest, and opens them (see `seal.ts`). */
  sealer?: Sealer;
  /**
   * Resources (plural names, any group) whose objects are sealed; needs `sealer`. When absent, those
   * the file was sealed with (maintenance commands).
   */
  sealedResources?: readonly string[];
}

/**
 * What the store found at start-up about sealed data: data sealed under another key (the key
 * file was replaced or lost) cannot be read, so it was dropped and is fetched again.
 */
export interface SealReport {
  /** Data of the sealed resources was found that this key does not open. */
  foreignKey: boolean;
  /** Resources whose stored objects were dropped (sealed under another key, or unsealed). */
  dropped: string[];
}

/** The object of a DELETED event, as the server sent it (its resourceVersion is the deletion's). */
export type Tombstone = StoredObject;

/** What is cached for one component's resource. */
export interface CacheStats extends GroupVersionResource {
  component: string;
  /** Objects stored: in query snapshots plus single objects. */
  objects: number;
  /** Bytes stored for them. */
  bytes: number;
  /** Queries recorded, and how many of them are complete and not stale, or stale. */
  queries: number;
  complete: number;
  stale: number;
}

/**
 * A stored object that cannot be read back (damaged value or blob): the cache cannot answer for
 * it honestly. Already reported through `onAnomaly`.
 */
export class RecordDamaged extends Error {
  /** Names the record's key and what is wrong. */
  constructor(key: Deno.KvKey, cause: unknown) {
    super(`cache record ${JSON.stringify(key)} is damaged: ${(cause as Error)?.message}`, {
      cause,
    });
    this.name = "RecordDamaged";
  }
}

/** Whether `error` means a record's bytes are damaged (rather than KV failing). */
function isDamage(error: unknown): boolean {
  return error instanceof BlobDamaged || error instanceof TypeError ||
    error instanceof SyntaxError || error instanceof RangeError || error instanceof SealBroken;
}

/** The generation a reader asked for was replaced and deleted; read the query's record again. */
export class SnapshotGone extends Error {
  /** Names the query. */
  constructor(record: QueryRecord) {
    super(`generation ${record.generation} of query ${record.id} is no longer stored`);
    this.name = "SnapshotGone";
  }
}

const MIN_PENDING_BYTES = 256 * 1024;
const PROBE_KEY: Deno.KvKey = ["holdfast", "probe"];
/** The sealed resources, with a seal proving which key sealed the file's data. */
const SEAL_CHECK_KEY: Deno.KvKey = ["holdfast", "seal"];

/** The value at {@link SEAL_CHECK_KEY}: the proof seals nothing, with `resources` authenticated. */
interface SealCheck {
  resources: string[];
  proof: Uint8Array;
}
/** A probe big enough to need a fresh page of the file. */
const PROBE_BYTES = 8192;
const DEFAULT_PENDING_BYTES = 8 * 1024 * 1024;
/** The default budget of hot snapshots in memory (see the README's cache section). */
export const DEFAULT_HOT_BYTES = 64 * 1024 * 1024;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The batcher's sealing of marked values, over `sealer`. */
function sealFunction(sealer: Sealer | undefined): SealFunction | undefined {
  if (!sealer) return undefined;
  return (key, value, kind) =>
    kind === "record" ? sealRecordValue(sealer, key, value) : sealer.seal(key, value);
}

/** Whether a resource is sealed, from the store's options (never without a sealer). */
function sealedPredicate(options: CacheStoreOptions): ((resource: string) => boolean) | undefined {
  const resources = new Set(options.sealedResources ?? []);
  if (!options.sealer || resources.size === 0) return undefined;
  return (resource) => resources.has(resource);
}

/** A single-object counter value; a damaged one counts as zero (`cache verify` reports it). */
function readCounter(value: Uint8Array): { objects: number; bytes: number } {
  try {
    const { objects, bytes } = JSON.parse(decoder.decode(value));
    if (typeof objects === "number" && typeof bytes === "number") return { objects, bytes };
  } catch {
    // Falls through to zero.
  }
  return { objects: 0, bytes: 0 };
}

/** A header that is not a record's (damaged value) is skipped by readers. */
function headerOrUndefined(value: unknown): RecordHeader | undefined {
  if (!(value instanceof Uint8Array)) return undefined;
  try {
    return readHeader(value);
  } catch {
    return undefined;
  }
}

function isNewerCopy(a: RecordHeader, b: RecordHeader): boolean {
  const order = compareResourceVersions(a.meta.resourceVersion, b.meta.resourceVersion);
  return order > 0 || (order === 0 && a.storedAt > b.storedAt);
}

/** Why cache writes are paused, and since when (ISO 8601). */
export interface WritePause {
  reason: string;
  since: string;
}

/** What the store loads from KV to continue writing: the writer over a fresh batcher. */
interface Loaded {
  batcher: WriteBatcher;
  writer: CacheWriter;
  records: QueryRecord[];
  collected: GarbageReport;
}

/** The Deno KV cache of one agent. */
export class CacheStore {
  readonly #kv: Deno.Kv;
  readonly #options: CacheStoreOptions;
  #writer: CacheWriter;
  #batcher: WriteBatcher;
  #pause: WritePause | undefined;
  #probe: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  readonly #onAnomaly: (anomaly: CacheAnomaly) => void;
  readonly #hot: HotIndex;
  /** The versionstamp of each query record read by {@link queries}. */
  readonly #stamps = new WeakMap<QueryRecord, string>();
  /** What start-up GC collected. */
  readonly collected: GarbageReport;
  /** What start-up found of data sealed under another key (not for read-only stores). */
  sealReport: SealReport | undefined;
  /** The resources sealed: by the options, and by whoever wrote the file (what it says). */
  sealedResources: ReadonlySet<string> = new Set();

  private constructor(kv: Deno.Kv, options: CacheStoreOptions, loaded: Loaded, hot: HotIndex) {
    this.#kv = kv;
    this.#hot = hot;
    this.#options = options;
    this.#batcher = loaded.batcher;
    this.#writer = loaded.writer;
    this.collected = loaded.collected;
    this.#onAnomaly = options.onAnomaly ?? (() => {});
  }

  /** Opens (creating if needed) the cache at `path` (a file, or `:memory:`) and collects garbage. */
  static async open(path: string, options: CacheStoreOptions = {}): Promise<CacheStore> {
    const maxPendingBytes = options.maxPendingBytes ?? DEFAULT_PENDING_BYTES;
    if (maxPendingBytes < MIN_PENDING_BYTES) {
      throw new RangeError(`maxPendingBytes must be at least ${MIN_PENDING_BYTES}`);
    }
    const kv = await Deno.openKv(path);
    try {
      const opened: { store?: CacheStore } = {};
      const hot = new HotIndex(
        options.readOnly ? 0 : options.hotMaxBytes ?? DEFAULT_HOT_BYTES,
        (resource) => opened.store?.sealedResources.has(resource) ?? true,
      );
      const loaded = await CacheStore.#load(kv, options, hot, () => {
        if (opened.store) opened.store.#paused();
      });
      opened.store = new CacheStore(kv, options, loaded, hot);
      const stored = (await kv.get<SealCheck>(SEAL_CHECK_KEY)).value;
      opened.store.sealedResources = new Set([
        ...options.sealedResources ?? [],
        ...Array.isArray(stored?.resources) ? stored.resources.map(String) : [],
      ]);
      if (!options.readOnly) opened.store.sealReport = await opened.store.#checkSeal();
      return opened.store;
    } catch (error) {
      kv.close();
      throw error;
    }
  }

  /**
   * Reads the query records and counters, collects garbage (unless read-only) and builds the
   * writer on a new batcher whose failure calls `failed`.
   */
  static async #load(
    kv: Deno.Kv,
    options: CacheStoreOptions,
    hot: HotIndex,
    failed: () => void,
  ): Promise<Loaded> {
    const batcher = new WriteBatcher(kv, {
      maxPendingBytes: options.maxPendingBytes ?? DEFAULT_PENDING_BYTES,
      onCommit: options.onCommit,
      retryDelaysMs: options.retryDelaysMs,
      commit: options.commit,
      onFailure: failed,
      seal: sealFunction(options.sealer),
      onCommitted: (mutations, versionstamp) => hot.applyCommit(mutations, versionstamp),
    });
    const records: QueryRecord[] = [];
    for await (const { value, versionstamp } of kv.list<Uint8Array>({ prefix: queryPrefix() })) {
      hot.noteLoaded(versionstamp);
      try {
        records.push(decodeQueryRecord(value));
      } catch {
        // A damaged record: `cache verify` reports it; the query is relisted from scratch.
      }
    }
    let maxId = Math.max(0, ...records.map((record) => record.id));
    for await (const { key } of kv.list({ prefix: generationPrefix() })) {
      maxId = Math.max(maxId, parseGenerationKey(key)?.queryId ?? 0);
    }
    const current = new Map(records.map((record) => [record.id, record.generation]));
    const collected = options.readOnly
      ? { generations: 0, blobs: 0 }
      : await collectGarbage(kv, batcher, (id) => current.get(id));
    if (options.readOnly) await batcher.close();
    const singles: SingleCount[] = [];
    for await (const { key, value } of kv.list<Uint8Array>({ prefix: resourcePrefix() })) {
      const parsed = parseResourceKey(key);
      if (parsed) singles.push({ ...parsed, ...readCounter(value) });
    }
    const writer = new CacheWriter(kv, batcher, {
      pageTimeoutMs: options.pageTimeoutMs ?? 60_000,
      maxTombstones: Math.max(1, options.maxTombstones ?? 1000),
      maxQueriesPerComponent: options.maxQueriesPerComponent,
      maxQueryBytes: options.maxQueryBytes,
      onAnomaly: options.onAnomaly,
      sealed: sealedPredicate(options),
    }, { records, singles, nextQueryId: maxId + 1 });
    return { batcher, writer, records, collected };
  }

  /** Why cache writes are paused (a commit kept failing: disk full, I/O error), if they are. */
  get writePause(): WritePause | undefined {
    return this.#pause;
  }

  /** The batcher gave up on a commit: writes pause, and a probe waits for the disk to recover. */
  #paused(): void {
    if (this.#pause || this.#closed) return;
    this.#pause = { reason: String(this.#batcher.failure?.cause), since: new Date().toISOString() };
    this.#options.onPause?.(this.#pause);
    this.#scheduleProbe();
  }

  #scheduleProbe(): void {
    this.#probe = setTimeout(() => this.#tryResume(), this.#options.probeIntervalMs ?? 5_000);
  }

  /**
   * Writes a probe value; when that commits, continues from what KV holds (the batcher committed
   * a prefix of its groups, so the file is consistent): collects garbage, and marks stale every
   * query whose writes were lost or were going on, since its stream's later events are missing.
   */
  async #tryResume(): Promise<void> {
    if (this.#closed) return;
    try {
      const commit = this.#options.commit ?? ((atomic: Deno.AtomicOperation) => atomic.commit());
      await commit(this.#kv.atomic().set(PROBE_KEY, new Uint8Array(PROBE_BYTES)));
      await this.#kv.delete(PROBE_KEY);
      const old = this.#writer;
      this.#hot.clear();
      const loaded = await CacheStore.#load(
        this.#kv,
        this.#options,
        this.#hot,
        () => this.#paused(),
      );
      const reason = `cache writes were paused: ${this.#pause?.reason}`;
      for (const query of old.diverged(loaded.records)) {
        await loaded.writer.markStale(query, reason);
      }
      await loaded.writer.flush();
      if (this.#closed) return void await loaded.writer.close();
      this.#batcher = loaded.batcher;
      this.#writer = loaded.writer;
      this.#pause = undefined;
      this.#options.onPause?.(undefined);
    } catch {
      if (!this.#closed) this.#scheduleProbe();
    }
  }

  // --- writing (the cache ingest, `ingest/`) ---

  /**
   * A sink for one LIST page response. `page.continueToken` is the request's `continue` ("" for
   * the first page). The listing is committed when the page without a continue token closes.
   */
  listSink(
    query: QueryIdentity,
    mediaType: string,
    page: { continueToken: string },
  ): WritableStream<ListPart> {
    return createListSink(this.#writer, inFormat(query, mediaType), mediaType, page.continueToken);
  }

  /**
   * True when `query`'s complete, fresh snapshot is already at `resourceVersion` in `mediaType`:
   * a LIST response at that version holds the same objects and need not be decoded or written.
   */
  isCurrent(query: QueryIdentity, mediaType: string, resourceVersion: string): boolean {
    return this.#writer.isCurrent(inFormat(query, mediaType), mediaType, resourceVersion);
  }

  /** A sink for a WATCH stream; pass `initialEvents` for a watch-list (`sendInitialEvents=true`). */
  watchSink(
    query: QueryIdentity,
    mediaType: string,
    options?: WatchSinkOptions,
  ): WritableStream<WatchEvent> {
    return createWatchSink(this.#writer, inFormat(query, mediaType), mediaType, options);
  }

  /**
   * Stores an object from a GET/create/update/patch response under the query's component,
   * resource and transform, and the object's namespace (or the query's) and name. Selectors of
   * `query` are ignored. An older resourceVersion than the stored copy's is ignored.
   */
  putObject(query: QueryIdentity, mediaType: string, object: RawObject): Promise<void> {
    return this.#writer.putSingle(query, mediaType, object);
  }

  /**
   * Whether {@linkcode putObject} would write nothing for the object `version` names: this
   * process stored that object at that resourceVersion in `mediaType` already.
   */
  holdsObject(query: QueryIdentity, mediaType: string, version: ObjectVersion): boolean {
    return this.#writer.holdsSingle(query, mediaType, version);
  }

  /**
   * Marks a query stale (not served as complete until the next full listing), with why: its copy
   * in every format holdfast holds (the JSON one when it holds none).
   */
  async markStale(query: QueryIdentity, reason: string): Promise<void> {
    for (const copy of this.#writer.copiesOf(query)) await this.#writer.markStale(copy, reason);
  }

  // --- reading (the offline path) ---

  /**
   * The newest stored copy of an object (by resourceVersion, then time), from the single objects
   * and from every snapshot of a query that covers its namespace. `transform` "" means full
   * objects; Table/PartialObjectMetadata copies are found only under their own transform. Copies
   * in a format `acceptable` takes are preferred. Throws {@link RecordDamaged} when a copy is
   * damaged (it is reported, and the query holding it marked stale).
   */
  async getObject(
    component: string,
    gvr: GroupVersionResource,
    namespace: string,
    name: string,
    transform = "",
    acceptable: (mediaType: string) => boolean = () => true,
  ): Promise<StoredObject | null> {
    const keys = [singleKey(component, gvr, transform, namespace, name)];
    const owners = new Map<string, QueryRecord>();
    for (const record of await this.queries(component, gvr)) {
      if (record.transform !== transform) continue;
      if (record.namespace !== "" && record.namespace !== namespace) continue;
      const key = snapshotKey(record.id, record.generation, namespace, name);
      keys.push(key);
      owners.set(JSON.stringify(key), record);
    }
    type Copy = { key: Deno.KvKey; value: Uint8Array; header: RecordHeader; ok: boolean };
    let best: Copy | undefined;
    for (let i = 0; i < keys.length; i += 10) {
      for (const { key, value } of await this.#kv.getMany<Uint8Array[]>(keys.slice(i, i + 10))) {
        if (value === null) continue;
        let header: RecordHeader;
        try {
          if (!(value instanceof Uint8Array)) throw new TypeError("not a cache record value");
          header = readHeader(value);
        } catch (error) {
          throw await this.#damaged(key, error, owners.get(JSON.stringify(key)));
        }
        const copy = { key, value, header, ok: acceptable(header.mediaType) };
        if (
          !best || (copy.ok && !best.ok) ||
          (copy.ok === best.ok && isNewerCopy(header, best.header))
        ) {
          best = copy;
        }
      }
    }
    if (!best) return null;
    try {
      return await this.#materialize(best.key, best.value);
    } catch (error) {
      if (!isDamage(error)) throw error;
      throw await this.#damaged(best.key, error, owners.get(JSON.stringify(best.key)));
    }
  }

  /** Query records of a component (and resource), or of every component. */
  async queries(component?: string, gvr?: GroupVersionResource): Promise<QueryRecord[]> {
    const records: QueryRecord[] = [];
    for await (
      const { value, versionstamp } of this.#kv.list<Uint8Array>({
        prefix: queryPrefix(component, gvr),
      })
    ) {
      try {
        const record = decodeQueryRecord(value);
        this.#stamps.set(record, versionstamp);
        records.push(record);
      } catch {
        // Damaged: reported by `cache verify`, treated as never listed.
      }
    }
    return records;
  }

  /**
   * The objects of a query's snapshot (the record's generation), in snapshot order: from the hot
   * snapshots in memory when they hold it as of `record` (read by {@link queries}), else from KV
   * (which enters it there). Throws {@link SnapshotGone} if that generation was replaced and
   * deleted since the record was read. A damaged record is skipped, reported, and makes the query
   * stale (the next listing rebuilds it).
   */
  async *listObjects(record: QueryRecord): AsyncIterable<StoredObject> {
    const held = this.heldObjects(record);
    if (held) return yield* held;
    const stamp = this.#stamps.get(record);
    const fill = stamp === undefined ? undefined : this.#hot.beginFill(record);
    let read: SnapshotObject[] | undefined = fill ? [] : undefined;
    const release = this.#writer.pin(record.id, record.generation);
    try {
      if (!release) throw new SnapshotGone(record);
      const marker = await this.#kv.get(generationKey(record.id, record.generation));
      if (marker.versionstamp === null) throw new SnapshotGone(record);
      const prefix = snapshotPrefix(record.id, record.generation);
      for await (
        const { key, value } of this.#kv.list<Uint8Array>({ prefix }, { batchSize: 500 })
      ) {
        let object: StoredObject;
        try {
          object = await this.#materialize(key, value);
        } catch (error) {
          if (!isDamage(error)) throw error;
          read = undefined;
          await this.#damaged(key, error, record);
          continue;
        }
        const split = object.bytes.buffer !== value.buffer ? object.bytes.byteLength : 0;
        read?.push({ key, object, size: value.byteLength + split });
        yield object;
      }
      if (fill && read) {
        const after = await this.#kv.get(queryKey(identityOf(record)));
        if (after.versionstamp !== null) this.#hot.fill(fill, record, after.versionstamp, read);
      }
    } finally {
      release?.();
      if (fill) this.#hot.abandonFill(fill);
    }
  }

  /**
   * The objects of a query's snapshot, in snapshot order, when the hot snapshots hold it as of
   * `record` (what {@link listObjects} would yield, without an await per object); undefined when
   * it has to be read from KV.
   */
  heldObjects(record: QueryRecord): StoredObject[] | undefined {
    this.#writer.touch(record);
    const stamp = this.#stamps.get(record);
    return stamp === undefined ? undefined : this.#hot.lookup(record, stamp);
  }

  /** How much the hot snapshots hold in memory, against their budget. */
  get hotStats(): HotStats {
    return this.#hot.stats;
  }

  /**
   * Tombstones of a query's snapshot newer than `resourceVersion`, oldest first. Complete only
   * for `resourceVersion` at or after the record's `historyFrom`; older ones must be answered
   * as expired (410) by the caller.
   */
  async tombstonesSince(record: QueryRecord, resourceVersion: string): Promise<Tombstone[]> {
    const tombstones: Tombstone[] = [];
    const prefix = tombstonePrefix(record.id, record.generation);
    for await (const { key, value } of this.#kv.list<Uint8Array>({ prefix })) {
      const header = headerOrUndefined(value);
      if (!header) {
        await this.#damaged(key, new TypeError("unreadable tombstone"), record);
        continue;
      }
      if (compareResourceVersions(header.meta.resourceVersion, resourceVersion) <= 0) continue;
      try {
        tombstones.push(await this.#materialize(key, value));
      } catch (error) {
        if (!isDamage(error)) throw error;
        await this.#damaged(key, error, record);
      }
    }
    return tombstones;
  }

  /** Per component and resource: objects, bytes, queries (from committed counters, no scan). */
  async stats(): Promise<CacheStats[]> {
    const all = new Map<string, CacheStats>();
    const entry = (component: string, gvr: GroupVersionResource) => {
      const id = JSON.stringify([component, gvr.group, gvr.version, gvr.resource]);
      let stats = all.get(id);
      if (!stats) {
        const { group, version, resource } = gvr;
        stats = {
          component,
          group,
          version,
          resource,
          objects: 0,
          bytes: 0,
          queries: 0,
          complete: 0,
          stale: 0,
        };
        all.set(id, stats);
      }
      return stats;
    };
    for (const record of await this.queries()) {
      const stats = entry(record.component, record);
      stats.queries++;
      stats.objects += record.objectCount;
      stats.bytes += record.bytes;
      if (isServable(record)) stats.complete++;
      if (record.stale) stats.stale++;
    }
    for await (const { key, value } of this.#kv.list<Uint8Array>({ prefix: resourcePrefix() })) {
      const parsed = parseResourceKey(key);
      if (!parsed) continue;
      const { objects, bytes } = readCounter(value);
      const stats = entry(parsed.component, parsed);
      stats.objects += objects;
      stats.bytes += bytes;
    }
    const order = (s: CacheStats) => [s.component, s.resource, s.group, s.version].join("\0");
    return [...all.values()].sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0);
  }

  /**
   * The KV handle, for the other state kept in the same file (discovery documents, leases, the
   * event queue), each under its own key prefix.
   */
  get kv(): Deno.Kv {
    return this.#kv;
  }

  /** The error that paused cache writes, if one did (see {@link writePause}). */
  get writeFailure(): Error | undefined {
    return this.#batcher.failure;
  }

  /** Bytes written but not yet committed. */
  get pendingBytes(): number {
    return this.#batcher.pendingBytes;
  }

  // --- maintenance and lifecycle ---

  /** Deletes everything cached for `component`, or the whole cache. */
  purge(component?: string): Promise<void> {
    return this.#writer.purge(component);
  }

  /** Waits until every write so far (and the deletions it caused) is committed. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }

  /** Drops unfinished paginated lists, commits pending writes and closes the KV file. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#probe);
    try {
      // While paused nothing more can be committed: what KV holds is all there is to close.
      if (this.#pause) await this.#writer.close().catch(() => {});
      else await this.#writer.close();
    } finally {
      this.#kv.close();
    }
  }

  /** Closes the store (`await using`). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Reports a damaged record at `key` and marks the query whose snapshot holds it (if any) stale;
   * returns the error to throw where the object cannot be skipped.
   */
  async #damaged(key: Deno.KvKey, cause: unknown, owner?: QueryRecord): Promise<RecordDamaged> {
    const error = new RecordDamaged(key, cause);
    this.#onAnomaly({ kind: "damaged-record", query: owner, message: error.message });
    if (owner) {
      await this.#writer.markDamaged(owner, error.message).catch(() => {
        // Read-only, or writes stopped: the damage stays reported by `cache verify`.
      });
    }
    return error;
  }

  /**
   * A record's object, joining its blob's parts (re-reading once if the record changed) and
   * opening sealed ones.
   */
  async #materialize(key: Deno.KvKey, value: Uint8Array): Promise<StoredObject> {
    const header = readHeader(value);
    if (!header.blob) return recordObject(value, header, await this.#open(key, value, header));
    try {
      return await this.#joined(key, value, header);
    } catch (error) {
      if (!(error instanceof BlobDamaged)) throw error;
      const again = (await this.#kv.get<Uint8Array>(key)).value;
      if (!(again instanceof Uint8Array)) throw error;
      const fresh = readHeader(again);
      if (!fresh.blob || fresh.blob.id === header.blob.id) {
        return fresh.blob
          ? Promise.reject(error)
          : recordObject(again, fresh, await this.#open(key, again, fresh));
      }
      return await this.#joined(key, again, fresh);
    }
  }

  /** A split record's object: its blob's parts joined (the record's seal checked first). */
  async #joined(key: Deno.KvKey, value: Uint8Array, header: RecordHeader): Promise<StoredObject> {
    if (!header.sealed) return recordObject(value, header, await readBlob(this.#kv, header.blob!));
    await this.#open(key, value, header);
    const sealer = this.#sealer(key);
    const bytes = await readBlob(
      this.#kv,
      header.blob!,
      (part, sealed) => sealer.open(part, sealed),
    );
    return recordObject(value, header, bytes);
  }

  /** A sealed record's opened object bytes; `undefined` for a record that is not sealed. */
  async #open(
    key: Deno.KvKey,
    value: Uint8Array,
    header: RecordHeader,
  ): Promise<Uint8Array | undefined> {
    if (!header.sealed) return undefined;
    return await openRecordValue(this.#sealer(key), key, value);
  }

  #sealer(key: Deno.KvKey): Sealer {
    const sealer = this.#options.sealer;
    if (!sealer) throw new SealBroken(key);
    return sealer;
  }

  /**
   * Checks that the seal key is the one that sealed the file's data (the proof kept at
   * {@link SEAL_CHECK_KEY}). Data it cannot open (sealed under another key: the key file
   * was replaced or lost), and data of a resource newly sealed (stored in the clear), is dropped:
   * the sealed part of the cache starts empty rather than unreadable.
   */
  async #checkSeal(): Promise<SealReport | undefined> {
    const sealer = this.#options.sealer;
    const stored = (await this.#kv.get<SealCheck>(SEAL_CHECK_KEY)).value;
    const before = Array.isArray(stored?.resources) ? stored.resources.map(String) : [];
    if (!sealer) {
      // Sealing was switched off (no resources named): what was sealed cannot be read any more.
      // Without options naming resources (maintenance), the file is left as it is.
      if (this.#options.sealedResources === undefined) return undefined;
      if (before.length > 0) await this.#writer.purgeResources(new Set(before));
      if (stored) await this.#kv.delete(SEAL_CHECK_KEY);
      return before.length > 0 ? { foreignKey: false, dropped: before } : undefined;
    }
    const resources = [...new Set(this.#options.sealedResources ?? before)].sort();
    let foreignKey = false;
    if (stored) {
      try {
        const proof = stored.proof instanceof Uint8Array ? stored.proof : new Uint8Array();
        await sealer.open(SEAL_CHECK_KEY, proof, encoder.encode(JSON.stringify(before)));
      } catch {
        foreignKey = true;
      }
    }
    const dropped = foreignKey
      ? [...new Set([...resources, ...before])]
      : resources.filter((resource) => !before.includes(resource));
    if (dropped.length > 0) await this.#writer.purgeResources(new Set(dropped));
    const proof = await sealer.seal(
      SEAL_CHECK_KEY,
      new Uint8Array(),
      encoder.encode(JSON.stringify(resources)),
    );
    await this.#kv.set(SEAL_CHECK_KEY, { resources, proof } satisfies SealCheck);
    return { foreignKey, dropped };
  }
}
