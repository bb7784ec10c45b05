/**
 * The contract every wire format (JSON, Kubernetes protobuf) implements, so the cache branch and
 * the offline answers never look at bytes themselves. Pure: no I/O.
 * @module
 */
import type {
  FramedEvent,
  ListMeta,
  ListPart,
  ObjectMeta,
  ObjectVersion,
  RawObject,
  WatchEvent,
  WatchEventType,
} from "./types.ts";
import type { Status } from "./status.ts";

/** An object's `kind` and `apiVersion`. */
export type TypeMeta = RawObject["typeMeta"];

/** The metadata fields holdfast stamps on objects it writes itself (leases, queued events). */
export type MetadataEdit = Partial<
  Pick<ObjectMeta, "name" | "namespace" | "uid" | "resourceVersion">
>;

/**
 * Objects as plain values (JSON's data model), for a format whose objects holdfast can edit
 * without their type's schema (offline status patches).
 */
export interface ObjectValues {
  /** The value of one encoded object; throws when the bytes do not hold one. */
  decode(bytes: Uint8Array): Record<string, unknown>;
  /** One object of `resource` encoded from its value. */
  encode(value: Record<string, unknown>, resource: string): RawObject;
}

/** Encoder and decoder for one Kubernetes wire format. */
export interface WireCodec {
  /** The media type without parameters, e.g. `application/json`. */
  readonly mediaType: string;
  /** The Content-Type of a watch stream in this format. */
  readonly watchContentType: string;
  /** Splits a streamed list body, cut at arbitrary chunk boundaries, into its metadata and items. */
  listDecoder(resource: string): TransformStream<Uint8Array, ListPart>;
  /** Splits a streamed watch body, cut at arbitrary chunk boundaries, into events. */
  watchDecoder(resource: string): TransformStream<Uint8Array, WatchEvent>;
  /**
   * Splits a streamed watch body into framed events, decoded when asked (what the cache ingest
   * reads, so that an event replaced before it is stored need not be decoded).
   */
  watchFramer(resource: string): TransformStream<Uint8Array, FramedEvent>;
  /** Decodes one whole object body (a GET, create, update or patch response). */
  decodeObject(body: Uint8Array, resource: string): RawObject;
  /**
   * Which object, at which version, a whole object body holds, read without decoding or
   * validating it; undefined when the format cannot tell that more cheaply than `decodeObject`.
   */
  peekObject(body: Uint8Array): ObjectVersion | undefined;
  /** Encodes one object as a GET response body (adding kind/apiVersion where the bytes lack them). */
  encodeObject(object: RawObject): Uint8Array;
  /** Encodes a list response body from cached items, in chunks, so large lists stream. */
  encodeList(meta: ListMeta, items: Iterable<RawObject>): Iterable<Uint8Array>;
  /** Encodes one watch event frame (JSON: a line; protobuf: a length-prefixed frame). */
  encodeWatchEvent(type: WatchEventType, object: RawObject): Uint8Array;
  /** Encodes a `Status` body. */
  encodeStatus(status: Status): Uint8Array;
  /**
   * The object of a BOOKMARK event: of type `typeMeta`, with only `metadata.resourceVersion` set
   * and, for `initialEventsEnd`, the annotation that ends a watch-list's initial events.
   */
  bookmark(typeMeta: TypeMeta, resourceVersion: string, initialEventsEnd: boolean): RawObject;
  /** One encoded object's bytes with the `fields` of its metadata set; every other byte kept. */
  setMetadata(bytes: Uint8Array, fields: MetadataEdit): Uint8Array;
  /** Objects as plain values; absent for a format that needs the type's schema (protobuf). */
  readonly values?: ObjectValues;
}
