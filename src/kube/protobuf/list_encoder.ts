/**
 * Encodes a list response from cached item messages, byte for byte as kube-apiserver's generated
 * marshaller would: envelope { typeMeta, raw { metadata(ListMeta) 1, items 2… }, "", "" }. The
 * envelope needs the list's total length up front, so the items are measured first (they are
 * already in memory); then the body is written with plain loops into fresh fixed-size chunks
 * (`ChunkFiller`): each item's tag and length go straight into the chunk, the item is copied
 * exactly once, and the generator resumes once per chunk, never per piece. No emitted chunk
 * shares a buffer with the cache.
 * @module
 */
import { ChunkFiller } from "../../streams/chunk_filler.ts";
import { varintSize } from "./binary.ts";
import { envelopeHead, MAGIC, type TypeMeta } from "./envelope.ts";
import { encodeListMeta, type ListMetaFields } from "./list_meta.ts";
import { fieldHeader, stringField } from "./wire.ts";

/** Default size of the emitted chunks: 64 KiB. */
export const DEFAULT_LIST_CHUNK_BYTES = 64 * 1024;

/** Tag of `items` (field 2, length-delimited). */
const ITEM_TAG = (2 << 3) | 2;

/**
 * Yields the enveloped list `typeMeta` (e.g. v1 PodList) holding `meta` and `items` (each an
 * object's own message) in chunks of `chunkBytes` (the last one shorter).
 */
export function* encodeListChunks(
  typeMeta: TypeMeta,
  meta: ListMetaFields,
  items: readonly Uint8Array[],
  chunkBytes = DEFAULT_LIST_CHUNK_BYTES,
): Generator<Uint8Array> {
  const out = new ChunkFiller(chunkBytes);
  const listMeta = encodeListMeta(meta);
  const metaHeader = fieldHeader(1, listMeta.length);
  let rawLength = metaHeader.length + listMeta.length;
  for (let i = 0; i < items.length; i++) {
    const length = items[i].length;
    rawLength += 1 + varintSize(length) + length;
  }

  out.write(MAGIC);
  out.write(envelopeHead(typeMeta, rawLength));
  out.write(metaHeader);
  out.write(listMeta);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    out.byte(ITEM_TAG);
    out.varint(item.length);
    out.write(item);
    if (out.hasFull) yield* out.take();
  }
  out.write(stringField(3, ""));
  out.write(stringField(4, ""));
  yield* out.end();
}
