/**
 * Framing of streamed JSON: finds where each JSON value ends in a byte stream cut at arbitrary
 * chunk boundaries, without parsing it. Only the bytes that matter to structure are looked at
 * (brackets, quotes, backslashes), so a UTF-8 character split across chunks needs no care: its
 * bytes are all ≥ 0x80 and never mistaken for structure. Validating scalars and members is left to
 * the decoding of the framed value. Pure: no I/O.
 * @module
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  NEWLINE,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./bytes.ts";
import { concat } from "../../streams/concat.ts";

/** Nesting deeper than this is rejected, as Go's encoding/json does. */
export const MAX_JSON_DEPTH = 10_000;

/** Default bound on one framed value: 16 MiB. */
export const DEFAULT_MAX_VALUE_BYTES = 16 * 1024 * 1024;

/** True for the four JSON whitespace bytes. */
export function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** True for bytes that may start a number or a literal (`true`, `false`, `null`). */
function startsScalar(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || byte === 0x2d || byte === 0x74 || byte === 0x66 ||
    byte === 0x6e;
}

/** True for bytes that end a number or a literal. */
function endsScalar(byte: number): boolean {
  return isJsonWhitespace(byte) || byte === COMMA || byte === COLON || byte === QUOTE ||
    byte === OPEN_BRACE || byte === CLOSE_BRACE || byte === OPEN_BRACKET || byte === CLOSE_BRACKET;
}

/** Describes a byte for an error message. */
function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `0x${byte.toString(16).padStart(2, "0")}`;
}

/** What the scanner is inside of. */
const IDLE = 0;
const CONTAINER = 1;
const STRING = 2;
const SCALAR = 3;

/**
 * Frames one JSON value at a time from chunks fed in order. `scan` returns the value's bytes once
 * it is complete: a `subarray` of the chunk when the value lies within it, else one copy of the
 * pieces it kept. Pieces are kept only up to `maxBytes`; past that it throws a RangeError.
 * Structural errors (a closing bracket that does not match, a byte that cannot start a value,
 * nesting deeper than {@link MAX_JSON_DEPTH}) throw a SyntaxError naming the stream offset.
 */
export class JsonValueScanner {
  /** Index in the last scanned chunk just after the returned value (or its length). */
  position = 0;
  readonly #maxBytes: number;
  #stack = new Uint8Array(64);
  #depth = 0;
  #mode = IDLE;
  #escaped = false;
  #parts: Uint8Array[] = [];
  #partBytes = 0;

  /** Frames values of at most `maxBytes` bytes. */
  constructor(maxBytes: number = DEFAULT_MAX_VALUE_BYTES) {
    this.#maxBytes = maxBytes;
  }

  /** True while a value has started and not yet ended. */
  get active(): boolean {
    return this.#mode !== IDLE;
  }

