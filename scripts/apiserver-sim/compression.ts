/**
 * Response compression as kube-apiserver 1.37 does it: a non-watch body larger than 128 KiB goes
 * out gzipped when the client accepts gzip (`APIResponseCompression`), and a watch-list
 * (`sendInitialEvents=true`) that accepts gzip is compressed one gzip member per flush
 * (`WatchListCompression`), so that every flushed event can be decoded on arrival. Plain watches
 * are never compressed.
 * @module
 */
import { gzipSync } from "node:zlib";

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

/** Each chunk of `stream` (one flush) as a gzip member of its own. */
export function gzipPerFlush(stream: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return stream.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        controller.enqueue(new Uint8Array(gzipSync(chunk)));
      },
    }),
  );
}
