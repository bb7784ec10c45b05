/**
 * Response compression as kube-apiserver 1.37 does it: a non-watch body larger than 128 KiB goes
 * out gzipped when the client accepts gzip (`APIResponseCompression`), and a watch-list
 * (`sendInitialEvents=true`) that accepts gzip is compressed one gzip member per flush
 * (`WatchListCompression`), so that every flushed event can be decoded on arrival. Plain watches
 * are never compressed.
 * @module
 */
import { constants, crc32, deflateRawSync } from "node:zlib";

/** The body size above which a non-watch answer is gzipped (kube-apiserver's threshold). */
export const GZIP_THRESHOLD_BYTES = 128 * 1024;

/** Whether an `Accept-Encoding` header value accepts gzip (a `gzip` token without `q=0`). */
export function acceptsGzip(acceptEncoding: string | null): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(",").some((clause) => {
    const [token, ...params] = clause.split(";").map((part) => part.trim().toLowerCase());
    if (token !== "gzip") return false;
    const q = params.find((p) => p.startsWith("q="));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

/** Go's gzip header: no flags, no time, BestSpeed (XFL 4, kube-apiserver's level), OS unknown. */
const GZIP_HEADER = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 0xff);
/** An empty final deflate block (fixed Huffman, end of block): what closing the writer adds. */
const FINAL_BLOCK = Uint8Array.of(0x03, 0x00);

/**
 * `data` as one gzip member the way kube-apiserver's watch writes it: the data deflated and
 * sync-flushed (`gzip.Writer.Flush`), then an empty final block and the trailer (`Close`). A reader
 * gets the data from the flushed blocks before the member ends, so it never has to wait for the
 * next member (Go's gzip reader looks for the next header as soon as a member ends).
 */
export function gzipMember(data: Uint8Array): Uint8Array {
  const flushed = deflateRawSync(data, { level: 1, finishFlush: constants.Z_SYNC_FLUSH });
  const trailer = new Uint8Array(8);
  const view = new DataView(trailer.buffer);
  view.setUint32(0, crc32(data), true);
  view.setUint32(4, data.length >>> 0, true);
  const out = new Uint8Array(GZIP_HEADER.length + flushed.length + FINAL_BLOCK.length + 8);
  out.set(GZIP_HEADER);
  out.set(flushed, GZIP_HEADER.length);
  out.set(FINAL_BLOCK, GZIP_HEADER.length + flushed.length);
  out.set(trailer, out.length - 8);
  return out;
}

/** Each chunk of `stream` (one flush) as a gzip member of its own ({@link gzipMember}). */
export function gzipPerFlush(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(gzipMember(chunk));
      },
    }),
  );
}
