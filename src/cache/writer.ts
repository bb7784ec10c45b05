/**
 * The cache's write side: what each stored list page, watch event and object turns into, as
 * mutation groups for the {@link WriteBatcher}.
 *
 * Crash safety comes from generations. A query's objects live under its id and a generation
 * number; a LIST writes a fresh generation in as many groups as it takes, then one group switches
 * the query record to it, and only after that commits is the old generation deleted. Since groups
 * commit in order, a crash leaves the record on either the old or the new complete generation;
 * the other one still has its marker and is collected at start-up ({@link collectGarbage}).
 * Watch events change the current generation in place, one group per event (object, tombstone
 * and query record together), decided from an in-memory {@link GenerationIndex} of the generation
 * that is kept while the query has watch streams open.
 * @module
 */
import {
  compareResourceVersions,
  goesBackwards,
  isNumericResourceVersion,
} from "../kube/resource_version.ts";
import type { GroupVersionResource, ListMeta, ObjectVersion, RawObject } from "../kube/types.ts";
import type { Mutation, WriteBatcher } from "./batcher.ts";
import { adoptBlob, blobWriteGroups, deleteBlob } from "./blobs.ts";
import { deleteGeneration, deleteRecords } from "./gc.ts";
import {
  emptyIndex,
  type GenerationIndex,
  type IndexEntry,
  loadIndex,
  objectId,
} from "./generation_index.ts";
import { partitionComponent } from "./partition.ts";
import { GenerationPins } from "./pins.ts";
import {
  CACHE_PREFIX,
  generationKey,
  generationPrefix,
  parseGenerationKey,
  parseResourceKey,
  parseSingleKey,
  pendingBlobKey,
  queryKey,
  resourceKey,
  resourcePrefix,
  singleKey,
  singlePrefix,
  snapshotKey,
  tombstoneKey,
} from "./keys.ts";
import {
  encodeQueryRecord,
  gvrOf,
  identityOf,
  identityString,
  newQueryRecord,
  type QueryIdentity,
  type QueryRecord,
} from "./query.ts";
import {
  type BlobRef,
  type EncodedRecord,
  encodeRecord,
  readHeader,
  type RecordHeader,
  recordMutation,
  storedSize,
} from "./record.ts";
import { SEAL_OVERHEAD } from "./seal.ts";

/** Tunables of the write side. */
export interface WriterOptions {
  /** How long a paginated list waits for its next page before it is dropped. */
  pageTimeoutMs: number;
  /** Most tombstones kept per query. */
  maxTombstones: number;
  /** Most LIST/WATCH queries kept per component; the least recently used idle one goes first. */
  maxQueriesPerComponent?: number;
  /** Most bytes kept in query snapshots in all; least recently used idle queries go first. */
  maxQueryBytes?: number;
  /** Told about anomalies (damaged records, resourceVersions going backwards). */
  onAnomaly?: (anomaly: CacheAnomaly) => void;
  /** Whether a resource's objects are sealed at rest (none when absent). */
  sealed?: (resource: string) => boolean;
}

/**
 * Something the cache noticed that an operator should know about: a record that cannot be read
 * back, or an upstream whose resourceVersions went backwards (an etcd restore): a LIST older
 * than the snapshot replaced it, or a watch event older than the snapshot's listing made the
 * query stale.
 */
export interface CacheAnomaly {
  kind: "damaged-record" | "resource-version-backwards";
  /** The query concerned, when there is one. */
  query?: QueryIdentity;
  message: string;
}

/** Single objects (GET/create/update/patch responses) stored for one component's resource. */
export interface SingleCount extends GroupVersionResource {
  component: string;
  objects: number;
  bytes: number;
}

/** The writer's view of one query. */
export interface QueryState {
  readonly identity: QueryIdentity;
  readonly key: Deno.KvKey;
  readonly id: number;
  /** The record as last written (possibly not committed yet). */
  record: QueryRecord | undefined;
  /** The record's generation has no marker written yet. */
  markerPending: boolean;
  nextGeneration: number;
  /** A paginated list waiting for its next page. */
  paging: Snapshot | undefined;
  /** Watch streams open for the query; the index is kept while there are any. */
  watchers: number;
  /** The current generation's index (kept only while watched). */
  index: GenerationIndex | undefined;
  /** The index being read from KV. */
  loading: Promise<void> | undefined;
  /** Snapshots being written (not yet committed or abandoned). */
  writing: number;
  /** When the query was last written or read, in the writer's own clock (for eviction). */
  used: number;
}

