/**
 * Copies a body, piece by piece, into fresh fixed-size chunks: the list encoders' one copy of the
 * cached items. Plain loops: a piece is copied with at most one `set` per chunk it spans, a byte
 * or a varint is stored in place, and the only allocation is one chunk per `chunkBytes` written.
 *
 * Every chunk is a new buffer the filler lets go of once it is full, so the chunks never alias
 * the pieces (cache buffers) and a consumer may keep, transfer or detach them. Two ways around the
 * copy were rejected: emitting the cached items themselves would make a 5,000-pod list about
 * 10,000 chunks (header, item, …) instead of 440–690, each paying the stream's and the server's
 * per-chunk cost; and reusing chunks from a pool, because `Deno.serve` keeps a chunk it was handed
 * queued until the socket write and nothing tells JavaScript when that happened for one chunk:
 * the only signal is per response (the listeners' `completed`), so a pool would have to keep a
 * whole response's chunks (27–43 MB for a 5,000-pod list) past it, against the RSS bounds. The
 * fresh chunks are not free: an unsafe reuse ring measured 7–9 ms less agent CPU per 5,000-pod
 * LIST (allocation, page faults, and the collections their external memory triggers).
 * @module
 */

/**
 * Fills fresh `chunkBytes`-long chunks; full ones wait until taken ({@link ChunkFiller.take}), so
 * an encoder yields once per chunk, never per piece.
 */
export class ChunkFiller {
  #full: Uint8Array[] = [];
  readonly #chunkBytes: number;
  #chunk: Uint8Array;
  #filled = 0;

  /** A filler of chunks `chunkBytes` long (a positive integer). */
  constructor(chunkBytes: number) {
    if (!(Number.isInteger(chunkBytes) && chunkBytes >= 1)) {
      throw new RangeError(`invalid chunk size ${chunkBytes}`);
    }
    this.#chunkBytes = chunkBytes;
    this.#chunk = new Uint8Array(chunkBytes);
  }

  /** Appends a copy of `bytes`. */
  write(bytes: Uint8Array): void {
    const length = bytes.length;
    let room = this.#chunkBytes - this.#filled;
    if (length < room) {
      this.#chunk.set(bytes, this.#filled);
      this.#filled += length;
      return;
    }
    let offset = 0;
    while (length - offset >= room) {
      this.#chunk.set(bytes.subarray(offset, offset + room), this.#filled);
      offset += room;
      this.#next();
      room = this.#chunkBytes;
    }
    if (offset < length) {
      this.#chunk.set(bytes.subarray(offset), 0);
      this.#filled = length - offset;
    }
  }

  /** Appends one byte. */
  byte(value: number): void {
    this.#chunk[this.#filled++] = value;
    if (this.#filled === this.#chunkBytes) this.#next();
  }

  /** Appends `value` (a non-negative integer below 2^53) as a protobuf base-128 varint. */
  varint(value: number): void {
    while (value >= 0x80) {
      this.byte((value % 0x80) | 0x80);
      value = Math.floor(value / 0x80);
    }
    this.byte(value);
  }

  /** Whether full chunks wait to be taken. */
  get hasFull(): boolean {
    return this.#full.length > 0;
  }

  /** Yields the full chunks written so far, letting go of them. */
  *take(): Generator<Uint8Array> {
    const full = this.#full;
    this.#full = [];
    yield* full;
  }

  /**
   * Yields the full chunks, then the last, partly filled one (a view of its written part); the
   * filler takes no more writes after.
   */
  *end(): Generator<Uint8Array> {
    yield* this.take();
    if (this.#filled === 0) return;
    const last = this.#chunk.subarray(0, this.#filled);
    this.#chunk = new Uint8Array(0);
    this.#filled = 0;
    yield last;
  }

  #next(): void {
    this.#full.push(this.#chunk);
    this.#chunk = new Uint8Array(this.#chunkBytes);
    this.#filled = 0;
  }
}
