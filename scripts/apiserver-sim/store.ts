/**
 * The simulator's storage: immutable object states per resource type, one cluster-wide strictly
 * increasing resourceVersion, a bounded history of changes (the watch window, like etcd after
 * compaction), point-in-time snapshots inside that window and synchronous change listeners.
 * @module
 */
import { selectableFieldsOf } from "../../src/kube/selectable_fields.ts";
import type { Json } from "./fixtures.ts";
import type { ResourceType } from "./resources.ts";

const encoder = new TextEncoder();

/** The ObjectMeta fields kube-apiserver writes after `resourceVersion` (Go's field order). */
const AFTER_RESOURCE_VERSION = new Set([
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "labels",
  "annotations",
  "ownerReferences",
  "finalizers",
  "managedFields",
]);

/**
 * `metadata` with `resourceVersion` set to `rv` where kube-apiserver writes it: after `uid`,
 * before `generation` and the rest (Go's ObjectMeta field order), so that a client reading the
 * bytes finds it as early as in a real server's answer, not after `managedFields`. A
 * `resourceVersion` already there keeps its place.
 */
export function withResourceVersion(metadata: Json, rv: string): Json {
  if ("resourceVersion" in metadata) return { ...metadata, resourceVersion: rv };
  const out: Json = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!("resourceVersion" in out) && AFTER_RESOURCE_VERSION.has(key)) out.resourceVersion = rv;
    out[key] = value;
  }
  out.resourceVersion ??= rv;
  return out;
}

/**
 * One state of one object. The object is never mutated once stored (generated objects share
 * sub-structures); its JSON bytes and selectable fields are computed on first use and kept.
 */
export class Entry {
  /** `namespace/name`, or `name` for cluster-scoped types: the storage key, in list order. */
  readonly key: string;
  readonly rv: number;
  readonly object: Json;
  readonly type: ResourceType;
  #json?: Uint8Array;
  #fields?: Record<string, string>;

  constructor(type: ResourceType, object: Json, rv: number) {
    this.type = type;
    this.object = object;
    this.rv = rv;
    this.key = keyOf(type, object);
  }

  /** The object's metadata. */
  get metadata(): Json {
    return this.object.metadata as Json;
  }

  /** The object's labels (empty when none). */
  get labels(): Record<string, string> {
    return (this.metadata.labels as Record<string, string> | undefined) ?? {};
  }

  /** The object as JSON, with `kind` and `apiVersion`. */
  get json(): Uint8Array {
    return this.#json ??= encoder.encode(JSON.stringify(this.object));
  }

  /** The selectable fields (`metadata.name`, `spec.nodeName`, …) rendered as strings. */
  get fields(): Record<string, string> {
    return this.#fields ??= selectableFieldsOf(this.object, this.type.resource);
  }
}

/** The storage key of `object` of `type`. */
export function keyOf(type: ResourceType, object: Json): string {
  const meta = object.metadata as Json;
  return type.namespaced ? `${meta.namespace}/${meta.name}` : String(meta.name);
}

/** One stored change. `prev` is the state before (absent for ADDED). */
export interface Change {
  type: "ADDED" | "MODIFIED" | "DELETED";
  entry: Entry;
  prev?: Entry;
}

/** Called synchronously for every change of the subscribed type. */
export type Listener = (change: Change) => void;

/** Objects, resourceVersions, history and listeners. */
export class Store {
  #rv = 0;
  #oldest = 0;
  readonly #historySize: number;
  readonly #history: Change[] = [];
  #head = 0;
  readonly #data = new Map<ResourceType, Map<string, Entry>>();
  readonly #sorted = new Map<ResourceType, string[]>();
  readonly #listeners = new Map<ResourceType, Set<Listener>>();

  /** A store that remembers the last `historySize` changes. */
  constructor(historySize: number) {
    this.#historySize = Math.max(1, historySize);
  }

  /** The current (latest) resourceVersion. */
  get resourceVersion(): number {
    return this.#rv;
  }

  /** The oldest resourceVersion still inside the history window (older ones are "too old"). */
  get oldestResourceVersion(): number {
    return this.#oldest;
  }

  /** The current state of the object at `key`. */
  get(type: ResourceType, key: string): Entry | undefined {
    return this.#data.get(type)?.get(key);
  }

  /** How many objects of `type` exist now. */
  count(type: ResourceType): number {
    return this.#data.get(type)?.size ?? 0;
  }

