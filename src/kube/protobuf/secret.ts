/**
 * The keys of a protobuf Secret's `data` (field 2) and `stringData` (field 4) maps, read without
 * their values: what a redacted view of a cached Secret can show.
 * @module
 */
import { BinaryReader, WireType } from "./binary.ts";
import { decodeEnvelope, hasMagic, requirePlain } from "./envelope.ts";
import { findBytes } from "./message.ts";
import { guard } from "./wire.ts";

const DATA = 2;
const STRING_DATA = 4;

/**
 * The data keys of a protobuf Secret: a whole body (enveloped) or the Secret's own message, as
 * the cache keeps it. Throws `ProtobufError` on a malformed body.
 */
export function secretDataKeys(body: Uint8Array): { data: string[]; stringData: string[] } {
  const raw = hasMagic(body) ? requirePlain(decodeEnvelope(body)).raw : body;
  return guard("malformed protobuf Secret", () => {
    const keys = { data: [] as string[], stringData: [] as string[] };
    const reader = new BinaryReader(raw);
    while (reader.pos < reader.len) {
      const [fieldNo, wireType] = reader.tag();
      if (wireType !== WireType.LengthDelimited || (fieldNo !== DATA && fieldNo !== STRING_DATA)) {
        reader.skip(wireType, fieldNo);
        continue;
      }
      const key = findBytes(reader.bytes(), 1);
      const text = key ? new TextDecoder().decode(key) : "";
      (fieldNo === DATA ? keys.data : keys.stringData).push(text);
    }
    return keys;
  });
}