  /**
   * Scans `chunk` from `from` (the first byte of a new value when not {@link active}); `base` is
   * the stream offset of `chunk[0]`, for error messages. Returns the value when it ends in this
   * chunk (then {@link position} is just after it), or undefined after keeping the rest.
   */
  scan(chunk: Uint8Array, from: number, base: number): Uint8Array | undefined {
    const length = chunk.length;
    let i = from;
    if (this.#mode === IDLE) {
      const first = chunk[i];
      if (first === OPEN_BRACE || first === OPEN_BRACKET) this.#mode = CONTAINER;
      else if (first === QUOTE) {
        this.#mode = STRING;
        i++;
      } else if (startsScalar(first)) this.#mode = SCALAR;
      else throw this.#syntax(`unexpected ${describeByte(first)} where a value starts`, base + i);
    }
    let stack = this.#stack;
    let depth = this.#depth;
    let mode = this.#mode;
    let escaped = this.#escaped;
    let end = -1;
    while (i < length) {
      if (mode === STRING) {
        if (escaped) {
          escaped = false;
          i++;
          continue;
        }
        let byte = chunk[i];
        while (byte !== QUOTE && byte !== BACKSLASH && ++i < length) byte = chunk[i];
        if (i === length) break;
        if (byte === BACKSLASH) {
          escaped = true;
          i++;
          continue;
        }
        i++;
        if (depth === 0) {
          end = i;
          break;
        }
        mode = CONTAINER;
        continue;
      }
      const byte = chunk[i];
      if (mode === SCALAR) {
        if (endsScalar(byte)) {
          end = i;
          break;
        }
        i++;
        continue;
      }
      i++;
      if (byte === QUOTE) mode = STRING;
      else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        if (depth === stack.length) {
          if (depth === MAX_JSON_DEPTH) {
            throw this.#syntax(`nesting deeper than ${MAX_JSON_DEPTH}`, base + i - 1);
          }
          stack = this.#grow();
        }
        stack[depth++] = byte;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        if (stack[depth - 1] !== byte - 2) {
          throw this.#syntax(`unexpected ${describeByte(byte)}`, base + i - 1);
        }
        if (--depth === 0) {
          end = i;
          break;
        }
      }
    }
    if (end < 0) {
      this.#depth = depth;
      this.#mode = mode;
      this.#escaped = escaped;
      this.position = length;
      this.#keep(chunk.subarray(from));
      return undefined;
    }
    this.position = end;
    return this.#finish(chunk.subarray(from, end));
  }

  /**
   * Ends the stream: returns a pending number or literal (which ends only at a delimiter or the
   * end), or throws a SyntaxError when a value is cut off; `offset` is the stream length.
   */
  end(offset: number): Uint8Array | undefined {
    if (this.#mode === IDLE) return undefined;
    if (this.#mode === SCALAR) return this.#finish(new Uint8Array(0));
    throw this.#syntax("unexpected end of input inside a value", offset);
  }

  #grow(): Uint8Array<ArrayBuffer> {
    const grown = new Uint8Array(Math.min(this.#stack.length * 4, MAX_JSON_DEPTH));
    grown.set(this.#stack);
    return this.#stack = grown;
  }

  #keep(piece: Uint8Array): void {
    this.#partBytes += piece.length;
    this.#checkSize(this.#partBytes);
    if (piece.length > 0) this.#parts.push(piece);
  }

  #finish(last: Uint8Array): Uint8Array {
    const parts = this.#parts;
    const total = this.#partBytes + last.length;
    this.#mode = IDLE;
    this.#depth = 0;
    this.#escaped = false;
    this.#checkSize(total);
    if (parts.length === 0) return last;
    parts.push(last);
    const value = concat(parts);
    this.#parts = [];
    this.#partBytes = 0;
    return value;
  }

  #checkSize(size: number): void {
    if (size <= this.#maxBytes) return;
    this.#parts = [];
    this.#partBytes = 0;
    this.#mode = IDLE;
    throw new RangeError(`JSON value larger than ${this.#maxBytes} bytes (maxValueBytes)`);
  }

  #syntax(message: string, offset: number): SyntaxError {
    this.#parts = [];
    this.#partBytes = 0;
    this.#mode = IDLE;
    return new SyntaxError(`malformed JSON at byte ${offset}: ${message}`);
  }
}

/**
 * Splits concatenated top-level JSON values (whitespace between them optional) fed chunk by chunk,
 * calling `emit` for each whole value. The synchronous core of {@link JsonValueFramer}.
 */
export class JsonValueSplitter {
  readonly #scanner: JsonValueScanner;
  readonly #maxValueBytes: number;
  #offset = 0;
  /** A line kept across chunks from where a value starts, until its newline comes (`takeLine`). */
  #line: Uint8Array[] = [];
  #lineBytes = 0;
  /** The stream offset of the kept line's first byte. */
  #lineStart = 0;

  /** Splits values of at most `maxValueBytes` bytes. */
  constructor(maxValueBytes: number = DEFAULT_MAX_VALUE_BYTES) {
    this.#scanner = new JsonValueScanner(maxValueBytes);
    this.#maxValueBytes = maxValueBytes;
  }

  /**
   * Feeds the next chunk; `emit` receives each value completed in it, in order. `takeLine`, for
   * streams that write one value per line (a watch), is offered the bytes from where a value
   * starts up to the next newline (found with a native `indexOf`; at most the value bound) before
   * they are scanned: when it takes them (true), they stand for that value and splitting resumes
   * after the newline. It must take only bytes that are exactly one value: in valid JSON a raw
   * newline is only whitespace between tokens, so the frames stay the ones the scan alone would
   * find. A line that runs past the chunk is kept (its chunks are not copied until its newline
   * comes, then once) and offered whole, so an event split between two chunks is not scanned byte
   * by byte; unless the chunk ends in whitespace, `}` or `]`, where a value may have ended and is
   * scanned at once. What that delays: in a stream that puts several values on one line, a value
   * whose line runs into the next chunk is emitted with that chunk.
   */
  push(
    chunk: Uint8Array,
    emit: (value: Uint8Array) => void,
    takeLine?: (line: Uint8Array) => boolean,
  ): void {
    const from = this.#lineBytes > 0 ? this.#resumeLine(chunk, emit, takeLine!) : 0;
    if (from >= 0) this.#split(chunk, from, this.#offset, emit, takeLine);
    this.#offset += chunk.length;
  }

  /**
   * At the end of the input, scans a line kept for its newline (see {@link push}): emits its
   * values; throws as the scan does for malformed or oversized content (not for a value cut off,
   * which {@link end} reports).
   */
  drain(emit: (value: Uint8Array) => void): void {
    this.#scanLine(emit);
  }