  /** The current objects of `type`, in key order. */
  current(type: ResourceType): Entry[] {
    const objects = this.#objects(type);
    let keys = this.#sorted.get(type);
    if (!keys) {
      keys = [...objects.keys()].sort(compareKeys);
      this.#sorted.set(type, keys);
    }
    return keys.map((key) => objects.get(key)!);
  }

  /**
   * The objects of `type` as they were at `rv`, in key order; undefined when `rv` is older than
   * the history window or newer than the store.
   */
  snapshot(type: ResourceType, rv: number): Entry[] | undefined {
    if (rv === this.#rv) return this.current(type);
    const changes = this.changesSince(type, rv);
    if (!changes) return undefined;
    const objects = new Map(this.#objects(type));
    for (let i = changes.length - 1; i >= 0; i--) {
      const change = changes[i];
      if (change.prev) objects.set(change.entry.key, change.prev);
      else objects.delete(change.entry.key);
    }
    return [...objects.keys()].sort(compareKeys).map((key) => objects.get(key)!);
  }

  /**
   * The changes of `type` after `rv`, oldest first; undefined when `rv` is older than the history
   * window or newer than the store.
   */
  changesSince(type: ResourceType, rv: number): Change[] | undefined {
    if (rv < this.#oldest || rv > this.#rv) return undefined;
    const out: Change[] = [];
    const size = this.#history.length;
    // The ring is ordered by rv from #head; find the first change after rv by binary search.
    let lo = 0, hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.#history[(this.#head + mid) % size].entry.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < size; i++) {
      const change = this.#history[(this.#head + i) % size];
      if (change.entry.type === type) out.push(change);
    }
    return out;
  }

  /** Adds or replaces `object` (its key read from its metadata), assigning the next resourceVersion. */
  put(type: ResourceType, object: Json): Change {
    const rv = ++this.#rv;
    object.metadata = withResourceVersion(object.metadata as Json, String(rv));
    const entry = new Entry(type, object, rv);
    const objects = this.#objects(type);
    const prev = objects.get(entry.key);
    objects.set(entry.key, entry);
    if (!prev) this.#sorted.delete(type);
    return this.#record(prev ? { type: "MODIFIED", entry, prev } : { type: "ADDED", entry });
  }

  /** Deletes the object at `key`; the DELETED state carries the deletion's resourceVersion. */
  remove(type: ResourceType, key: string): Change | undefined {
    const objects = this.#objects(type);
    const prev = objects.get(key);
    if (!prev) return undefined;
    const rv = ++this.#rv;
    const object = { ...prev.object, metadata: { ...prev.metadata, resourceVersion: String(rv) } };
    objects.delete(key);
    this.#sorted.delete(type);
    return this.#record({ type: "DELETED", entry: new Entry(type, object, rv), prev });
  }

  /** Calls `listener` for every later change of `type`; returns the unsubscribe function. */
  subscribe(type: ResourceType, listener: Listener): () => void {
    let listeners = this.#listeners.get(type);
    if (!listeners) this.#listeners.set(type, listeners = new Set());
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** Forgets all history, as etcd compaction does: older resourceVersions become "too old". */
  compact(): void {
    this.#history.length = 0;
    this.#head = 0;
    this.#oldest = this.#rv;
  }

  /**
   * Goes back to `rv`, as etcd restored from a backup taken then: every object as it was at `rv`,
   * the next write gets `rv + 1`, and the history is forgotten (older versions are "too old").
   * Throws for a version outside the history window.
   */
  restore(rv: number): void {
    const restored = new Map<ResourceType, Entry[]>();
    for (const type of this.#data.keys()) {
      const entries = this.snapshot(type, rv);
      if (!entries) throw new RangeError(`resourceVersion ${rv} is outside the history window`);
      restored.set(type, entries);
    }
    for (const [type, entries] of restored) {
      this.#data.set(type, new Map(entries.map((entry) => [entry.key, entry])));
      this.#sorted.delete(type);
    }
    this.#rv = rv;
    this.compact();
  }

  #objects(type: ResourceType): Map<string, Entry> {
    let objects = this.#data.get(type);
    if (!objects) this.#data.set(type, objects = new Map());
    return objects;
  }

  #record(change: Change): Change {
    if (this.#history.length < this.#historySize) this.#history.push(change);
    else {
      this.#oldest = this.#history[this.#head].entry.rv;
      this.#history[this.#head] = change;
      this.#head = (this.#head + 1) % this.#historySize;
    }
    for (const listener of this.#listeners.get(change.entry.type) ?? []) listener(change);
    return change;
  }
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
