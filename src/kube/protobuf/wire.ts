/**
 * Small building blocks over `binary.ts` shared by the Kubernetes protobuf modules: the error type
 * every decoder throws, field headers and a header parser for possibly incomplete input. No varint
 * code of its own: `BinaryReader` and `BinaryWriter` do it.
 * @module
 */
import { BinaryReader, BinaryWriter, WireType } from "./binary.ts";
import { concat } from "../../streams/concat.ts";

/** Any malformed, truncated, oversized or unsupported Kubernetes protobuf input. */
export class ProtobufError extends Error {
  override name = "ProtobufError";
}

/**
 * Runs `decode`, turning any failure (a `RangeError` from a short buffer, a bad tag…) into a
 * `ProtobufError` whose message starts with `what`.
 */
export function guard<T>(what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof ProtobufError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtobufError(`${what}: ${reason}`, { cause: error });
  }
}

const headerWriter = new BinaryWriter();

/** The tag and length prefix of a length-delimited field `fieldNo` whose payload is `length` long. */
export function fieldHeader(fieldNo: number, length: number): Uint8Array {
  return headerWriter.tag(fieldNo, WireType.LengthDelimited).uint32(length).finish();
}

/** One complete length-delimited field holding `value` as UTF-8 (written even when empty). */
export function stringField(fieldNo: number, value: string): Uint8Array {
  return headerWriter.tag(fieldNo, WireType.LengthDelimited).string(value).finish();
}

/** One complete length-delimited field holding `payload` (a nested message or bytes). */
export function messageField(fieldNo: number, payload: Uint8Array): Uint8Array {
  return concat([fieldHeader(fieldNo, payload.length), payload]);
}

/** A field's tag and, for length-delimited fields, its length prefix, read from a buffer's front. */
export interface ElementHeader {
  fieldNo: number;
  wireType: WireType;
  /** Bytes taken by the tag, the length prefix or the whole varint value. */
  headerLength: number;
  /** Bytes that follow the header: the payload length, 4 or 8 for fixed types, 0 for varints. */
  bodyLength: number;
}

/** The most bytes an element header can take: a 5-byte tag plus a 10-byte varint. */
export const MAX_ELEMENT_HEADER_BYTES = 15;

/**
 * Parses the element header at the start of `prefix`, which may be cut short (streamed input).
 * Returns undefined when more bytes are needed; throws `ProtobufError` for a malformed header,
 * a length that overflows uint32, or groups (never used by Kubernetes).
 */
export function peekElementHeader(prefix: Uint8Array): ElementHeader | undefined {
  const reader = new BinaryReader(prefix);
  try {
    const [fieldNo, wireType] = reader.tag();
    switch (wireType) {
      case WireType.LengthDelimited: {
        const start = reader.pos;
        const bodyLength = reader.uint32();
        if (reader.pos - start > 5) throw new ProtobufError("field length overflows uint32");
        return { fieldNo, wireType, headerLength: reader.pos, bodyLength };
      }
      case WireType.Varint:
        reader.skip(wireType);
        return { fieldNo, wireType, headerLength: reader.pos, bodyLength: 0 };
      case WireType.Bit32:
        return { fieldNo, wireType, headerLength: reader.pos, bodyLength: 4 };
      case WireType.Bit64:
        return { fieldNo, wireType, headerLength: reader.pos, bodyLength: 8 };
      default:
        throw new ProtobufError(`unsupported wire type ${wireType} for field ${fieldNo}`);
    }
  } catch (error) {
    if (error instanceof RangeError && prefix.length < MAX_ELEMENT_HEADER_BYTES) return undefined;
    if (error instanceof ProtobufError) throw error;
    throw new ProtobufError(`malformed field header: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
