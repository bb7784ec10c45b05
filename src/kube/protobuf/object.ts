/**
 * Builds the `RawObject` holdfast caches from an object's own protobuf message and the
 * apiVersion/kind its envelope carried.
 * @module
 */
import type { RawObject } from "../types.ts";
import type { TypeMeta } from "./envelope.ts";
import { readObjectMeta } from "./object_meta.ts";
import { readSelectableFields } from "./selectable_fields.ts";
import { guard } from "./wire.ts";

/**
 * Wraps `bytes` (kept by reference) with its metadata and selectable fields. A `Status` has a
 * ListMeta, not an ObjectMeta, at field 1, so its metadata stays empty. Throws `ProtobufError` for
 * a malformed message.
 */
export function toRawObject(typeMeta: TypeMeta, bytes: Uint8Array): RawObject {
  const { apiVersion, kind } = typeMeta;
  return guard(`malformed ${apiVersion} ${kind} object`, () => {
    if (kind === "Status") {
      const meta = { name: "", namespace: "", resourceVersion: "", uid: "", labels: {} };
      return { meta, fields: {}, typeMeta: { apiVersion, kind }, bytes };
    }
    const meta = readObjectMeta(bytes);
    const fields = readSelectableFields(typeMeta, bytes, meta);
    return { meta, fields, typeMeta: { apiVersion, kind }, bytes };
  });
}
