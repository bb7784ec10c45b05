/**
 * Hot snapshots: the objects of the query snapshots read most recently, held in memory in snapshot
 * order (the exact stored objects: raw bytes, metadata, selectable fields), so offline LISTs and
 * watches' initial events are assembled without reading KV.
 *
 * The index follows what KV holds, never what is about to be written. A snapshot enters it when
 * the offline path reads it from KV (the first read after a start or an eviction); from then on,
 * every committed atomic is applied to it ({@link HotIndex.applyCommit}): watch events change its
 * objects, and a new generation of a hot query (a relist) is gathered as its items commit and
 * takes over when the commit switching the query record to it does. Each entry is labelled with
 * the versionstamp of the query record it reflects; a reader is answered from memory only when the
 * record it read from KV carries that same versionstamp, so an entry that missed something (a
 * split or unreadable record, a write that was not applied) is only ever a miss, never a wrong
 * answer. Whole queries are kept least recently used first within a byte budget; queries of
 * sealed resources are never entered (their objects are not held in plaintext beyond an answer).
 * @module
 */
import { keyString, parseGenerationKey, parseSnapshotKey, queryKey } from "./keys.ts";
import { decodeQueryRecord, identityOf, type QueryRecord } from "./query.ts";
import { readHeader, recordObject, type StoredObject } from "./record.ts";

/** One key set (`value`) or deleted (`value: null`) by a committed atomic. */
export interface CommittedMutation {
  key: Deno.KvKey;
  value: Uint8Array | null;
}

/** An object read from a snapshot, as a fill passes it to {@link HotIndex.fill}. */
export interface SnapshotObject {
  key: Deno.KvKey;
  object: StoredObject;
  /** Bytes held for it (its stored value, or value and blob). */
  size: number;
}

/** The index's size, for metrics and status. */
export interface HotStats {
  /** Bytes of objects held. */
  bytes: number;
  /** The budget. */
  maxBytes: number;
  /** Queries held. */
  queries: number;
}

interface Held {
  namespace: string;
  name: string | number;
  object: StoredObject;
  size: number;
}

/** The objects of one generation, by {@link heldId}. */
interface Objects {
  generation: number;
  map: Map<string, Held>;
  /** False once an object was added out of snapshot order. */
  sorted: boolean;
  bytes: number;
}

interface Entry {
  queryId: number;
  queryKey: string;
  versionstamp: string;
  current: Objects;
  /** A generation being written for the query (a relist), from its marker on. */
  next: Objects | undefined;
}

/** A fill under way: spoiled when a commit touches its query before it ends. */
interface Fill {
  queryId: number;
  queryKey: string;
  spoiled: boolean;
}

function heldId(namespace: string, name: string | number): string {
  return JSON.stringify([namespace, name]);
}

/** A UTF-16 code unit moved so that code units compare in code point (UTF-8 byte) order. */
function codePointRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  return unit >= 0xe000 ? unit - 0x800 : unit;
}

/** Orders strings by code point, which is Deno KV's (UTF-8 byte) order. */
function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** Deno KV's order of snapshot keys' tails: namespace, then name (strings before numbers). */
function compareHeld(a: Held, b: Held): number {
  const byNamespace = compareStrings(a.namespace, b.namespace);
  if (byNamespace !== 0) return byNamespace;
  if (typeof a.name === "number" || typeof b.name === "number") {
    if (typeof a.name !== "number") return -1;
    if (typeof b.name !== "number") return 1;
    return a.name - b.name;
  }
  return compareStrings(a.name, b.name);
}

function emptyObjects(generation: number): Objects {
  return { generation, map: new Map(), sorted: true, bytes: 0 };
}

/** The object a committed record value holds; undefined when memory cannot hold it as is. */
function heldObject(value: Uint8Array): StoredObject | undefined {
  try {
    const header = readHeader(value);
    if (header.blob || header.sealed) return undefined;
    return recordObject(value, header);
  } catch {
    return undefined;
  }
}

