/**
 * Protobuf's binary wire format, the part Kubernetes' messages need: tags, varints and
 * length-delimited fields read (or skipped) from a buffer, and written into one. The classes
 * mirror `@bufbuild/protobuf/wire`'s `BinaryReader` and `BinaryWriter` (what the kube layer used
 * before: same methods, results and errors), so that the agent loads no npm package, which costs
 * its idle resident memory megabytes of Deno's npm support.
 * @module
 */

/** The wire types of a field's tag (groups are only skipped). */
export const WireType = {
  Varint: 0,
  Bit64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Bit32: 5,
} as const;

/** One of {@link WireType}'s values. */
export type WireType = typeof WireType[keyof typeof WireType];

const ASCII_MAX_LENGTH = 32;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Reads fields from a buffer; every read past its end throws `RangeError("premature EOF")`. */
export class BinaryReader {
  /** The buffer read. */
  readonly buf: Uint8Array;
  /** Its length. */
  readonly len: number;
  /** The next byte to read. */
  pos = 0;

  /** A reader at the start of `buf`. */
  constructor(buf: Uint8Array) {
    this.buf = buf;
    this.len = buf.length;
  }

  /** A field's number and wire type. */
  tag(): [number, WireType] {
    const start = this.pos;
    const tag = this.uint32();
    const read = this.pos - start;
    if (read > 5 || (read === 5 && this.buf[this.pos - 1] > 0x0f)) {
      throw new Error("illegal tag: varint overflows uint32");
    }
    const fieldNo = tag >>> 3;
    const wireType = tag & 7;
    if (fieldNo <= 0 || wireType > 5) {
      throw new Error(`illegal tag: field no ${fieldNo} wire type ${wireType}`);
    }
    return [fieldNo, wireType as WireType];
  }

  /** Skips the value of a field of `wireType` (groups to their end tag); returns its bytes. */
  skip(wireType: WireType, fieldNo?: number, recursionLimit = 100): Uint8Array {
    const start = this.pos;
    switch (wireType) {
      case WireType.Varint:
        while (this.buf[this.pos++] & 0x80) {
          // continuation bytes
        }
        break;
      case WireType.Bit64:
        this.pos += 8;
        break;
      case WireType.Bit32:
        this.pos += 4;
        break;
      case WireType.LengthDelimited: {
        const length = this.uint32();
        this.pos += length;
        break;
      }
      case WireType.StartGroup:
        if (recursionLimit <= 0) throw new Error("maximum recursion depth reached");
        for (;;) {
          const [no, type] = this.tag();
          if (type === WireType.EndGroup) {
            if (fieldNo !== undefined && no !== fieldNo) throw new Error("invalid end group tag");
            break;
          }
          this.skip(type, no, recursionLimit - 1);
        }
        break;
      default:
        throw new Error(`cant skip wire type ${wireType}`);
    }
    this.#assertBounds();
    return this.buf.subarray(start, this.pos);
  }

  /** A varint as an unsigned 32-bit number (higher bits dropped). */
  uint32(): number {
    const buf = this.buf;
    let b = buf[this.pos++];
    let result = b & 0x7f;
    if ((b & 0x80) !== 0) {
      b = buf[this.pos++];
      result |= (b & 0x7f) << 7;
      if ((b & 0x80) !== 0) {
        b = buf[this.pos++];
        result |= (b & 0x7f) << 14;
        if ((b & 0x80) !== 0) {
          b = buf[this.pos++];
          result |= (b & 0x7f) << 21;
          if ((b & 0x80) !== 0) {
            b = buf[this.pos++];
            result |= (b & 0x0f) << 28;
            for (let read = 5; (b & 0x80) !== 0 && read < 10; read++) b = buf[this.pos++];
            if ((b & 0x80) !== 0) throw new Error("invalid varint");
          }
        }
      }
    }
    this.#assertBounds();
    return result >>> 0;
  }

  /** A varint as a signed 32-bit number. */
  int32(): number {
    return this.uint32() | 0;
  }

  /** A varint as a signed 64-bit integer. */
  int64(): bigint {
    const [lo, hi] = this.#varint64();
    return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
  }

  /** A varint as a boolean. */
  bool(): boolean {
    const [lo, hi] = this.#varint64();
    return lo !== 0 || hi !== 0;
  }

