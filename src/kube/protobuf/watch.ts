/**
 * Protobuf watch streams (`application/vnd.kubernetes.protobuf;stream=watch`). Each frame
 * (see `frames.ts`) holds a bare `meta.v1.WatchEvent` — no magic, no envelope:
 * `{ type = 1 (string), object = 2 (runtime.RawExtension { raw = 1 }) }`, and `object.raw` holds
 * the object encoded normally, i.e. with `k8s\0` and the `Unknown` envelope.
 *
 * A frame is fully decoded and checked before its event is emitted, so a bad frame never yields
 * an event: it fails the stream with a `ProtobufError`.
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";
import type { FramedEvent, RawObject, WatchEvent, WatchEventType } from "../types.ts";
import { decodedFrame } from "../framed_event.ts";
import { bookmarkAnnotations, bookmarkRawObject } from "../watch_list.ts";
import { decodeEnvelope, envelopeParts, requirePlain, type TypeMeta } from "./envelope.ts";
import { DEFAULT_MAX_FRAME_BYTES, frameHeader, FrameSplitter } from "./frames.ts";
import { findBytes } from "./message.ts";
import { toRawObject } from "./object.ts";
import { orderedTransform } from "../../streams/ordered_transform.ts";
import { concat } from "../../streams/concat.ts";
import { fieldHeader, guard, messageField, ProtobufError, stringField } from "./wire.ts";

const EVENT_TYPES: ReadonlySet<string> = new Set<WatchEventType>([
  "ADDED",
  "MODIFIED",
  "DELETED",
  "BOOKMARK",
  "ERROR",
]);

/** The two fields of a `meta.v1.WatchEvent`, unchecked: its type and `object.raw`. */
export interface WatchEventMessage {
  type: string;
  raw: Uint8Array;
}

/** Reads a `meta.v1.WatchEvent` message without judging its contents. */
export function parseWatchEvent(message: Uint8Array): WatchEventMessage {
  let type = "";
  let raw: Uint8Array = new Uint8Array(0);
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 1) type = reader.string();
    else if (ld && fieldNo === 2) raw = findBytes(reader.bytes(), 1) ?? raw;
    else reader.skip(wireType, fieldNo);
  }
  return { type, raw };
}

/**
 * Decodes one frame's WatchEvent into a `WatchEvent`. Throws `ProtobufError` for an unknown type,
 * a missing object, an object without the `k8s\0` envelope or an unsupported content encoding.
 */
export function decodeWatchFrame(frame: Uint8Array): WatchEvent {
  const { type, raw } = guard("malformed protobuf watch event", () => parseWatchEvent(frame));
  if (!EVENT_TYPES.has(type)) {
    throw new ProtobufError(`unknown watch event type "${type.slice(0, 64)}"`);
  }
  if (raw.length === 0) throw new ProtobufError(`watch event ${type} carries no object`);
  const envelope = requirePlain(decodeEnvelope(raw));
  return { type: type as WatchEventType, object: toRawObject(envelope, envelope.raw) };
}

/**
 * One complete watch frame: length prefix, WatchEvent { type, object { raw: envelope(object) } }.
 * `raw` (the object's own message) is copied once.
 */
export function encodeWatchFrame(
  type: WatchEventType,
  typeMeta: TypeMeta,
  raw: Uint8Array,
): Uint8Array {
  const envelope = envelopeParts(typeMeta, raw);
  let envelopeLength = 0;
  for (const part of envelope) envelopeLength += part.length;
  const typeField = stringField(1, type);
  const rawHeader = fieldHeader(1, envelopeLength);
  const objectHeader = fieldHeader(2, rawHeader.length + envelopeLength);
  const eventLength = typeField.length + objectHeader.length + rawHeader.length + envelopeLength;
  return concat([frameHeader(eventLength), typeField, objectHeader, rawHeader, ...envelope]);
}

/**
 * A bookmark object of type `typeMeta`: ObjectMeta (field 1) with only resourceVersion (6) and,
 * for `initialEventsEnd`, the end marker among its annotations (12).
 */
export function protobufBookmark(
  typeMeta: TypeMeta,
  resourceVersion: string,
  initialEventsEnd: boolean,
): RawObject {
  const meta = [stringField(6, resourceVersion)];
  for (const [key, value] of Object.entries(bookmarkAnnotations(initialEventsEnd))) {
    meta.push(messageField(12, concat([stringField(1, key), stringField(2, value)])));
  }
  const bytes = messageField(1, concat(meta));
  return bookmarkRawObject(typeMeta, resourceVersion, bytes);
}

/** Options of the watch decoder. */
export interface WatchDecoderOptions {
  /** Largest frame accepted; a longer length prefix fails the stream at once. */
  maxFrameBytes?: number;
}

/**
 * A protobuf watch body, split at arbitrary chunk boundaries, in; its events out. A bad frame
 * errors the stream after every event decoded before it, and never yields an event itself.
 */
export function protobufWatchDecoder(
  options: WatchDecoderOptions = {},
): TransformStream<Uint8Array, WatchEvent> {
  return watchTransform(options, decodeWatchFrame);
}

/**
 * {@link protobufWatchDecoder}'s events as framed events (each decoded as it is framed: a
 * protobuf event costs little to decode).
 */
export function protobufWatchFramer(
  options: WatchDecoderOptions = {},
): TransformStream<Uint8Array, FramedEvent> {
  return watchTransform(options, (frame) => decodedFrame(decodeWatchFrame(frame)));
}

function watchTransform<T>(
  options: WatchDecoderOptions,
  decode: (frame: Uint8Array) => T,
): TransformStream<Uint8Array, T> {
  const frames = new FrameSplitter(options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES);
  return orderedTransform<Uint8Array, T>({
    push: (chunk, emit) => frames.push(chunk, (frame) => emit(decode(frame))),
    finish: () => frames.finish(),
  });
}
