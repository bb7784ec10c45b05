/**
 * The Kubernetes protobuf envelope: the 4-byte magic `k8s\0` followed by a `runtime.Unknown`
 * message (apimachinery `pkg/runtime/generated.proto`):
 *
 * | Unknown field     | # | note                                                         |
 * |-------------------|---|--------------------------------------------------------------|
 * | typeMeta          | 1 | `runtime.TypeMeta` { apiVersion = 1, kind = 2 } — the order  |
 * |                   |   | is the reverse of `meta.v1.TypeMeta` (kind = 1)              |
 * | raw               | 2 | the object's own message, e.g. `k8s.io.api.core.v1.Pod`      |
 * | contentEncoding   | 3 | written empty by Go (gogo emits non-pointer strings)         |
 * | contentType       | 4 | written empty by Go; empty means protobuf                    |
 *
 * Go writes all fields, empty or not, in this order; `encodeEnvelope` does the same so an
 * unmodified object re-encodes byte for byte.
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";
import { concat } from "../../streams/concat.ts";
import { fieldHeader, guard, ProtobufError, stringField } from "./wire.ts";

/** The magic prefix of every Kubernetes protobuf body: `k8s` and encoding style 0. */
export const MAGIC: Uint8Array = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);

/** apiVersion and kind as carried by the envelope's `runtime.TypeMeta`. */
export interface TypeMeta {
  apiVersion: string;
  kind: string;
}

/** A decoded `runtime.Unknown`; `raw` is a view into the decoded body, not a copy. */
export interface Envelope extends TypeMeta {
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Whether `body` starts with the `k8s\0` magic. */
export function hasMagic(body: Uint8Array): boolean {
  return body.length >= 4 && body[0] === MAGIC[0] && body[1] === MAGIC[1] &&
    body[2] === MAGIC[2] && body[3] === MAGIC[3];
}

/** Reads a `runtime.TypeMeta` message (apiVersion = 1, kind = 2). */
export function decodeTypeMeta(message: Uint8Array): TypeMeta {
  const typeMeta = { apiVersion: "", kind: "" };
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.LengthDelimited && fieldNo === 1) {
      typeMeta.apiVersion = reader.string();
    } else if (wireType === WireType.LengthDelimited && fieldNo === 2) {
      typeMeta.kind = reader.string();
    } else reader.skip(wireType, fieldNo);
  }
  return typeMeta;
}

/**
 * Decodes an enveloped body. Throws `ProtobufError` when the magic is missing (the body is not
 * Kubernetes protobuf), when the `Unknown` is malformed, or when it carries no `raw`.
 */
export function decodeEnvelope(body: Uint8Array): Envelope {
  if (!hasMagic(body)) {
    throw new ProtobufError("not a Kubernetes protobuf body: the k8s\\0 magic prefix is missing");
  }
  return guard("malformed protobuf envelope", () => {
    const envelope = { apiVersion: "", kind: "", contentEncoding: "", contentType: "" };
    let raw: Uint8Array | undefined;
    const reader = new BinaryReader(body.subarray(MAGIC.length));
    while (reader.pos < reader.len) {
      const [fieldNo, wireType] = reader.tag();
      if (wireType !== WireType.LengthDelimited || fieldNo > 4) {
        reader.skip(wireType, fieldNo);
      } else if (fieldNo === 1) {
        Object.assign(envelope, decodeTypeMeta(reader.bytes()));
      } else if (fieldNo === 2) {
        raw = reader.bytes();
      } else if (fieldNo === 3) {
        envelope.contentEncoding = reader.string();
      } else {
        envelope.contentType = reader.string();
      }
    }
    if (raw === undefined) throw new ProtobufError("the envelope carries no raw object");
    return { ...envelope, raw };
  });
}

/**
 * Returns `envelope` if its raw is plain protobuf (contentEncoding and contentType empty, as
 * kube-apiserver always sends); throws `ProtobufError` otherwise.
 */
export function requirePlain(envelope: Envelope): Envelope {
  if (envelope.contentEncoding !== "" || envelope.contentType !== "") {
    throw new ProtobufError(
      `unsupported protobuf envelope content (encoding "${
        envelope.contentEncoding.slice(0, 64)
      }", ` +
        `type "${envelope.contentType.slice(0, 64)}")`,
    );
  }
  return envelope;
}

/**
 * Encodes an envelope the way Go's generated marshaller does: typeMeta, raw, then the (normally
 * empty) contentEncoding and contentType, all always written. `raw` is copied once.
 */
export function encodeEnvelope(
  typeMeta: TypeMeta,
  raw: Uint8Array,
  contentEncoding = "",
  contentType = "",
): Uint8Array {
  return concat(envelopeParts(typeMeta, raw, contentEncoding, contentType));
}

/** The pieces of an envelope, in order, so callers can frame it without an extra copy. */
export function envelopeParts(
  typeMeta: TypeMeta,
  raw: Uint8Array,
  contentEncoding = "",
  contentType = "",
): Uint8Array[] {
  return [
    MAGIC,
    envelopeHead(typeMeta, raw.length),
    raw,
    stringField(3, contentEncoding),
    stringField(4, contentType),
  ];
}

/** The bytes between the magic and `raw`: the typeMeta field and raw's tag and length. */
export function envelopeHead(typeMeta: TypeMeta, rawLength: number): Uint8Array {
  const typeMetaBody = concat([
    stringField(1, typeMeta.apiVersion),
    stringField(2, typeMeta.kind),
  ]);
  return concat([
    fieldHeader(1, typeMetaBody.length),
    typeMetaBody,
    fieldHeader(2, rawLength),
  ]);
}