/** A generation being written by a LIST (all its pages) or the initial events of a watch-list. */
export class Snapshot {
  /** The named items written, by {@link objectId}: becomes the generation's index. */
  readonly names = new Map<string, IndexEntry>();
  /** Blobs written whose record is not written yet. */
  readonly unreferenced = new Set<BlobRef>();
  nameless = 0;
  bytes = 0;
  /** The first page's list metadata. */
  meta: ListMeta | undefined;
  abandoned = false;
  committed = false;
  expectedContinue: string | undefined;
  timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The query's resourceVersion when this snapshot began: a listing older than the query is a
   * late read (dropped) if the query moved since, and a sign the upstream went backwards if not.
   */
  readonly resourceVersionAtStart: string | undefined;
  /** Guard of every group of the snapshot: dropped once abandoned. */
  readonly guard = (): boolean => !this.abandoned;

  /** A snapshot of `state` in `generation`, stored with `mediaType`. */
  constructor(
    readonly state: QueryState,
    readonly generation: number,
    readonly mediaType: string,
  ) {
    this.resourceVersionAtStart = state.record?.resourceVersion;
  }

  /** Objects written so far. */
  get objectCount(): number {
    return this.names.size + this.nameless;
  }
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

interface Current {
  header: RecordHeader;
  size: number;
}

const UNWATCHED = {
  watchers: 0,
  index: undefined,
  loading: undefined,
  writing: 0,
} as const;

function newest(a: string, b: string): string {
  return compareResourceVersions(a, b) >= 0 ? a : b;
}

/** Mutations dropping the parts of a record that will not be written after all. */
function discard(record: EncodedRecord): Mutation[] {
  const ref = record.header.blob;
  return ref ? [...deleteBlob(ref), { key: pendingBlobKey(ref.id), value: null }] : [];
}

/** Everything the store writes, as ordered mutation groups. */
export class CacheWriter {
  readonly #kv: Deno.Kv;
  readonly #batcher: WriteBatcher;
  readonly #options: WriterOptions;
  readonly #states = new Map<string, QueryState>();
  readonly #singles = new Map<string, SingleCount>();
  /** Media type and resourceVersion of each single object written by this process. */
  readonly #singleVersions = new Map<string, string>();
  readonly #tasks = new Set<Promise<void>>();
  readonly #pins = new GenerationPins();
  readonly #onAnomaly: (anomaly: CacheAnomaly) => void;
  #nextQueryId: number;
  /** Ticks on every use of a query: orders queries by recency. */
  #clock = 0;