/** The in-memory index of hot query snapshots. */
export class HotIndex {
  readonly #maxBytes: number;
  readonly #isSealed: (resource: string) => boolean;
  /** Entries by query id, least recently used first. */
  readonly #entries = new Map<number, Entry>();
  readonly #byQueryKey = new Map<string, Entry>();
  readonly #fills = new Set<Fill>();
  #bytes = 0;
  /** The newest versionstamp whose commit this index has seen (or that was loaded before). */
  #seen = "";

  /** An index holding at most `maxBytes`; `isSealed` names the resources never held. */
  constructor(maxBytes: number, isSealed: (resource: string) => boolean = () => false) {
    this.#maxBytes = maxBytes;
    this.#isSealed = isSealed;
  }

  /** Bytes, budget and queries held. */
  get stats(): HotStats {
    return { bytes: this.#bytes, maxBytes: this.#maxBytes, queries: this.#entries.size };
  }

  /**
   * Notes that KV's content up to `versionstamp` is known (query records loaded at start-up):
   * a fill may label itself with such a versionstamp.
   */
  noteLoaded(versionstamp: string): void {
    if (versionstamp > this.#seen) this.#seen = versionstamp;
  }

  /**
   * The objects of `record`'s snapshot in snapshot order, when the index holds it as of the
   * record's `versionstamp`; undefined otherwise (read KV).
   */
  lookup(record: QueryRecord, versionstamp: string): StoredObject[] | undefined {
    const entry = this.#entries.get(record.id);
    if (
      !entry || entry.versionstamp !== versionstamp ||
      entry.current.generation !== record.generation
    ) return undefined;
    this.#entries.delete(record.id);
    this.#entries.set(record.id, entry);
    const objects = entry.current;
    if (!objects.sorted) {
      objects.map = new Map(
        [...objects.map].sort(([, a], [, b]) => compareHeld(a, b)),
      );
      objects.sorted = true;
    }
    return Array.from(objects.map.values(), (held) => held.object);
  }

  /**
   * Starts a fill of `record`'s snapshot when the index would hold it (not sealed, within the
   * budget); end it with {@link fill} or {@link abandonFill}.
   */
  beginFill(record: QueryRecord): Fill | undefined {
    if (this.#maxBytes <= 0 || this.#isSealed(record.resource)) return undefined;
    if (record.bytes > this.#maxBytes) return undefined;
    const fill = {
      queryId: record.id,
      queryKey: keyString(queryKey(identityOf(record))),
      spoiled: false,
    };
    this.#fills.add(fill);
    return fill;
  }

  /**
   * Enters the snapshot read by `fill`: `objects` in snapshot order, the query record being at
   * `versionstamp` after they were read. Refused when a commit touched the query meanwhile, or
   * when that versionstamp's commit has not been seen yet (the index would miss it).
   */
  fill(fill: Fill, record: QueryRecord, versionstamp: string, objects: SnapshotObject[]): void {
    this.#fills.delete(fill);
    if (fill.spoiled || versionstamp > this.#seen) return;
    const current = emptyObjects(record.generation);
    for (const { key, object, size } of objects) {
      const parsed = parseSnapshotKey(key);
      if (!parsed) return;
      const { namespace, name } = parsed;
      current.map.set(heldId(namespace, name), { namespace, name, object, size });
      current.bytes += size;
    }
    if (current.bytes > this.#maxBytes) return;
    this.#drop(record.id);
    const entry: Entry = {
      queryId: record.id,
      queryKey: fill.queryKey,
      versionstamp,
      current,
      next: undefined,
    };
    this.#entries.set(record.id, entry);
    this.#byQueryKey.set(entry.queryKey, entry);
    this.#bytes += current.bytes;
    this.#evictBeyond(entry);
  }

  /** Ends a fill that read a damaged or vanished snapshot. */
  abandonFill(fill: Fill): void {
    this.#fills.delete(fill);
  }

  /**
   * Applies one committed atomic (its mutations, at `versionstamp`): objects of held generations
   * are set or deleted, a relist's generation is gathered, and an entry follows its query record
   * (or is dropped when it cannot).
   */
  applyCommit(mutations: Iterable<CommittedMutation>, versionstamp: string): void {
    if (versionstamp > this.#seen) this.#seen = versionstamp;
    if (this.#entries.size === 0 && this.#fills.size === 0) return;
    const records: CommittedMutation[] = [];
    for (const mutation of mutations) {
      const snapshot = parseSnapshotKey(mutation.key);
      if (snapshot) {
        this.#spoil((fill) => fill.queryId === snapshot.queryId);
        const entry = this.#entries.get(snapshot.queryId);
        if (entry) this.#applyObject(entry, snapshot, mutation.value);
        continue;
      }
      const marker = parseGenerationKey(mutation.key);
      if (marker && mutation.value !== null) {
        const entry = this.#entries.get(marker.queryId);
        if (entry && marker.generation > entry.current.generation) {
          this.#bytes -= entry.next?.bytes ?? 0;
          entry.next = emptyObjects(marker.generation);
        }
        continue;
      }
      if (mutation.key[0] === "c" && mutation.key[1] === "q") records.push(mutation);
    }
    for (const { key, value } of records) {
      const id = keyString(key);
      this.#spoil((fill) => fill.queryKey === id);
      const entry = this.#byQueryKey.get(id);
      if (entry) this.#applyRecord(entry, value, versionstamp);
    }
  }

  /** Drops everything held (writes were lost: what KV holds is read again). */
  clear(): void {
    for (const id of [...this.#entries.keys()]) this.#drop(id);
    this.#spoil(() => true);
  }

  #spoil(match: (fill: Fill) => boolean): void {
    for (const fill of this.#fills) if (match(fill)) fill.spoiled = true;
  }

  #applyObject(
    entry: Entry,
    snapshot: { generation: number; namespace: string; name: string | number },
    value: Uint8Array | null,
  ): void {
    const objects = snapshot.generation === entry.current.generation
      ? entry.current
      : snapshot.generation === entry.next?.generation
      ? entry.next
      : undefined;
    if (!objects) return; // an older generation being deleted, or one begun before the entry
    const { namespace, name } = snapshot;
    const id = heldId(namespace, name);
    const old = objects.map.get(id);
    if (old) {
      objects.bytes -= old.size;
      this.#bytes -= old.size;
    }
    if (value === null) {
      objects.map.delete(id);
      return;
    }
    const object = heldObject(value);
    if (!object) return this.#drop(entry.queryId);
    const size = value.byteLength;
    // A replaced object keeps its place; a new one may belong anywhere.
    if (!old && objects.map.size > 0) objects.sorted = false;
    objects.map.set(id, { namespace, name, object, size });
    objects.bytes += size;
    this.#bytes += size;
    if (entry.current.bytes + (entry.next?.bytes ?? 0) > this.#maxBytes) {
      this.#drop(entry.queryId);
    } else {
      this.#evictBeyond(entry);
    }
  }

  #applyRecord(entry: Entry, value: Uint8Array | null, versionstamp: string): void {
    let record: QueryRecord;
    try {
      if (value === null) throw new TypeError("query deleted");
      record = decodeQueryRecord(value);
    } catch {
      return this.#drop(entry.queryId);
    }
    if (record.id !== entry.queryId) return this.#drop(entry.queryId);
    if (record.generation === entry.current.generation) {
      entry.versionstamp = versionstamp;
    } else if (record.generation === entry.next?.generation) {
      this.#bytes -= entry.current.bytes;
      entry.current = entry.next;
      entry.next = undefined;
      entry.versionstamp = versionstamp;
    } else {
      this.#drop(entry.queryId);
    }
  }

  #drop(queryId: number): void {
    const entry = this.#entries.get(queryId);
    if (!entry) return;
    this.#entries.delete(queryId);
    this.#byQueryKey.delete(entry.queryKey);
    this.#bytes -= entry.current.bytes + (entry.next?.bytes ?? 0);
  }

  /** Drops least recently used entries other than `keep` while over the budget. */
  #evictBeyond(keep: Entry): void {
    for (const [id, entry] of this.#entries) {
      if (this.#bytes <= this.#maxBytes) return;
      if (entry !== keep) this.#drop(id);
    }
  }
}
