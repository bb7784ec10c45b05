/**
 * A FIFO of received chunks that hands out byte ranges without joining chunks first: a range
 * inside one chunk is a zero-copy view of it, only a range spanning chunks is copied. Used by the
 * streaming list and watch decoders, so memory is only ever taken by bytes that have arrived.
 * @module
 */

/** Queue of received bytes, consumed from the front. */
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #offset = 0;
  #length = 0;

  /** Bytes queued and not yet consumed. */
  get length(): number {
    return this.#length;
  }

  /** Appends a received chunk (kept by reference, not copied). */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#length += chunk.length;
  }

  /** The first `n` bytes (n ≤ length) without consuming them. */
  peek(n: number): Uint8Array {
    if (n > this.#length) throw new RangeError(`peek ${n} of ${this.#length} queued bytes`);
    if (n === 0) return new Uint8Array(0);
    const first = this.#chunks[0];
    if (first.length - this.#offset >= n) return first.subarray(this.#offset, this.#offset + n);
    const out = new Uint8Array(n);
    let filled = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      const part = chunk.subarray(offset, offset + n - filled);
      out.set(part, filled);
      filled += part.length;
      offset = 0;
      if (filled === n) break;
    }
    return out;
  }

  /** Removes and returns the first `n` bytes (n ≤ length). */
  take(n: number): Uint8Array {
    const out = this.peek(n);
    this.discard(n);
    return out;
  }

  /** Drops up to `n` bytes from the front; returns how many were dropped. */
  discard(n: number): number {
    const dropped = Math.min(n, this.#length);
    let left = dropped;
    while (left > 0) {
      const available = this.#chunks[0].length - this.#offset;
      if (available > left) {
        this.#offset += left;
        break;
      }
      left -= available;
      this.#chunks.shift();
      this.#offset = 0;
    }
    this.#length -= dropped;
    return dropped;
  }
}
