/**
 * Protobuf request bodies the simulator reads: the kinds of `protobuf_schema.ts` (ConfigMap,
 * Secret, Node, core and events.k8s.io Events, Lease), decoded to the JSON the simulator stores.
 * Values Go's JSON would leave out as empty (`omitempty`: "", 0, false, empty maps, lists and
 * messages) are left out; the zero time is null. Other kinds need their schema and stay a 415.
 * @module
 */
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { decodeEnvelope, requirePlain } from "../../src/kube/protobuf/envelope.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { readObjectMetaDetails, readTime } from "../../src/kube/protobuf/object_meta.ts";
import { guard } from "../../src/kube/protobuf/wire.ts";
import { BODY_SCHEMAS, type Field, type FieldType, type MessageSchema } from "./protobuf_schema.ts";

/** The kinds whose protobuf bodies {@linkcode decodeProtobufBody} reads (`apiVersion Kind`). */
export const PROTOBUF_BODY_KINDS: readonly string[] = Object.keys(BODY_SCHEMAS);

/**
 * The JSON form of an enveloped protobuf object, or undefined for a kind it cannot read. Throws
 * `ProtobufError` for a body that is not well-formed Kubernetes protobuf.
 */
export function decodeProtobufBody(body: Uint8Array): Record<string, unknown> | undefined {
  const { apiVersion, kind, raw } = requirePlain(decodeEnvelope(body));
  const schema = BODY_SCHEMAS[`${apiVersion} ${kind}`];
  if (!schema) return undefined;
  return guard(`malformed ${kind}`, () => ({
    kind,
    apiVersion,
    metadata: readObjectMetaDetails(raw),
    ...readMessage(raw, schema),
  }));
}

type Json = Record<string, unknown>;

/** The fields of `message` that `schema` names, as JSON, empty values left out. */
export function readMessage(message: Uint8Array, schema: MessageSchema): Json {
  const out: Json = {};
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const field = schema[fieldNo];
    if (!field) {
      reader.skip(wireType, fieldNo);
      continue;
    }
    if (field.inline && typeof field.type === "object") {
      Object.assign(out, readMessage(reader.bytes(), field.type));
      continue;
    }
    if (field.map) {
      const [key, value] = readMapEntry(reader.bytes(), field.type);
      ((out[field.name] ??= {}) as Json)[key] = value;
      continue;
    }
    const value = readValue(reader, wireType, field);
    if (field.repeated) ((out[field.name] ??= []) as unknown[]).push(value);
    else out[field.name] = value;
  }
  for (const [name, value] of Object.entries(out)) if (isEmpty(value)) delete out[name];
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === "object" && Object.keys(value).length === 0;
}

function readMapEntry(entry: Uint8Array, type: FieldType): [string, unknown] {
  let key = "";
  let value: unknown = type === "bytes" ? "" : type === "string" ? "" : undefined;
  const reader = new BinaryReader(entry);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (fieldNo === 1 && wireType === WireType.LengthDelimited) key = reader.string();
    else if (fieldNo === 2) value = readValue(reader, wireType, { name: key, type });
    else reader.skip(wireType, fieldNo);
  }
  return [key, value];
}

const LENGTH_DELIMITED = new Set([
  "string",
  "bytes",
  "time",
  "microtime",
  "quantity",
  "intOrString",
]);

function readValue(reader: BinaryReader, wireType: WireType, field: Field): unknown {
  const { type } = field;
  const expected = typeof type === "object" || LENGTH_DELIMITED.has(type)
    ? WireType.LengthDelimited
    : WireType.Varint;
  if (wireType !== expected) throw new Error(`field ${field.name} has wire type ${wireType}`);
  if (typeof type === "object") return readMessage(reader.bytes(), type);
  switch (type) {
    case "string":
      return reader.string();
    case "int32":
      return reader.int32();
    case "int64":
      return Number(reader.int64());
    case "bool":
      return reader.bool();
    case "bytes":
      return base64(reader.bytes());
    case "time":
      return readTime(reader.bytes());
    case "microtime":
      return readMicroTime(reader.bytes());
    case "quantity":
      return new TextDecoder().decode(findBytes(reader.bytes(), 1) ?? new Uint8Array());
    case "intOrString":
      return readIntOrString(reader.bytes());
  }
}

/** An `IntOrString` as its JSON form: the number when its type is 0, else the string. */
function readIntOrString(message: Uint8Array): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = "";
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.Varint && fieldNo === 1) type = Number(reader.int64());
    else if (wireType === WireType.Varint && fieldNo === 2) intVal = reader.int32();
    else if (wireType === WireType.LengthDelimited && fieldNo === 3) strVal = reader.string();
    else reader.skip(wireType, fieldNo);
  }
  return type === 0 ? intVal : strVal;
}

function base64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** A `meta.v1.MicroTime` as its JSON form: RFC 3339 with six fractional digits, UTC. */
function readMicroTime(message: Uint8Array): string {
  let seconds = 0;
  let nanos = 0;
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    if (wireType === WireType.Varint && fieldNo === 1) seconds = Number(reader.int64());
    else if (wireType === WireType.Varint && fieldNo === 2) nanos = reader.int32();
    else reader.skip(wireType, fieldNo);
  }
  const whole = new Date(seconds * 1000).toISOString().slice(0, 19);
  const micros = String(Math.floor(nanos / 1000)).padStart(6, "0");
  return `${whole}.${micros}Z`;
}