  /** A length-delimited field's bytes (a view into the buffer). */
  bytes(): Uint8Array {
    const length = this.uint32();
    const start = this.pos;
    this.pos += length;
    this.#assertBounds();
    return this.buf.subarray(start, this.pos);
  }

  /** A length-delimited field as UTF-8 text (malformed sequences replaced). */
  string(): string {
    const bytes = this.bytes();
    if (bytes.length <= ASCII_MAX_LENGTH) {
      let text = "";
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] > 0x7f) return decoder.decode(bytes);
        text += String.fromCharCode(bytes[i]);
      }
      return text;
    }
    return decoder.decode(bytes);
  }

  /** A varint of up to 64 bits as its low and high 32 bits. */
  #varint64(): [number, number] {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      const b = buf[this.pos++];
      lo |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.#bounded(lo, hi);
    }
    const middle = buf[this.pos++];
    lo |= (middle & 0x0f) << 28;
    hi = (middle & 0x70) >> 4;
    if ((middle & 0x80) === 0) return this.#bounded(lo, hi);
    for (let shift = 3; shift <= 31; shift += 7) {
      const b = buf[this.pos++];
      hi |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return this.#bounded(lo, hi);
    }
    throw new Error("invalid varint");
  }

  #bounded(lo: number, hi: number): [number, number] {
    this.#assertBounds();
    return [lo, hi];
  }

  #assertBounds(): void {
    if (this.pos > this.len) throw new RangeError("premature EOF");
  }
}

/** Writes fields into a growing buffer; `fork`…`join` wraps what is between in a length prefix. */
export class BinaryWriter {
  #buffer = new Uint8Array(128);
  #pos = 0;
  #forks: number[] = [];

  /** What was written, copied out; the writer starts over empty. */
  finish(): Uint8Array {
    const result = this.#buffer.slice(0, this.#pos);
    this.#pos = 0;
    this.#forks = [];
    return result;
  }

  /** Starts a length-delimited value; {@link join} ends it. */
  fork(): this {
    this.#forks.push(this.#pos);
    return this;
  }

  /** Ends the value the last {@link fork} started, putting its length before it. */
  join(): this {
    const start = this.#forks.pop();
    if (start === undefined) throw new Error("invalid state, fork stack empty");
    const length = this.#pos - start;
    const prefix = varintSize(length);
    this.#ensure(prefix);
    this.#buffer.copyWithin(start + prefix, start, this.#pos);
    this.#pos = start;
    this.uint32(length);
    this.#pos += length;
    return this;
  }

  /** A field's tag. */
  tag(fieldNo: number, type: WireType): this {
    return this.uint32(((fieldNo << 3) | type) >>> 0);
  }

  /** An unsigned 32-bit varint. */
  uint32(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new Error(`invalid uint32: ${value}`);
    }
    this.#ensure(5);
    while (value > 0x7f) {
      this.#buffer[this.#pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.#buffer[this.#pos++] = value;
    return this;
  }

  /** A signed 32-bit varint (a negative one takes ten bytes). */
  int32(value: number): this {
    if (!Number.isInteger(value) || value < -0x80000000 || value > 0x7fffffff) {
      throw new Error(`invalid int32: ${value}`);
    }
    return value >= 0 ? this.uint32(value) : this.int64(value);
  }

  /** A signed 64-bit varint. */
  int64(value: number | bigint | string): this {
    let rest = BigInt.asUintN(64, BigInt(value));
    this.#ensure(10);
    while (rest > 0x7fn) {
      this.#buffer[this.#pos++] = Number(rest & 0x7fn) | 0x80;
      rest >>= 7n;
    }
    this.#buffer[this.#pos++] = Number(rest);
    return this;
  }

  /** A length-delimited value holding `value`. */
  bytes(value: Uint8Array): this {
    this.uint32(value.length);
    this.#ensure(value.length);
    this.#buffer.set(value, this.#pos);
    this.#pos += value.length;
    return this;
  }

  /** A length-delimited value holding `value` as UTF-8. */
  string(value: string): this {
    return this.bytes(encoder.encode(value));
  }

  #ensure(size: number): void {
    const required = this.#pos + size;
    if (required <= this.#buffer.length) return;
    let length = this.#buffer.length;
    while (length < required) length *= 2;
    const grown = new Uint8Array(length);
    grown.set(this.#buffer);
    this.#buffer = grown;
  }
}

/** The bytes a varint of the unsigned 32-bit `value` takes. */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  return value < 0x10000000 ? 4 : 5;
}
