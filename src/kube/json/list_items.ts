/**
 * Splits a JSON list body (`{"kind":…,"metadata":{…},"items":[…]}`) cut at any chunk boundary
 * into the bytes around its items, passed on exactly as received, and each item of the top-level
 * `items` array on its own — so a caller can rewrite or drop single items and leave every other
 * byte alone. The commas between items are not handed out: the caller writes its own between the
 * items it keeps. Memory is bounded by the largest item. Pure: no I/O.
 * @module
 */
import { DEFAULT_MAX_VALUE_BYTES, isJsonWhitespace, JsonValueScanner } from "./value_framer.ts";

/** A piece of a list body: bytes to pass on as they are, or one whole item. */
export type ListSegment = { type: "raw"; bytes: Uint8Array } | { type: "item"; bytes: Uint8Array };

const decoder = new TextDecoder();

// Where the splitter is. Scanning states (a value the scanner frames) come last.
const START = 0;
const KEY = 1;
const COLON = 2;
const VALUE = 3;
const AFTER_MEMBER = 4;
const ITEM = 5;
const AFTER_ITEM = 6;
const DONE = 7;
const IN_KEY = 8;
const IN_MEMBER = 9;
const IN_ITEM = 10;

function malformed(message: string, offset: number): SyntaxError {
  return new SyntaxError(`malformed JSON list at byte ${offset}: ${message}`);
}

/** Feeds list chunks in order and hands out {@link ListSegment}s. */
export class JsonListItemSplitter {
  readonly #scanner: JsonValueScanner;
  #state = START;
  #offset = 0;
  #key = "";
  #itemsSeen = false;

  /** Frames items of at most `maxItemBytes` bytes (16 MiB by default). */
  constructor(maxItemBytes: number = DEFAULT_MAX_VALUE_BYTES) {
    this.#scanner = new JsonValueScanner(maxItemBytes);
  }

  /** Consumes `chunk`; `emit` receives its segments in order. Throws SyntaxError on bad input. */
  push(chunk: Uint8Array, emit: (segment: ListSegment) => void): void {
    const base = this.#offset;
    const length = chunk.length;
    let raw = 0; // start of the bytes not yet handed out
    let i = 0;
    const flush = (end: number) => {
      if (end > raw) emit({ type: "raw", bytes: chunk.subarray(raw, end) });
      raw = end;
    };
    while (i < length) {
      const state = this.#state;
      if (state >= IN_KEY) {
        const value = this.#scanner.scan(chunk, i, base);
        if (value === undefined) {
          i = length;
          break;
        }
        i = this.#scanner.position;
        if (state === IN_ITEM) {
          emit({ type: "item", bytes: value });
          raw = i;
          this.#state = AFTER_ITEM;
        } else if (state === IN_KEY) {
          this.#key = JSON.parse(decoder.decode(value));
          this.#state = COLON;
        } else this.#state = AFTER_MEMBER;
        continue;
      }
      const byte = chunk[i];
      if (isJsonWhitespace(byte)) {
        i++;
        continue;
      }
      switch (state) {
        case START:
          if (byte !== 0x7b) throw malformed("expected '{'", base + i);
          this.#state = KEY;
          i++;
          break;
        case KEY:
          if (byte === 0x22) this.#state = IN_KEY;
          else if (byte === 0x7d) {
            this.#state = DONE;
            i++;
          } else throw malformed("expected a key", base + i);
          break;
        case COLON:
          if (byte !== 0x3a) throw malformed("expected ':'", base + i);
          this.#state = VALUE;
          i++;
          break;
        case VALUE:
          if (this.#key === "items" && byte === 0x5b && !this.#itemsSeen) {
            this.#itemsSeen = true;
            this.#state = ITEM;
            i++;
            flush(i);
          } else this.#state = IN_MEMBER;
          break;
        case AFTER_MEMBER:
          if (byte === 0x2c) this.#state = KEY;
          else if (byte === 0x7d) this.#state = DONE;
          else throw malformed("expected ',' or '}'", base + i);
          i++;
          break;
        case ITEM:
          // Inside the array only items and the closing bracket are handed out.
          raw = i;
          if (byte === 0x5d) {
            this.#state = AFTER_MEMBER;
            i++;
          } else this.#state = IN_ITEM;
          break;
        case AFTER_ITEM:
          if (byte === 0x2c) this.#state = ITEM;
          else if (byte === 0x5d) {
            raw = i;
            this.#state = AFTER_MEMBER;
          } else throw malformed("expected ',' or ']' in items", base + i);
          i++;
          break;
        default:
          throw malformed("unexpected data after the list", base + i);
      }
    }
    if (this.#state !== IN_ITEM && this.#state !== ITEM && this.#state !== AFTER_ITEM) {
      flush(length);
    }
    this.#offset += length;
  }

  /** Checks that the body ended after a complete list. */
  end(): void {
    if (this.#state !== DONE) {
      throw malformed("unexpected end of input (truncated list body)", this.#offset);
    }
  }
}
