/**
 * Joining byte chunks: the one copy of chunks into a single array.
 * @module
 */

/** Copies `chunks` into one new array, in order. */
export function concat(chunks: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
