/**
 * Gathers small byte arrays into chunks of about a given size, so a stream sends fewer, larger
 * chunks.
 * @module
 */
import { concat } from "./concat.ts";

/** Gathers byte arrays into chunks of about `chunkBytes` bytes. */
export class ChunkBuffer {
  #parts: Uint8Array[] = [];
  #size = 0;

  /** A buffer handing out chunks once they reach `chunkBytes` bytes. */
  constructor(readonly chunkBytes: number) {}

  /** Adds `bytes`; returns a full chunk to send when the buffer has reached the chunk size. */
  push(bytes: Uint8Array): Uint8Array | undefined {
    this.#parts.push(bytes);
    this.#size += bytes.byteLength;
    return this.#size >= this.chunkBytes ? this.flush() : undefined;
  }

  /** Everything buffered as one chunk, or undefined when empty. */
  flush(): Uint8Array | undefined {
    if (this.#parts.length === 0) return undefined;
    const parts = this.#parts;
    this.#parts = [];
    this.#size = 0;
    return parts.length === 1 ? parts[0] : concat(parts);
  }
}
