/**
 * Reading a whole byte stream into one array, within a size limit.
 * @module
 */
import { concat } from "./concat.ts";

/** Reads a whole body of at most `limit` bytes; throws a `RangeError` past it. */
export async function readAll(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) throw new RangeError(`body larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : concat(chunks);
}
