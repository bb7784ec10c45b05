/**
 * Test helper: the top-level fields of a protobuf message, to compare messages field by field.
 * @module
 */
import { BinaryReader } from "@bufbuild/protobuf/wire";

/** Each top-level field of `message` as [fieldNo, whole element bytes]. */
export function elements(message: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const start = reader.pos;
    const [fieldNo, wireType] = reader.tag();
    reader.skip(wireType, fieldNo);
    out.push([fieldNo, message.subarray(start, reader.pos)]);
  }
  return out;
}
