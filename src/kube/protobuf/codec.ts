/**
 * The Kubernetes protobuf `WireCodec`. A `RawObject`'s `bytes` are the object's own message (no
 * envelope) and its `typeMeta` the envelope's apiVersion/kind; list items take the list's
 * apiVersion and its kind minus "List". Decoders keep the bytes they were given; encoders add the
 * envelope (and the frame for watch events) exactly as kube-apiserver writes them.
 * @module
 */
import type { WireCodec } from "../codec.ts";
import type { ListMeta, RawObject } from "../types.ts";
import { decodeEnvelope, encodeEnvelope, requirePlain } from "./envelope.ts";
import { protobufListDecoder } from "./list_decoder.ts";
import { encodeListChunks } from "./list_encoder.ts";
import { toRawObject } from "./object.ts";
import { setMetadata } from "./rewrite.ts";
import { encodeStatus } from "./status.ts";
import {
  encodeWatchFrame,
  protobufBookmark,
  protobufWatchDecoder,
  protobufWatchFramer,
} from "./watch.ts";

/** Media type of Kubernetes protobuf objects, lists and errors. */
export const PROTOBUF_MEDIA_TYPE = "application/vnd.kubernetes.protobuf";

/** Content-Type of a Kubernetes protobuf watch stream. */
export const PROTOBUF_WATCH_CONTENT_TYPE = "application/vnd.kubernetes.protobuf;stream=watch";

/** Encodes a list response as chunks (see `encodeListChunks`). */
function* encodeList(meta: ListMeta, items: Iterable<RawObject>): Iterable<Uint8Array> {
  const bytes = Array.from(items, (item) => item.bytes);
  yield* encodeListChunks({ apiVersion: meta.apiVersion, kind: meta.kind }, meta, bytes);
}

/** Kubernetes protobuf (`application/vnd.kubernetes.protobuf`). */
export const protobufCodec: WireCodec = {
  mediaType: PROTOBUF_MEDIA_TYPE,
  watchContentType: PROTOBUF_WATCH_CONTENT_TYPE,
  listDecoder: () => protobufListDecoder(),
  watchDecoder: () => protobufWatchDecoder(),
  watchFramer: () => protobufWatchFramer(),
  decodeObject(body) {
    const envelope = requirePlain(decodeEnvelope(body));
    return toRawObject(envelope, envelope.raw);
  },
  // Decoding reads only the metadata and selectable fields already (the rest skipped by length).
  peekObject: () => undefined,
  encodeObject: (object) => encodeEnvelope(object.typeMeta, object.bytes),
  encodeList,
  encodeWatchEvent: (type, object) => encodeWatchFrame(type, object.typeMeta, object.bytes),
  encodeStatus,
  bookmark: protobufBookmark,
  setMetadata,
};
