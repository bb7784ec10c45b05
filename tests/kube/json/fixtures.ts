/**
 * Test helpers for the JSON wire format: captured apiserver bodies from the shared fixtures, and
 * ways to cut bytes into chunks (at one point, at seeded random points, one byte each).
 * @module
 */

const CAPTURED = new URL("../../../../shared/fixtures/captured/", import.meta.url);

/** The raw response body of exchange `index` in a captured `*.replay.json` file. */
export async function replayBody(file: string, index = 0): Promise<string> {
  const exchanges = JSON.parse(await Deno.readTextFile(new URL(file, CAPTURED)));
  return exchanges[index].response_body;
}

/** UTF-8 bytes of `text`. */
export function bytesOf(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Text of `bytes`. */
export function textOf(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

/** A stream yielding `chunks` in order. */
export function streamOf(chunks: Iterable<Uint8Array>): ReadableStream<Uint8Array> {
  return ReadableStream.from(chunks);
}

/** Everything a stream yields. */
export async function collect<T>(stream: ReadableStream<T>): Promise<T[]> {
  return await Array.fromAsync(stream);
}

/** `bytes` cut at `point` into two chunks. */
export function splitAt(bytes: Uint8Array, point: number): Uint8Array[] {
  return [bytes.subarray(0, point), bytes.subarray(point)];
}

/** `bytes` cut into one-byte chunks. */
export function byteChunks(bytes: Uint8Array): Uint8Array[] {
  return Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
}

/** A deterministic pseudo-random generator of floats in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `bytes` cut into chunks of random length in [1, `maxChunk`] (copies, as a network gives). */
export function randomChunks(
  bytes: Uint8Array,
  random: () => number,
  maxChunk: number,
): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length;) {
    const size = 1 + Math.floor(random() * maxChunk);
    chunks.push(bytes.slice(at, at + size));
    at += size;
  }
  return chunks;
}
