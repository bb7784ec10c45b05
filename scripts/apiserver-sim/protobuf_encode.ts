/**
 * Encodes a JSON object as the protobuf message a schema of `protobuf_schema.ts` describes, the
 * way Go's generated marshallers lay it out: fields in number order, map entries { key 1,
 * value 2 } sorted by key, repeated scalars unpacked. A field is written when the JSON has a
 * value for it (null and absent are left out); Go also writes the empty values of its non-pointer
 * fields (a few bytes per message), which this leaves out. JSON fields the schema does not name
 * are not encoded.
 * @module
 */
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { Field, FieldType, MessageSchema } from "./protobuf_schema.ts";

type Json = Record<string, unknown>;

/** `json` encoded as the message `schema` describes. */
export function encodeMessage(json: Json, schema: MessageSchema): Uint8Array {
  const writer = new BinaryWriter();
  writeMessage(writer, json, schema);
  return writer.finish();
}

function writeMessage(writer: BinaryWriter, json: Json, schema: MessageSchema): void {
  const numbers = Object.keys(schema).map(Number).sort((a, b) => a - b);
  for (const fieldNo of numbers) writeField(writer, fieldNo, schema[fieldNo], json);
}

function writeField(writer: BinaryWriter, fieldNo: number, field: Field, json: Json): void {
  if (field.inline && typeof field.type === "object") {
    const inner = encodeMessage(json, field.type);
    if (inner.byteLength > 0) writer.tag(fieldNo, WireType.LengthDelimited).bytes(inner);
    return;
  }
  const value = json[field.name];
  if (value === undefined || value === null) return;
  if (field.map) {
    const entries = value as Record<string, unknown>;
    for (const key of Object.keys(entries).sort()) {
      writer.tag(fieldNo, WireType.LengthDelimited).fork()
        .tag(1, WireType.LengthDelimited).string(key);
      writeValue(writer, 2, field.type, entries[key]);
      writer.join();
    }
  } else if (field.repeated) {
    for (const element of value as unknown[]) writeValue(writer, fieldNo, field.type, element);
  } else {
    writeValue(writer, fieldNo, field.type, value);
  }
}

function writeValue(writer: BinaryWriter, fieldNo: number, type: FieldType, value: unknown) {
  if (typeof type === "object") {
    writer.tag(fieldNo, WireType.LengthDelimited).fork();
    writeMessage(writer, value as Json, type);
    writer.join();
    return;
  }
  switch (type) {
    case "string":
      writer.tag(fieldNo, WireType.LengthDelimited).string(String(value));
      return;
    case "int32":
      writer.tag(fieldNo, WireType.Varint).int32(Number(value));
      return;
    case "int64":
      writer.tag(fieldNo, WireType.Varint).int64(Number(value));
      return;
    case "bool":
      writer.tag(fieldNo, WireType.Varint).bool(Boolean(value));
      return;
    case "bytes":
      writer.tag(fieldNo, WireType.LengthDelimited)
        .bytes(Uint8Array.from(atob(String(value)), (c) => c.charCodeAt(0)));
      return;
    case "time":
    case "microtime":
      writer.tag(fieldNo, WireType.LengthDelimited).bytes(encodeTime(value));
      return;
    case "quantity":
      writer.tag(fieldNo, WireType.LengthDelimited).fork()
        .tag(1, WireType.LengthDelimited).string(String(value))
        .join();
      return;
    case "intOrString": {
      const isInt = typeof value === "number";
      writer.tag(fieldNo, WireType.LengthDelimited).fork()
        .tag(1, WireType.Varint).int64(isInt ? 0 : 1)
        .tag(2, WireType.Varint).int32(isInt ? value : 0)
        .tag(3, WireType.LengthDelimited).string(isInt ? "" : String(value))
        .join();
      return;
    }
  }
}

/**
 * A `meta.v1.Time` or `MicroTime` { seconds 1, nanos 2 } from RFC 3339 (fractional digits kept
 * to the nanosecond); empty for the zero time or a value that is not a time.
 */
export function encodeTime(value: unknown): Uint8Array {
  const text = typeof value === "string" ? value : "";
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return new Uint8Array(0);
  const seconds = Math.floor(ms / 1000);
  const fraction = /\.(\d+)/.exec(text)?.[1] ?? "";
  const nanos = Number(fraction.slice(0, 9).padEnd(9, "0"));
  return new BinaryWriter()
    .tag(1, WireType.Varint).int64(seconds)
    .tag(2, WireType.Varint).int32(nanos)
    .finish();
}