  /**
   * Ends the input (after draining it): emits a trailing number or literal, or throws if a value is
   * cut off.
   */
  end(emit: (value: Uint8Array) => void): void {
    this.#scanLine(emit);
    const value = this.#scanner.end(this.#offset);
    if (value !== undefined) emit(value);
  }

  /** Splits `chunk` (whose first byte is at stream offset `base`) from `from`. */
  #split(
    chunk: Uint8Array,
    from: number,
    base: number,
    emit: (value: Uint8Array) => void,
    takeLine?: (line: Uint8Array) => boolean,
  ): void {
    const scanner = this.#scanner;
    const length = chunk.length;
    let i = from;
    while (i < length) {
      if (!scanner.active) {
        while (i < length && isJsonWhitespace(chunk[i])) i++;
        if (i === length) break;
        if (takeLine) {
          const newline = chunk.indexOf(NEWLINE, i);
          if (newline === -1) {
            if (this.#mayKeep(chunk, length - i)) {
              this.#line.push(chunk.subarray(i));
              this.#lineBytes = length - i;
              this.#lineStart = base + i;
              return;
            }
          } else if (
            newline - i <= this.#maxValueBytes && takeLine(chunk.subarray(i, newline))
          ) {
            i = newline + 1;
            continue;
          }
        }
      }
      const value = scanner.scan(chunk, i, base);
      if (value === undefined) break;
      emit(value);
      i = scanner.position;
    }
  }

  /**
   * Whether a line of `bytes` so far, ending with `chunk`, may wait for the next chunk: within the
   * value bound, and `chunk` not ending where a value may have ended.
   */
  #mayKeep(chunk: Uint8Array, bytes: number): boolean {
    const last = chunk[chunk.length - 1];
    return bytes <= this.#maxValueBytes && !isJsonWhitespace(last) && last !== CLOSE_BRACE &&
      last !== CLOSE_BRACKET;
  }

  /**
   * Carries the kept line into `chunk`: offered whole once its newline is here, kept on while it
   * may wait, else scanned. Returns where splitting `chunk` goes on, or -1 when `chunk` was kept.
   */
  #resumeLine(
    chunk: Uint8Array,
    emit: (value: Uint8Array) => void,
    takeLine: (line: Uint8Array) => boolean,
  ): number {
    const newline = chunk.indexOf(NEWLINE);
    if (newline === -1) {
      if (this.#mayKeep(chunk, this.#lineBytes + chunk.length)) {
        this.#line.push(chunk);
        this.#lineBytes += chunk.length;
        return -1;
      }
      this.#scanLine(emit);
      return 0;
    }
    if (this.#lineBytes + newline > this.#maxValueBytes) {
      this.#scanLine(emit);
      return 0;
    }
    this.#line.push(chunk.subarray(0, newline));
    const line = concat(this.#line);
    const start = this.#lineStart;
    this.#line = [];
    this.#lineBytes = 0;
    if (takeLine(line)) return newline + 1;
    this.#split(line, 0, start, emit);
    return newline;
  }

  /** Scans the kept line's pieces, as they would have been scanned when they came. */
  #scanLine(emit: (value: Uint8Array) => void): void {
    const pieces = this.#line;
    let base = this.#lineStart;
    this.#line = [];
    this.#lineBytes = 0;
    for (const piece of pieces) {
      this.#split(piece, 0, base, emit);
      base += piece.length;
    }
  }
}

/** Options of {@link JsonValueFramer}. */
export interface JsonValueFramerOptions {
  /** Largest value accepted; a longer one errors the stream. Default 16 MiB. */
  maxValueBytes?: number;
}

/**
 * Splits a byte stream of concatenated JSON values (a JSON watch stream, for instance) into one
 * Uint8Array per value, whatever the chunk boundaries. Values inside one chunk are passed on as
 * `subarray`s of it (no copy). The stream errors on a malformed or truncated input and on a
 * value larger than `maxValueBytes`, without buffering beyond that bound.
 *
 * @example
 * ```ts
 * import { JsonValueFramer } from "./value_framer.ts";
 *
 * const encoder = new TextEncoder();
 * const body = ReadableStream.from([encoder.encode('{"a":1}\n{"b"'), encoder.encode(":2}\n")]);
 * const values = await Array.fromAsync(body.pipeThrough(new JsonValueFramer()));
 * // values: the bytes of {"a":1} and of {"b":2}
 * ```
 */
export class JsonValueFramer extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates a framer; see {@link JsonValueFramerOptions}. */
  constructor(options: JsonValueFramerOptions = {}) {
    const splitter = new JsonValueSplitter(options.maxValueBytes);
    super({
      transform(chunk, controller) {
        splitter.push(chunk, (value) => controller.enqueue(value));
      },
      flush(controller) {
        splitter.end((value) => controller.enqueue(value));
      },
    });
  }
}
