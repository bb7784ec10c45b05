/**
 * The write semantics of kube-apiserver's generic registry, over the simulator's store: create
 * (generateName, uid, timestamps, AlreadyExists, missing namespace), update (name checks,
 * optimistic concurrency with 409 Conflict, no-op updates that keep the resourceVersion, the
 * `status` subresource), patch and delete (preconditions, namespace cascade). Used both by the
 * HTTP handler and by the in-process handle, so both paths behave alike.
 *
 * Simplifications: deletion is immediate (no graceful deletion or finalizers); status given on
 * create is kept for every type; no schema validation.
 * @module
 */
import {
  alreadyExists,
  badRequest,
  failure,
  invalid,
  notFound,
  type Status,
} from "../../src/kube/status.ts";
import type { Json } from "./fixtures.ts";
import { applyPatch, PatchError, type PatchType } from "./patch.ts";
import type { ResourceRegistry, ResourceType } from "./resources.ts";
import { type Change, Entry, type Store, withResourceVersion } from "./store.ts";

/** An error answered with its `Status`. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message);
    this.status = status;
  }
}

/** What a write targets: a type, a namespace ("" when cluster-scoped) and possibly a subresource. */
export interface Target {
  type: ResourceType;
  namespace: string;
  subresource?: string;
}

const GENERATION = new Set(["pods", "deployments", "endpointslices", "customresourcedefinitions"]);

function hasGeneration(type: ResourceType): boolean {
  return type.custom || GENERATION.has(type.resource);
}

/** Writes objects with kube-apiserver's rules. */
export class Writer {
  readonly #store: Store;
  readonly #registry: ResourceRegistry;
  readonly #namespaces: ResourceType;

  constructor(store: Store, registry: ResourceRegistry) {
    this.#store = store;
    this.#registry = registry;
    this.#namespaces = registry.lookup("", "v1", "namespaces")!;
  }

  /** Creates `body` (POST); a dry run checks and answers it without storing (no resourceVersion). */
  create(target: Target, body: unknown, dryRun = false): Entry {
    const { type, namespace } = target;
    const object = this.#typed(type, body);
    const meta = object.metadata as Json;
    if (!meta.name && typeof meta.generateName === "string" && meta.generateName) {
      meta.name = meta.generateName + randomSuffix();
    }
    if (typeof meta.name !== "string" || !meta.name) {
      throw new StatusError(invalid(
        `${type.kind} "" is invalid: metadata.name: Required value: name or generateName is required`,
        "metadata.name",
      ));
    }
    this.#checkNamespace(type, namespace, meta);
    if (this.#store.get(type, this.#key(type, meta.namespace as string, meta.name))) {
      throw new StatusError(alreadyExists(type.group, type.resource, meta.name));
    }
    meta.uid = crypto.randomUUID();
    meta.creationTimestamp = timestamp();
    delete meta.deletionTimestamp;
    if (hasGeneration(type)) meta.generation = 1;
    else delete meta.generation;
    if (type === this.#namespaces) defaultNamespace(object);
    if (dryRun) {
      delete meta.resourceVersion;
      return new Entry(type, object, 0);
    }
    return this.#store.put(type, object).entry;
  }

  /**
   * Replaces the object named `name` with `body` (PUT), on the object or its `status`; a dry run
   * answers the result without storing it.
   */
  update(target: Target, name: string, body: unknown, dryRun = false): Entry {
    const { type, namespace } = target;
    const current = this.#current(target, name);
    const object = this.#typed(type, body);
    const meta = object.metadata as Json;
    if (meta.name !== undefined && meta.name !== name) {
      throw new StatusError(badRequest(
        `the name of the object (${meta.name}) does not match the name on the URL (${name})`,
      ));
    }
    meta.name = name;
    this.#checkNamespace(type, namespace, meta);
    const rv = meta.resourceVersion;
    if (rv !== undefined && rv !== "" && rv !== String(current.rv)) {
      throw new StatusError(modified(type, name));
    }
    return this.#replace(target, current, object, dryRun);
  }

  /** Applies a patch of `patchType` to the object named `name` (PATCH), or only answers it. */
  patch(
    target: Target,
    name: string,
    patchType: PatchType,
    patch: unknown,
    dryRun = false,
  ): Entry {
    const current = this.#current(target, name);
    let object: Json;
    try {
      object = applyPatch(patchType, current.object, patch);
    } catch (error) {
      if (!(error instanceof PatchError)) throw error;
      throw new StatusError(
        error.code === 400 ? badRequest(error.message) : failure(422, "Invalid", error.message),
      );
    }
    const meta = { ...(object.metadata as Json) };
    if (meta.name !== name) {
      throw new StatusError(
        badRequest(`metadata.name: Invalid value: "${meta.name}": field is immutable`),
      );
    }
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== String(current.rv)) {
      throw new StatusError(modified(target.type, name));
    }
    return this.#replace(target, current, { ...object, metadata: meta }, dryRun);
  }