  /** A writer continuing from the loaded `records` and `singles`. */
  constructor(
    kv: Deno.Kv,
    batcher: WriteBatcher,
    options: WriterOptions,
    loaded: { records: QueryRecord[]; singles: SingleCount[]; nextQueryId: number },
  ) {
    this.#kv = kv;
    this.#batcher = batcher;
    this.#options = options;
    this.#onAnomaly = options.onAnomaly ?? (() => {});
    this.#nextQueryId = loaded.nextQueryId;
    for (const record of loaded.records) {
      const identity = identityOf(record);
      this.#states.set(identityString(identity), {
        identity,
        key: queryKey(identity),
        id: record.id,
        record,
        markerPending: false,
        nextGeneration: record.generation + 1,
        paging: undefined,
        ...UNWATCHED,
        used: record.updatedAt, // older than any use in this process (ticks count from 0)
      });
    }
    this.#clock = Math.max(0, ...loaded.records.map((record) => record.updatedAt));
    for (const single of loaded.singles) this.#singles.set(this.#singleId(single), single);
  }

  /**
   * True when `query` already holds the complete, fresh snapshot at `resourceVersion` in
   * `mediaType`, so a LIST answering that version would write the same objects again.
   */
  isCurrent(query: QueryIdentity, mediaType: string, resourceVersion: string): boolean {
    const state = this.#states.get(identityString(query));
    const record = state?.record;
    return !!record && !state.paging && record.complete && !record.stale &&
      record.mediaType === mediaType && record.resourceVersion === resourceVersion;
  }

  /** The state of `query`, created on first use (which may evict another query). */
  state(query: QueryIdentity): QueryState {
    const id = identityString(query);
    let state = this.#states.get(id);
    if (state) {
      state.used = ++this.#clock;
    } else {
      const identity = identityOf(query);
      state = {
        identity,
        key: queryKey(identity),
        id: this.#nextQueryId++,
        record: undefined,
        markerPending: false,
        nextGeneration: 1,
        paging: undefined,
        ...UNWATCHED,
        used: ++this.#clock,
      };
      this.#states.set(id, state);
      this.#enforceLimits(state);
    }
    return state;
  }

  /** Notes that `query` was read (offline answers): it becomes the most recently used. */
  touch(query: QueryIdentity): void {
    const state = this.#states.get(identityString(query));
    if (state) state.used = ++this.#clock;
  }

  /**
   * Evicts least recently used idle queries (no watch, no list being written) while the
   * component of `keep` has more queries than allowed, or the snapshots hold more bytes than
   * allowed. `keep` itself is never evicted.
   */
  #enforceLimits(keep: QueryState): void {
    const maxQueries = this.#options.maxQueriesPerComponent ?? Infinity;
    const maxBytes = this.#options.maxQueryBytes ?? Infinity;
    const all = [...this.#states.values()];
    const component = keep.identity.component;
    let count = all.filter((state) => state.identity.component === component).length;
    let bytes = all.reduce((sum, state) => sum + (state.record?.bytes ?? 0), 0);
    if (count <= maxQueries && bytes <= maxBytes) return;
    const idle = all.filter((state) =>
      state !== keep && state.watchers === 0 && state.writing === 0 && !state.paging
    ).sort((a, b) => a.used - b.used);
    for (const state of idle) {
      if (count <= maxQueries && bytes <= maxBytes) break;
      const mine = state.identity.component === component;
      if (!mine && bytes <= maxBytes) continue; // only the component's count is over
      this.#evict(state);
      if (mine) count--;
      bytes -= state.record?.bytes ?? 0;
    }
  }

  /** Forgets a query: its record is deleted, then its generation. */
  #evict(state: QueryState): void {
    this.#states.delete(identityString(state.identity));
    const generation = state.record?.generation;
    const task = this.#batcher.add({ mutations: [{ key: state.key, value: null }] })
      .catch(() => {}) // the batcher stopped: the query stays, as a whole, until next time
      .finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
    if (generation !== undefined) this.#dropGeneration(state.id, generation, []);
  }

  // --- snapshots (LIST pages, watch-list initial events) ---

  /** Starts a new generation for `query`; a paginated list still waiting for pages is dropped. */
  async beginSnapshot(query: QueryIdentity, mediaType: string, list: boolean): Promise<Snapshot> {
    const state = this.state(query);
    if (list && state.paging) this.abandon(state.paging);
    const snapshot = new Snapshot(state, state.nextGeneration++, mediaType);
    state.writing++;
    await this.#batcher.add({
      mutations: [{ key: generationKey(state.id, snapshot.generation), value: EMPTY }],
      guard: snapshot.guard,
    });
    return snapshot;
  }

  /** Writes one item into a snapshot (no-op once it is abandoned). */
  async addItem(snapshot: Snapshot, object: RawObject): Promise<void> {
    if (snapshot.abandoned) return;
    const { namespace, name, resourceVersion } = object.meta;
    const key = snapshotKey(
      snapshot.state.id,
      snapshot.generation,
      namespace,
      name !== "" ? name : snapshot.nameless++,
    );
    const record = this.#encode(snapshot.state.identity, object, snapshot.mediaType);
    const blob = record.header.blob;
    if (blob) snapshot.unreferenced.add(blob);
    for (const group of blobWriteGroups(record, snapshot.guard)) await this.#batcher.add(group);
    const mutations: Mutation[] = [recordMutation(key, record), ...adoptBlob(record)];
    const size = storedSize(record);
    if (name !== "") {
      const id = objectId(namespace, name);
      const previous = snapshot.names.get(id);
      if (previous) {
        mutations.push(...deleteBlob(previous.blob));
        snapshot.bytes -= previous.size;
      }
      snapshot.names.set(id, { resourceVersion, size, blob });
    }
    snapshot.bytes += size;
    await this.#batcher.add({ mutations, guard: snapshot.guard });
    if (blob) snapshot.unreferenced.delete(blob);
  }

  /** Keeps a snapshot open for the page the server will answer for `continueToken`. */
  expectPage(snapshot: Snapshot, continueToken: string): void {
    if (snapshot.abandoned) return;
    const state = snapshot.state;
    if (state.paging && state.paging !== snapshot) this.abandon(state.paging);
    state.paging = snapshot;
    snapshot.expectedContinue = continueToken;
    snapshot.timer = setTimeout(() => this.abandon(snapshot), this.#options.pageTimeoutMs);
    Deno.unrefTimer(snapshot.timer);
  }

  /** The snapshot waiting for the page asked with `continueToken`, if any. */
  resumeSnapshot(query: QueryIdentity, continueToken: string): Snapshot | undefined {
    const snapshot = this.state(query).paging;
    if (!snapshot || snapshot.expectedContinue !== continueToken) return undefined;
    clearTimeout(snapshot.timer);
    snapshot.expectedContinue = undefined;
    return snapshot;
  }

  /**
   * Switches the query to the snapshot (one atomic) and then deletes the previous generation.
   * A listing is authoritative, as for kube clients: one at an older resourceVersion than the
   * snapshot stored still replaces it (the upstream went backwards, e.g. etcd was restored; this
   * is reported), unless the query moved after this one began, by another listing or by a watch
   * event (then this one is a late read, begun before that change, and is dropped).
   */
  async commitSnapshot(snapshot: Snapshot, meta: ListMeta): Promise<void> {
    if (snapshot.abandoned || snapshot.committed) return;
    const state = snapshot.state;
    const current = state.record;
    if (current?.complete && goesBackwards(current.resourceVersion, meta.resourceVersion)) {
      if (!current.stale && snapshot.resourceVersionAtStart !== current.resourceVersion) {
        this.abandon(snapshot);
        return;
      }
      this.#onAnomaly({
        kind: "resource-version-backwards",
        query: state.identity,
        message: `a listing at resourceVersion ${meta.resourceVersion} replaces the cached ` +
          `snapshot at ${current.resourceVersion}: the upstream's resourceVersion went backwards`,
      });
    }
    snapshot.committed = true;
    state.writing--;
    clearTimeout(snapshot.timer);
    if (state.paging === snapshot) state.paging = undefined;
    const now = Date.now();
    const base = current ?? newQueryRecord(state.identity, state.id, snapshot.generation);
    state.record = {
      ...base,
      generation: snapshot.generation,
      complete: true,
      stale: false,
      staleReason: "",
      resourceVersion: meta.resourceVersion,
      listResourceVersion: meta.resourceVersion,
      historyFrom: meta.resourceVersion,
      listedAt: now,
      updatedAt: now,
      mediaType: snapshot.mediaType,
      listKind: meta.kind,
      listApiVersion: meta.apiVersion,
      objectCount: snapshot.objectCount,
      bytes: snapshot.bytes,
      tombstoneFirst: 0,
      tombstoneNext: 0,
    };
    state.markerPending = false;
    state.index = state.watchers > 0
      ? { generation: snapshot.generation, objects: snapshot.names, tombstones: [] }
      : undefined;
    await this.#batcher.add({
      mutations: [{ key: state.key, value: encodeQueryRecord(state.record) }],
    });
    if (current && current.generation !== snapshot.generation) {
      this.#dropGeneration(state.id, current.generation, []);
    }
    this.#enforceLimits(state);
  }

  /** Drops an unfinished snapshot: nothing more of it is written and what was is deleted. */
  abandon(snapshot: Snapshot): void {
    if (snapshot.abandoned || snapshot.committed) return;
    snapshot.abandoned = true;
    snapshot.state.writing--;
    clearTimeout(snapshot.timer);
    if (snapshot.state.paging === snapshot) snapshot.state.paging = undefined;
    this.#dropGeneration(snapshot.state.id, snapshot.generation, [...snapshot.unreferenced]);
  }

  // --- watch events ---

  /** Notes a watch stream opened for the query (its generation index is kept meanwhile). */
  openWatch(state: QueryState): void {
    state.watchers++;
  }

  /** Notes a watch stream of the query ended; the last one drops the index. */
  closeWatch(state: QueryState): void {
    if (--state.watchers === 0) state.index = undefined;
  }

  /**
   * ADDED/MODIFIED: stores the object unless a newer version is stored. `since` is the
   * resourceVersion the watch started from: it tells a late event from one that went backwards.
   */
  async upsert(
    state: QueryState,
    object: RawObject,
    mediaType: string,
    since: string,
  ): Promise<void> {
    const { namespace, name, resourceVersion } = object.meta;
    if (name === "") return this.advance(state, resourceVersion);
    const record = this.#encode(state.identity, object, mediaType);
    for (const group of blobWriteGroups(record)) await this.#batcher.add(group);
    return this.#withIndex(state, (index) => {
      const id = objectId(namespace, name);
      const old = index.objects.get(id);
      const before = this.#beforeListing(state, resourceVersion, !old, since);
      if (before) {
        return [
          ...discard(record),
          ...(before === "backwards" ? this.#wentBackwards(state, resourceVersion) : []),
        ];
      }
      if (old && compareResourceVersions(old.resourceVersion, resourceVersion) > 0) {
        return [...discard(record), ...this.#advanced(state, resourceVersion)];
      }
      const size = storedSize(record);
      index.objects.set(id, { resourceVersion, size, blob: record.header.blob });
      return [
        recordMutation(snapshotKey(state.id, index.generation, namespace, name), record),
        ...adoptBlob(record),
        ...deleteBlob(old?.blob),
        ...this.#update(state, (r) => ({
          resourceVersion: newest(r.resourceVersion, resourceVersion),
          objectCount: r.objectCount + (old ? 0 : 1),
          bytes: r.bytes + size - (old?.size ?? 0),
        })),
      ];
    });
  }

  /**
   * DELETED: removes the object and keeps the event's object as a tombstone (bounded). `since`
   * is the resourceVersion the watch started from.
   */
  async remove(
    state: QueryState,
    object: RawObject,
    mediaType: string,
    since: string,
  ): Promise<void> {
    const { namespace, name, resourceVersion } = object.meta;
    if (name === "") return this.advance(state, resourceVersion);
    const tombstone = this.#encode(state.identity, object, mediaType);
    for (const group of blobWriteGroups(tombstone)) await this.#batcher.add(group);
    return this.#withIndex(state, (index) => {
      const id = objectId(namespace, name);
      const old = index.objects.get(id);
      const before = this.#beforeListing(state, resourceVersion, !old, since);
      if (before) {
        return [
          ...discard(tombstone),
          ...(before === "backwards" ? this.#wentBackwards(state, resourceVersion) : []),
        ];
      }
      if (old && compareResourceVersions(old.resourceVersion, resourceVersion) > 0) {
        return [...discard(tombstone), ...this.#advanced(state, resourceVersion)];
      }
      const generation = index.generation;
      const mutations: Mutation[] = [];
      if (old) {
        index.objects.delete(id);
        mutations.push(
          { key: snapshotKey(state.id, generation, namespace, name), value: null },
          ...deleteBlob(old.blob),
        );
      }
      const seq = state.record!.tombstoneNext;
      index.tombstones.push({ seq, resourceVersion, blob: tombstone.header.blob });
      mutations.push(
        recordMutation(tombstoneKey(state.id, generation, seq), tombstone),
        ...adoptBlob(tombstone),
      );
      const evicted = index.tombstones.length > this.#options.maxTombstones
        ? index.tombstones.shift()
        : undefined;
      if (evicted) {
        mutations.push(
          { key: tombstoneKey(state.id, generation, evicted.seq), value: null },
          ...deleteBlob(evicted.blob),
        );
      }
      mutations.push(...this.#update(state, (r) => ({
        resourceVersion: newest(r.resourceVersion, resourceVersion),
        objectCount: r.objectCount - (old ? 1 : 0),
        bytes: r.bytes - (old?.size ?? 0),
        tombstoneNext: seq + 1,
        tombstoneFirst: evicted ? evicted.seq + 1 : r.tombstoneFirst,
        historyFrom: evicted ? newest(r.historyFrom, evicted.resourceVersion) : r.historyFrom,
      })));
      return mutations;
    });
  }

  /** BOOKMARK (and skipped events): moves the query's resourceVersion forward. */
  async advance(state: QueryState, resourceVersion: string): Promise<void> {
    const record = state.record;
    if (!record || compareResourceVersions(resourceVersion, record.resourceVersion) <= 0) return;
    await this.#batcher.add({ mutations: this.#advanced(state, resourceVersion) });
  }

  /** The copies of `query` in every format this writer knows of (the JSON one when none). */
  copiesOf(query: QueryIdentity): QueryIdentity[] {
    const plain = (identity: QueryIdentity) => {
      const copy = identityOf(identity);
      delete copy.format;
      return identityString(copy);
    };
    const wanted = plain(query);
    const copies = [...this.#states.values()].filter((state) => plain(state.identity) === wanted)
      .map((state) => state.identity);
    return copies.length > 0 ? copies : [identityOf(query)];
  }

  /** A damaged record was found in `record`'s snapshot: the query is stale if it still is that one. */
  async markDamaged(record: QueryRecord, reason: string): Promise<void> {
    const state = this.#states.get(identityString(identityOf(record)));
    if (state?.record?.generation !== record.generation || state.record.stale) return;
    await this.markStale(state.identity, reason);
  }

  /** Records that a response for `query` was given up on: not served as complete any more. */
  async markStale(query: QueryIdentity, reason: string): Promise<void> {
    const state = this.state(query);
    this.#ensureRecord(state);
    await this.#batcher.add({
      mutations: this.#update(state, () => ({ stale: true, staleReason: reason })),
    });
  }

  // --- single objects ---

  /**
   * Whether this process wrote (or last saw) the single object of `query` named by `version` at
   * that resourceVersion in `mediaType`: {@linkcode putSingle} would write nothing for it.
   */
  holdsSingle(query: QueryIdentity, mediaType: string, version: ObjectVersion): boolean {
    if (version.name === "") return false;
    const { seen } = singleSlot(query, version.namespace, version.name);
    return this.#singleVersions.get(seen) === versionTag(mediaType, version.resourceVersion);
  }

  /** Stores one object by component, resource, transform, namespace and name. */
  async putSingle(query: QueryIdentity, mediaType: string, object: RawObject): Promise<void> {
    const { name, resourceVersion } = object.meta;
    if (name === "") return;
    const { gvr, key, seen } = singleSlot(query, object.meta.namespace, name);
    // The same object fetched again (kubelet GETs its node and secrets often): nothing to write.
    const version = versionTag(mediaType, resourceVersion);
    if (this.#singleVersions.get(seen) === version) return;
    const record = this.#encode(query, object, mediaType);
    for (const group of blobWriteGroups(record)) await this.#batcher.add(group);
    const old = await this.#current(key);
    if (old && compareResourceVersions(old.header.meta.resourceVersion, resourceVersion) > 0) {
      if (record.parts.length > 0) await this.#batcher.add({ mutations: discard(record) });
      return;
    }
    this.#singleVersions.set(seen, version);
    const count = this.#singleCount(query.component, gvr);
    count.objects += old ? 0 : 1;
    count.bytes += storedSize(record) - (old?.size ?? 0);
    const { component, objects, bytes } = count;
    await this.#batcher.add({
      mutations: [
        recordMutation(key, record),
        ...adoptBlob(record),
        ...deleteBlob(old?.header.blob),
        {
          key: resourceKey(component, gvr),
          value: encoder.encode(JSON.stringify({ objects, bytes })),
        },
      ],
    });
  }

  // --- readers, purge, lifecycle ---

  /**
   * Keeps a generation from being deleted while it is read. Returns the release function, or
   * `undefined` when the generation is already being deleted.
   */
  pin(queryId: number, generation: number): (() => void) | undefined {
    return this.#pins.pin(queryId, generation);
  }

  /**
   * Deletes everything cached for `component` — its own partition and its identities' (see
   * `partition.ts`), or that one partition when given one — or the whole cache.
   */
  async purge(component?: string): Promise<void> {
    const owned = (partition: string | undefined) =>
      partition !== undefined &&
      (partition === component || partitionComponent(partition) === component);
    const doomed = await this.#beginPurge((state) =>
      component === undefined || owned(state.identity.component)
    );
    if (component === undefined) {
      await deleteRecords(this.#kv, this.#batcher, CACHE_PREFIX);
      this.#singles.clear();
    } else {
      await this.#deleteQueries(doomed);
      await deleteRecords(
        this.#kv,
        this.#batcher,
        singlePrefix(),
        (key) => owned(parseSingleKey(key)?.component),
      );
      await deleteRecords(
        this.#kv,
        this.#batcher,
        resourcePrefix(),
        (key) => owned(parseResourceKey(key)?.component),
      );
      for (const [id, single] of this.#singles) {
        if (owned(single.component)) this.#singles.delete(id);
      }
    }
    await this.#endPurge(doomed);
  }

  /** Deletes everything cached of the named resources (of every group), for every component. */
  async purgeResources(resources: ReadonlySet<string>): Promise<void> {
    const doomed = await this.#beginPurge((state) => resources.has(state.identity.resource));
    await this.#deleteQueries(doomed);
    const sealedSingle = (key: Deno.KvKey) => resources.has(parseSingleKey(key)?.resource ?? "");
    await deleteRecords(this.#kv, this.#batcher, singlePrefix(), sealedSingle);
    for (const [id, single] of this.#singles) {
      if (!resources.has(single.resource)) continue;
      await this.#batcher.add({
        mutations: [{ key: resourceKey(single.component, single), value: null }],
      });
      this.#singles.delete(id);
    }
    await this.#endPurge(doomed);
  }

  /** The queries to purge, their paginated lists dropped and every pending write flushed. */
  async #beginPurge(match: (state: QueryState) => boolean): Promise<[string, QueryState][]> {
    const doomed = [...this.#states.entries()].filter(([, state]) => match(state));
    for (const [, state] of doomed) if (state.paging) this.abandon(state.paging);
    this.#singleVersions.clear(); // purged singles must be written again when next seen
    await this.flush();
    return doomed;
  }

  /** Deletes the queries' generations and records. */
  async #deleteQueries(doomed: [string, QueryState][]): Promise<void> {
    for (const [, state] of doomed) {
      for await (const { key } of this.#kv.list({ prefix: generationPrefix(state.id) })) {
        const marker = parseGenerationKey(key);
        if (marker) await deleteGeneration(this.#kv, this.#batcher, state.id, marker.generation);
      }
      await this.#batcher.add({ mutations: [{ key: state.key, value: null }] });
    }
  }

  async #endPurge(doomed: [string, QueryState][]): Promise<void> {
    for (const [id] of doomed) this.#states.delete(id);
    await this.#batcher.sync();
  }

  /**
   * After writes stopped: the queries whose state here differs from `committed` (what KV holds:
   * writes were lost), or that had watch streams or paginated lists going (later events or pages
   * will be missing).
   */
  diverged(committed: readonly QueryRecord[]): QueryIdentity[] {
    const stored = new Map(committed.map((record) => [identityString(record), record]));
    const same = (a: QueryRecord | undefined, b: QueryRecord | undefined) =>
      a === b ||
      (!!a && !!b && a.generation === b.generation && a.resourceVersion === b.resourceVersion &&
        a.objectCount === b.objectCount && a.bytes === b.bytes && a.stale === b.stale &&
        a.tombstoneNext === b.tombstoneNext);
    return [...this.#states].filter(([id, state]) =>
      state.watchers > 0 || state.paging !== undefined || !same(state.record, stored.get(id))
    ).map(([, state]) => state.identity);
  }

  /** Waits until every write so far is committed. */
  sync(): Promise<void> {
    return this.#batcher.sync();
  }

  /** Waits until every write so far, and the deletions it caused, are committed. */
  async flush(): Promise<void> {
    await this.#batcher.sync();
    while (this.#tasks.size > 0) await Promise.all(this.#tasks);
    await this.#batcher.sync();
  }

  /** Drops unfinished paginated lists and waits for pending writes (readers are not waited for). */
  async close(): Promise<void> {
    for (const state of this.#states.values()) if (state.paging) this.abandon(state.paging);
    this.#pins.close();
    await this.flush();
    await this.#batcher.close();
  }

  #singleId(gvr: GroupVersionResource & { component: string }): string {
    return JSON.stringify([gvr.component, gvr.group, gvr.version, gvr.resource]);
  }

  #singleCount(component: string, gvr: GroupVersionResource): SingleCount {
    const id = this.#singleId({ component, ...gvr });
    let count = this.#singles.get(id);
    if (!count) {
      count = { component, ...gvr, objects: 0, bytes: 0 };
      this.#singles.set(id, count);
    }
    return count;
  }

  /** The query's record, creating an incomplete one (with a fresh generation) if none. */
  #ensureRecord(state: QueryState): QueryRecord {
    if (!state.record) {
      state.record = newQueryRecord(state.identity, state.id, state.nextGeneration++);
      state.markerPending = true;
      if (state.watchers > 0) state.index = emptyIndex(state.record.generation);
    }
    return state.record;
  }

  /** Changes the query record; returns the mutations writing it (and its generation's marker). */
  #update(state: QueryState, change: (record: QueryRecord) => Partial<QueryRecord>): Mutation[] {
    const record = this.#ensureRecord(state);
    state.record = { ...record, ...change(record), updatedAt: Date.now() };
    const mutations: Mutation[] = [{ key: state.key, value: encodeQueryRecord(state.record) }];
    if (state.markerPending) {
      mutations.push({ key: generationKey(state.id, state.record.generation), value: EMPTY });
      state.markerPending = false;
    }
    return mutations;
  }

  /**
   * Whether a watch event at `resourceVersion` predates the query's complete listing: older than
   * its resourceVersion, or for an object the listing did not hold (`fresh`) not newer either.
   * Such an event is old news ("late") when the watch began before the listing (`since` older
   * than it, or `""`/`"0"`, whose first events are the state of the moment with the objects' own
   * versions): another client behind this one, or a reflector catching up, and the listing already
   * holds a newer state. From a watch that began at or after the listing, the upstream's
   * resourceVersions went backwards ("backwards").
   */
  #beforeListing(
    state: QueryState,
    resourceVersion: string,
    fresh: boolean,
    since: string,
  ): "late" | "backwards" | undefined {
    const listed = state.record?.complete ? state.record.listResourceVersion ?? "" : "";
    const predates = goesBackwards(listed, resourceVersion) ||
      (fresh && isNumericResourceVersion(listed) &&
        compareResourceVersions(listed, resourceVersion) === 0);
    if (!predates) return undefined;
    const followsListing = since !== "0" && isNumericResourceVersion(since) &&
      !goesBackwards(listed, since);
    return followsListing ? "backwards" : "late";
  }

  /**
   * The mutations making the query stale after a watch event at `resourceVersion` from before its
   * listing (reported once per listing): the next listing rebuilds it.
   */
  #wentBackwards(state: QueryState, resourceVersion: string): Mutation[] {
    const record = state.record!;
    if (record.stale) return [];
    const message = `a watch event at resourceVersion ${resourceVersion} predates the cached ` +
      `listing at ${record.listResourceVersion}: the upstream's resourceVersion went backwards`;
    this.#onAnomaly({ kind: "resource-version-backwards", query: state.identity, message });
    return this.#update(state, () => ({ stale: true, staleReason: message }));
  }

  /** The mutations moving the query's resourceVersion forward to `resourceVersion` (if newer). */
  #advanced(state: QueryState, resourceVersion: string): Mutation[] {
    return this.#update(state, (r) => ({
      resourceVersion: newest(r.resourceVersion, resourceVersion),
    }));
  }

  /**
   * Builds a group from the index of the query's current generation and adds it, in one
   * synchronous step (so concurrent streams of the query stay ordered). The index is read from
   * KV first if it is not in memory. For watch streams (between {@link openWatch} and
   * {@link closeWatch}).
   */
  async #withIndex(
    state: QueryState,
    build: (index: GenerationIndex) => Mutation[],
  ): Promise<void> {
    for (;;) {
      const generation = this.#ensureRecord(state).generation;
      if (state.index?.generation === generation) {
        return this.#batcher.add({ mutations: build(state.index) });
      }
      state.loading ??= this.#loadIndex(state, generation)
        .finally(() => state.loading = undefined);
      await state.loading;
    }
  }

  async #loadIndex(state: QueryState, generation: number): Promise<void> {
    await this.#batcher.sync();
    const loaded = await loadIndex(this.#kv, state.id, generation);
    if (state.record?.generation === generation) state.index = loaded;
  }

  /** `object` encoded as a record of `query`'s resource (sealed if the resource is). */
  #encode(query: QueryIdentity, object: RawObject, mediaType: string): EncodedRecord {
    const sealed = this.#options.sealed?.(query.resource) ?? false;
    return encodeRecord(object, mediaType, Date.now(), sealed);
  }

  /** The stored header at `key`, pending writes included. */
  async #current(key: Deno.KvKey): Promise<Current | undefined> {
    const pending = this.#batcher.read(key);
    const value = pending !== undefined ? pending : (await this.#kv.get<Uint8Array>(key)).value;
    if (!(value instanceof Uint8Array)) return undefined;
    try {
      const header = readHeader(value);
      // A pending value is not sealed yet: count the seal it will get.
      const seal = pending !== undefined && header.sealed ? SEAL_OVERHEAD : 0;
      return { header, size: value.byteLength + seal + (header.blob?.size ?? 0) };
    } catch {
      return undefined;
    }
  }

  /** Deletes a generation once everything before is committed and no reader holds it. */
  #dropGeneration(queryId: number, generation: number, blobs: BlobRef[]): void {
    const task = (async () => {
      await this.#batcher.sync();
      if (!await this.#pins.claim(queryId, generation)) return;
      try {
        for (const ref of blobs) {
          const mutations = [...deleteBlob(ref), { key: pendingBlobKey(ref.id), value: null }];
          await this.#batcher.add({ mutations });
        }
        await deleteGeneration(this.#kv, this.#batcher, queryId, generation);
        await this.#batcher.sync();
      } finally {
        this.#pins.deleted(queryId, generation);
      }
    })().catch(() => {
      // The batcher stopped or was closed: start-up GC collects the generation.
    }).finally(() => this.#tasks.delete(task));
    this.#tasks.add(task);
  }
}

/**
 * Where `query`'s single object `namespace/name` is kept (the query's namespace when the object
 * names none), and its entry in the writer's record of versions written.
 */
function singleSlot(query: QueryIdentity, namespace: string, name: string) {
  const gvr = gvrOf(query);
  const key = singleKey(query.component, gvr, query.transform, namespace || query.namespace, name);
  return { gvr, key, seen: JSON.stringify(key) };
}

/** A single object's entry in the writer's record of versions written. */
function versionTag(mediaType: string, resourceVersion: string): string {
  return `${mediaType} ${resourceVersion}`;
}
