/**
 * `meta.v1.Status` in protobuf, inside the envelope with typeMeta { apiVersion "v1", kind
 * "Status" }, as kube-apiserver sends error bodies and watch ERROR objects. Field numbers
 * (apimachinery `pkg/apis/meta/v1/generated.proto`):
 *
 * - Status: metadata (ListMeta) 1, status 2, message 3, reason 4, details 5, code 6 (int32)
 * - StatusDetails: name 1, group 2, kind 3, causes 4, retryAfterSeconds 5 (int32), uid 6
 * - StatusCause: reason 1, message 2, field 3
 *
 * Go writes every non-pointer field even when empty (details only when set), and so does
 * `encodeStatus`.
 * @module
 */
import { BinaryReader, BinaryWriter, WireType } from "./binary.ts";
import type { Status, StatusCause, StatusDetails } from "../status.ts";
import { decodeEnvelope, encodeEnvelope } from "./envelope.ts";
import { encodeListMeta } from "./list_meta.ts";
import { guard, ProtobufError } from "./wire.ts";

/** The envelope typeMeta of a Status. */
export const STATUS_TYPE_META = { apiVersion: "v1", kind: "Status" } as const;

/** Encodes `status` as a complete protobuf body (magic, envelope, Status message). */
export function encodeStatus(status: Status): Uint8Array {
  return encodeEnvelope(STATUS_TYPE_META, encodeStatusMessage(status));
}

/** Encodes the Status message itself (the envelope's raw). */
export function encodeStatusMessage(status: Status): Uint8Array {
  const writer = new BinaryWriter()
    .tag(1, WireType.LengthDelimited).bytes(encodeListMeta({ resourceVersion: "", continue: "" }))
    .tag(2, WireType.LengthDelimited).string(status.status)
    .tag(3, WireType.LengthDelimited).string(status.message)
    .tag(4, WireType.LengthDelimited).string(status.reason);
  const details = status.details;
  if (details) {
    writer.tag(5, WireType.LengthDelimited).fork()
      .tag(1, WireType.LengthDelimited).string(details.name ?? "")
      .tag(2, WireType.LengthDelimited).string(details.group ?? "")
      .tag(3, WireType.LengthDelimited).string(details.kind ?? "");
    for (const cause of details.causes ?? []) {
      writer.tag(4, WireType.LengthDelimited).fork()
        .tag(1, WireType.LengthDelimited).string(cause.reason ?? "")
        .tag(2, WireType.LengthDelimited).string(cause.message ?? "")
        .tag(3, WireType.LengthDelimited).string(cause.field ?? "")
        .join();
    }
    writer.tag(5, WireType.Varint).int32(details.retryAfterSeconds ?? 0)
      .tag(6, WireType.LengthDelimited).string(details.uid ?? "")
      .join();
  }
  return writer.tag(6, WireType.Varint).int32(status.code).finish();
}

/**
 * Decodes a complete protobuf Status body. Throws `ProtobufError` when the body is not an
 * enveloped Status or is malformed.
 */
export function decodeStatus(body: Uint8Array): Status {
  const { kind, raw } = decodeEnvelope(body);
  if (kind !== "Status") throw new ProtobufError(`expected a Status, got kind "${kind}"`);
  return guard("malformed protobuf Status", () => decodeStatusMessage(raw));
}

/**
 * Decodes a Status message (the envelope's raw), shaped as its JSON form: empty details fields
 * are left out. `status` is passed through as sent. The ListMeta at field 1 is dropped.
 */
export function decodeStatusMessage(message: Uint8Array): Status {
  const status: Status = {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "" as Status["status"],
    message: "",
    reason: "",
    code: 0,
  };
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 2) status.status = reader.string() as Status["status"];
    else if (ld && fieldNo === 3) status.message = reader.string();
    else if (ld && fieldNo === 4) status.reason = reader.string();
    else if (ld && fieldNo === 5) status.details = decodeDetails(reader.bytes());
    else if (wireType === WireType.Varint && fieldNo === 6) status.code = reader.int32();
    else reader.skip(wireType, fieldNo);
  }
  return status;
}

function decodeDetails(message: Uint8Array): StatusDetails {
  const details: StatusDetails = {};
  const causes: StatusCause[] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 1) setIfNotEmpty(details, "name", reader.string());
    else if (ld && fieldNo === 2) setIfNotEmpty(details, "group", reader.string());
    else if (ld && fieldNo === 3) setIfNotEmpty(details, "kind", reader.string());
    else if (ld && fieldNo === 4) causes.push(decodeCause(reader.bytes()));
    else if (wireType === WireType.Varint && fieldNo === 5) {
      const seconds = reader.int32();
      if (seconds !== 0) details.retryAfterSeconds = seconds;
    } else if (ld && fieldNo === 6) setIfNotEmpty(details, "uid", reader.string());
    else reader.skip(wireType, fieldNo);
  }
  if (causes.length > 0) details.causes = causes;
  return details;
}

function decodeCause(message: Uint8Array): StatusCause {
  const cause: StatusCause = {};
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 1) setIfNotEmpty(cause, "reason", reader.string());
    else if (ld && fieldNo === 2) setIfNotEmpty(cause, "message", reader.string());
    else if (ld && fieldNo === 3) setIfNotEmpty(cause, "field", reader.string());
    else reader.skip(wireType, fieldNo);
  }
  return cause;
}

function setIfNotEmpty<T extends object>(target: T, key: keyof T & string, value: string): void {
  if (value !== "") (target as Record<string, string>)[key] = value;
}