  /**
   * Deletes the object named `name`, checking `preconditions` (uid, resourceVersion) from
   * DeleteOptions. Deleting a namespace deletes everything in it.
   */
  delete(target: Target, name: string, preconditions: Json = {}): Change {
    const current = this.#current(target, name);
    if (preconditions.uid && preconditions.uid !== current.metadata.uid) {
      throw new StatusError(failure(
        409,
        "Conflict",
        `Precondition failed: UID in precondition: ${preconditions.uid}, UID in object meta: ${current.metadata.uid}`,
        { name, group: target.type.group || undefined, kind: target.type.resource },
      ));
    }
    if (preconditions.resourceVersion && preconditions.resourceVersion !== String(current.rv)) {
      throw new StatusError(modified(target.type, name));
    }
    if (target.type === this.#namespaces) this.#emptyNamespace(name);
    return this.#store.remove(target.type, current.key)!;
  }

  /** Deletes every object of `entries` (DELETE on a collection) and returns their last states. */
  deleteAll(type: ResourceType, entries: Entry[]): Entry[] {
    return entries.map((entry) => {
      if (type === this.#namespaces) this.#emptyNamespace(entry.metadata.name as string);
      return this.#store.remove(type, entry.key)!.prev!;
    });
  }

  #emptyNamespace(namespace: string): void {
    for (const type of this.#registry.types) {
      if (!type.namespaced) continue;
      for (const entry of this.#store.current(type)) {
        if (entry.metadata.namespace === namespace) this.#store.remove(type, entry.key);
      }
    }
  }

  #replace(target: Target, current: Entry, object: Json, dryRun: boolean): Entry {
    const { type, subresource } = target;
    const old = current.object;
    const oldMeta = current.metadata;
    let next: Json;
    if (subresource === "status") {
      // Status writes change status, plus labels and annotations (as kubelet and flannel rely on).
      const meta = { ...oldMeta };
      const newMeta = object.metadata as Json;
      for (const field of ["labels", "annotations"]) {
        if (newMeta[field] === undefined) delete meta[field];
        else meta[field] = newMeta[field];
      }
      next = { ...old, metadata: meta };
      if (object.status === undefined) delete next.status;
      else next.status = object.status;
    } else {
      next = { ...object };
      if (type.hasStatus) {
        if (old.status === undefined) delete next.status;
        else next.status = old.status;
      }
      const meta: Json = {
        ...(object.metadata as Json),
        uid: oldMeta.uid,
        creationTimestamp: oldMeta.creationTimestamp,
      };
      if (oldMeta.namespace !== undefined) meta.namespace = oldMeta.namespace;
      if (hasGeneration(type)) {
        const specChanged = JSON.stringify(old.spec) !== JSON.stringify(next.spec);
        meta.generation = Number(oldMeta.generation ?? 0) + (specChanged ? 1 : 0);
      } else delete meta.generation;
      next.metadata = meta;
    }
    next.metadata = withResourceVersion(next.metadata as Json, String(current.rv));
    if (JSON.stringify(next) === JSON.stringify(old)) return current;
    if (dryRun) return new Entry(type, next, current.rv);
    return this.#store.put(type, next).entry;
  }

  #current(target: Target, name: string): Entry {
    const { type, namespace } = target;
    const entry = this.#store.get(type, this.#key(type, namespace, name));
    if (!entry) throw new StatusError(notFound(type.group, type.resource, name));
    return entry;
  }

  #key(type: ResourceType, namespace: string, name: string): string {
    return type.namespaced ? `${namespace}/${name}` : name;
  }

  /** A fresh copy of `body` with the type's kind/apiVersion first and a fresh metadata object. */
  #typed(type: ResourceType, body: unknown): Json {
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new StatusError(badRequest("the body of the request must be a JSON object"));
    }
    const { kind, apiVersion, metadata, ...rest } = body as Json;
    if ((kind && kind !== type.kind) || (apiVersion && apiVersion !== type.groupVersion)) {
      throw new StatusError(badRequest(
        `the API version in the data (${apiVersion}) does not match the expected API version (${type.groupVersion})`,
      ));
    }
    const meta: Json = typeof metadata === "object" && metadata !== null
      ? { ...(metadata as Json) }
      : {};
    return type.custom
      ? { apiVersion: type.groupVersion, kind: type.kind, metadata: meta, ...rest }
      : { kind: type.kind, apiVersion: type.groupVersion, metadata: meta, ...rest };
  }

  #checkNamespace(type: ResourceType, namespace: string, meta: Json): void {
    if (!type.namespaced) {
      delete meta.namespace;
      return;
    }
    if (meta.namespace && meta.namespace !== namespace) {
      throw new StatusError(badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      ));
    }
    meta.namespace = namespace;
    if (!this.#store.get(this.#namespaces, namespace)) {
      throw new StatusError(notFound("", "namespaces", namespace));
    }
  }
}

/**
 * What kube-apiserver sets on a new Namespace: the `kubernetes.io/metadata.name` label, the
 * `kubernetes` finalizer when none is given, and phase Active.
 */
function defaultNamespace(object: Json): void {
  const meta = object.metadata as Json;
  meta.labels = { ...(meta.labels as Json | undefined), "kubernetes.io/metadata.name": meta.name };
  const spec = (object.spec ?? {}) as Json;
  object.spec = { ...spec, finalizers: spec.finalizers ?? ["kubernetes"] };
  object.status = { phase: "Active" };
}

/** 409 Conflict for a write based on a stale resourceVersion. */
function modified(type: ResourceType, name: string): Status {
  const qualified = type.group ? `${type.resource}.${type.group}` : type.resource;
  return failure(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualified} "${name}": the object has been modified; ` +
      "please apply your changes to the latest version and try again",
    { name, group: type.group || undefined, kind: type.resource },
  );
}

/** An RFC 3339 timestamp with seconds precision, as metav1.Time marshals. */
export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

const ALPHABET = "bcdfghjklmnpqrstvwxz2456789";

/** A 5-character suffix from kube-apiserver's alphabet, as for generateName. */
function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  return [...bytes].map((b) => ALPHABET[b % ALPHABET.length]).join("");
}
