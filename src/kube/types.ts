/**
 * The shapes the kube layer hands to the rest of holdfast: objects with the exact bytes the
 * server sent plus the metadata read from them, list parts and watch events. Pure types, no I/O.
 * @module
 */

/** Group, version and resource of an API request (`group` is "" for the core group). */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** Object metadata read from encoded bytes (JSON or protobuf) without a per-type schema. */
export interface ObjectMeta {
  name: string;
  namespace: string;
  resourceVersion: string;
  uid: string;
  labels: Record<string, string>;
}

/** Which object, at which version: what tells a fetched object the cache holds already. */
export interface ObjectVersion {
  /** `""` for a cluster-scoped object. */
  namespace: string;
  name: string;
  resourceVersion: string;
}

/**
 * One object as the server encoded it. `bytes` are kept exactly as received: for JSON the object's
 * text; for protobuf the object's own message bytes (without the `k8s\0` envelope) and `typeMeta`
 * holds the envelope's apiVersion/kind. `fields` holds the selectable fields holdfast evaluates
 * locally (e.g. `spec.nodeName`, `status.phase`, `metadata.name`), as field-selector strings.
 */
export interface RawObject {
  meta: ObjectMeta;
  fields: Record<string, string>;
  typeMeta: { apiVersion: string; kind: string };
  bytes: Uint8Array;
}

/** List metadata (`ListMeta` plus the list's own kind/apiVersion). */
export interface ListMeta {
  apiVersion: string;
  kind: string;
  resourceVersion: string;
  continue: string;
  remainingItemCount?: number;
}

/** A piece of a decoded list response: its metadata or one item. */
export type ListPart =
  | { type: "meta"; meta: ListMeta }
  | { type: "item"; object: RawObject };

/** Watch event types, as on the wire. */
export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";

/** One decoded watch event. For ERROR the object is the `Status`. */
export interface WatchEvent {
  type: WatchEventType;
  object: RawObject;
}

/**
 * A watch event framed but not necessarily decoded: its type, which object it changes and its size
 * are known at once, the rest on {@link FramedEvent.decode}. Lets the cache skip decoding an event
 * that a later one replaces before it is stored.
 */
export interface FramedEvent {
  readonly type: WatchEventType;
  /** `namespace/name` of the object (`/name` when cluster-scoped); undefined when not known. */
  readonly key: string | undefined;
  /** Bytes of the frame. */
  readonly size: number;
  /**
   * Whether the frame is known to hold exactly this one event, so that a later change of the
   * same object may replace it undecoded (may scan the frame's structure once).
   */
  replaceable(): boolean;
  /**
   * The frame decoded: this event, then any further events a frame not proven single holds.
   * Throws a SyntaxError or TypeError on invalid bytes, or on an event that is not the type and
   * object it was framed as.
   */
  decode(): WatchEvent[];
}
