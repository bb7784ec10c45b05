/**
 * Kubernetes protobuf on the wire: the `k8s\0` envelope, schema-free ObjectMeta and ListMeta
 * reads, byte-preserving metadata rewrites, list splitting and assembly, watch framing, `Status`,
 * and the `WireCodec` built from them.
 * @module
 */
export { PROTOBUF_MEDIA_TYPE, PROTOBUF_WATCH_CONTENT_TYPE, protobufCodec } from "./codec.ts";
export {
  decodeEnvelope,
  encodeEnvelope,
  type Envelope,
  hasMagic,
  MAGIC,
  type TypeMeta,
} from "./envelope.ts";
export { DEFAULT_MAX_FRAME_BYTES, frameHeader, FrameSplitter } from "./frames.ts";
export {
  decodeList,
  DEFAULT_MAX_ELEMENT_BYTES,
  type ListDecoderOptions,
  ListParser,
  protobufListDecoder,
} from "./list_decoder.ts";
export { DEFAULT_LIST_CHUNK_BYTES, encodeListChunks } from "./list_encoder.ts";
export { encodeListMeta, type ListMetaFields, readListMeta } from "./list_meta.ts";
export {
  type ObjectMetaDetails,
  type OwnerReference,
  readObjectMeta,
  readObjectMetaDetails,
} from "./object_meta.ts";
export { toRawObject } from "./object.ts";
export {
  replaceField,
  setLabels,
  setName,
  setNamespace,
  setResourceVersion,
  setString,
} from "./rewrite.ts";
export { FIELD_RULES, type FieldRule, readSelectableFields } from "./selectable_fields.ts";
export { decodeStatus, decodeStatusMessage, encodeStatus, STATUS_TYPE_META } from "./status.ts";
export {
  decodeWatchFrame,
  encodeWatchFrame,
  parseWatchEvent,
  protobufWatchDecoder,
  type WatchDecoderOptions,
  type WatchEventMessage,
} from "./watch.ts";
export { ProtobufError } from "./wire.ts";
