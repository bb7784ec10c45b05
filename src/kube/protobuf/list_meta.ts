/**
 * `meta.v1.ListMeta` (apimachinery `pkg/apis/meta/v1/generated.proto`): selfLink 1,
 * resourceVersion 2, continue 3, remainingItemCount 4 (int64, optional), shardInfo 5 (alpha).
 * It is field 1 of every `*List` and of `Status`.
 * @module
 */
import { BinaryReader, BinaryWriter, WireType } from "./binary.ts";
import type { ListMeta } from "../types.ts";
import { concat } from "../../streams/concat.ts";
import { stringField } from "./wire.ts";

/** The ListMeta fields holdfast uses (the list's kind and apiVersion live in the envelope). */
export type ListMetaFields = Omit<ListMeta, "apiVersion" | "kind">;

/** Reads a ListMeta message. */
export function readListMeta(message: Uint8Array): ListMetaFields {
  const meta: ListMetaFields = { resourceVersion: "", continue: "" };
  const reader = new BinaryReader(message);
  while (reader.pos < reader.len) {
    const [fieldNo, wireType] = reader.tag();
    const ld = wireType === WireType.LengthDelimited;
    if (ld && fieldNo === 2) meta.resourceVersion = reader.string();
    else if (ld && fieldNo === 3) meta.continue = reader.string();
    else if (wireType === WireType.Varint && fieldNo === 4) {
      meta.remainingItemCount = Number(reader.int64());
    } else reader.skip(wireType, fieldNo);
  }
  return meta;
}

/**
 * Encodes a ListMeta as kube-apiserver does: selfLink (empty), resourceVersion and continue are
 * always written, remainingItemCount only when set.
 */
export function encodeListMeta(meta: ListMetaFields): Uint8Array {
  const parts = [
    stringField(1, ""),
    stringField(2, meta.resourceVersion),
    stringField(3, meta.continue),
  ];
  if (meta.remainingItemCount !== undefined) {
    parts.push(new BinaryWriter().tag(4, WireType.Varint).int64(meta.remainingItemCount).finish());
  }
  return concat(parts);
}
