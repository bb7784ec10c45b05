/**
 * Encodes a list response from cached item messages, byte for byte as kube-apiserver's generated
 * marshaller would: envelope { typeMeta, raw { metadata(ListMeta) 1, items 2… }, "", "" }. The
 * envelope needs the list's total length up front, so the items are measured first (they are
 * already in memory); then the body is written into fresh fixed-size chunks. Items are copied
 * exactly once, and no emitted chunk shares a buffer with the cache.
 * @module
 */
import { envelopeHead, MAGIC, type TypeMeta } from "./envelope.ts";
import { encodeListMeta, type ListMetaFields } from "./list_meta.ts";
import { fieldHeader, stringField } from "./wire.ts";

/** Default size of the emitted chunks: 64 KiB. */
export const DEFAULT_LIST_CHUNK_BYTES = 64 * 1024;

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
  if (!(chunkBytes >= 1)) throw new RangeError(`invalid chunk size ${chunkBytes}`);
  const listMeta = encodeListMeta(meta);
  const metaHeader = fieldHeader(1, listMeta.length);
  const itemHeaders = items.map((item) => fieldHeader(2, item.length));
  let rawLength = metaHeader.length + listMeta.length;
  for (let i = 0; i < items.length; i++) rawLength += itemHeaders[i].length + items[i].length;

  let chunk = new Uint8Array(chunkBytes);
  let filled = 0;
  function* put(bytes: Uint8Array): Generator<Uint8Array> {
    let offset = 0;
    while (offset < bytes.length) {
      const n = Math.min(chunkBytes - filled, bytes.length - offset);
      chunk.set(bytes.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === chunkBytes) {
        yield chunk;
        chunk = new Uint8Array(chunkBytes);
        filled = 0;
      }
    }
  }

  yield* put(MAGIC);
  yield* put(envelopeHead(typeMeta, rawLength));
  yield* put(metaHeader);
  yield* put(listMeta);
  for (let i = 0; i < items.length; i++) {
    yield* put(itemHeaders[i]);
    yield* put(items[i]);
  }
  yield* put(stringField(3, ""));
  yield* put(stringField(4, ""));
  if (filled > 0) yield chunk.subarray(0, filled);
}
