/**
 * Streaming decoder of a JSON list body (`{"kind":"PodList","apiVersion":"v1","metadata":{…},
 * "items":[…]}`): emits the list's metadata and each item as soon as it is complete, so memory is
 * bounded by the largest item, not the list. Pure: no I/O.
 * @module
 */
import { type Decoder, orderedTransform } from "../../streams/ordered_transform.ts";
import type { ListMeta, ListPart } from "../types.ts";
import { parseJsonObject, rawObjectFromJson, type TypeMeta } from "./object.ts";
import { DEFAULT_MAX_VALUE_BYTES, isJsonWhitespace, JsonValueScanner } from "./value_framer.ts";

const decoder = new TextDecoder();

// Where the decoder is in the list object. IN_* states are inside a value the scanner frames.
const START = 0;
const FIRST_KEY = 1;
const KEY = 2;
const COLON = 3;
const VALUE = 4;
const AFTER_MEMBER = 5;
const FIRST_ITEM = 6;
const ITEM = 7;
const AFTER_ITEM = 8;
const DONE = 9;
const IN_KEY = 10;
const IN_MEMBER = 11;
const IN_ITEM = 12;

/** Options of {@link JsonListDecoder}. */
export interface JsonListDecoderOptions {
  /** Largest item (or other top-level member) accepted; larger errors the stream. 16 MiB. */
  maxItemBytes?: number;
}

function malformed(message: string, offset: number): SyntaxError {
  return new SyntaxError(`malformed JSON list at byte ${offset}: ${message}`);
}

/** The synchronous core of {@link JsonListDecoder}: fed chunks, it emits parts. */
class ListSplitter implements Decoder<Uint8Array, ListPart> {
  readonly #resource: string;
  readonly #scanner: JsonValueScanner;
  #state = START;
  #offset = 0;
  #key = "";
  #kind: string | undefined;
  #apiVersion: string | undefined;
  #metadata: Record<string, unknown> | undefined;
  #metaSent = false;
  #sawItems = false;

  constructor(resource: string, maxItemBytes: number) {
    this.#resource = resource;
    this.#scanner = new JsonValueScanner(maxItemBytes);
  }

  push(chunk: Uint8Array, emit: (part: ListPart) => void): void {
    const length = chunk.length;
    const base = this.#offset;
    let i = 0;
    while (i < length) {
      const state = this.#state;
      if (state >= IN_KEY) {
        const value = this.#scanner.scan(chunk, i, base);
        if (value === undefined) break;
        i = this.#scanner.position;
        this.#complete(state, value, base + i, emit);
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
          this.#state = FIRST_KEY;
          i++;
          break;
        case FIRST_KEY:
        case KEY:
          if (byte === 0x7d && state === FIRST_KEY) {
            this.#finish(base + i, emit);
            i++;
          } else if (byte === 0x22) this.#state = IN_KEY;
          else throw malformed("expected a key", base + i);
          break;
        case COLON:
          if (byte !== 0x3a) throw malformed("expected ':'", base + i);
          this.#state = VALUE;
          i++;
          break;
        case VALUE:
          if (this.#key === "items" && byte === 0x5b) {
            this.#sawItems = true;
            this.#state = FIRST_ITEM;
            i++;
          } else this.#state = IN_MEMBER;
          break;
        case AFTER_MEMBER:
          if (byte === 0x2c) this.#state = KEY;
          else if (byte === 0x7d) this.#finish(base + i, emit);
          else throw malformed("expected ',' or '}'", base + i);
          i++;
          break;
        case FIRST_ITEM:
          if (byte === 0x5d) {
            this.#state = AFTER_MEMBER;
            i++;
          } else this.#state = IN_ITEM;
          break;
        case ITEM:
          this.#state = IN_ITEM;
          break;
        case AFTER_ITEM:
          if (byte === 0x2c) this.#state = ITEM;
          else if (byte === 0x5d) this.#state = AFTER_MEMBER;
          else throw malformed("expected ',' or ']' in items", base + i);
          i++;
          break;
        default:
          throw malformed("unexpected data after the list", base + i);
      }
    }
    this.#offset += length;
  }

  finish(emit: (part: ListPart) => void): void {
    if (this.#state !== DONE) {
      throw malformed("unexpected end of input (truncated list body)", this.#offset);
    }
    if (!this.#metaSent) this.#sendMeta(emit);
  }

  #complete(state: number, value: Uint8Array, offset: number, emit: (part: ListPart) => void) {
    if (state === IN_ITEM) {
      emit({ type: "item", object: this.#item(value, offset) });
      this.#state = AFTER_ITEM;
    } else if (state === IN_KEY) {
      this.#key = JSON.parse(decoder.decode(value));
      this.#state = COLON;
    } else {
      this.#member(value, offset);
      this.#state = AFTER_MEMBER;
      if (
        !this.#metaSent && this.#kind !== undefined && this.#apiVersion !== undefined &&
        this.#metadata !== undefined
      ) this.#sendMeta(emit);
    }
  }

  #item(value: Uint8Array, offset: number) {
    const kind = this.#kind;
    const fallback: TypeMeta | undefined = kind === undefined ? undefined : {
      kind: kind.endsWith("List") ? kind.slice(0, -4) : kind,
      apiVersion: this.#apiVersion ?? "",
    };
    const object = rawObjectFromJson(value, this.#resource, fallback);
    if (!object.typeMeta.kind && kind === undefined) {
      throw malformed("an item without kind comes before the list's kind", offset);
    }
    if (!object.typeMeta.apiVersion && this.#apiVersion === undefined) {
      throw malformed("an item without apiVersion comes before the list's apiVersion", offset);
    }
    return object;
  }

  #member(value: Uint8Array, offset: number): void {
    switch (this.#key) {
      case "kind": {
        const kind = JSON.parse(decoder.decode(value));
        if (typeof kind !== "string" || !kind.endsWith("List")) {
          throw malformed(`expected a list, got kind ${JSON.stringify(kind)}`, offset);
        }
        this.#kind = kind;
        break;
      }
      case "apiVersion": {
        const apiVersion = JSON.parse(decoder.decode(value));
        if (typeof apiVersion !== "string") throw malformed("apiVersion is not a string", offset);
        this.#apiVersion = apiVersion;
        break;
      }
      case "metadata":
        this.#metadata = parseJsonObject(value);
        break;
      case "items":
        if (JSON.parse(decoder.decode(value)) !== null) {
          throw malformed("items is neither an array nor null", offset);
        }
        this.#sawItems = true;
        break;
    }
  }

  #finish(offset: number, emit: (part: ListPart) => void): void {
    if (!this.#sawItems) throw malformed("the object has no items", offset);
    this.#state = DONE;
    if (!this.#metaSent) this.#sendMeta(emit);
  }

  #sendMeta(emit: (part: ListPart) => void): void {
    this.#metaSent = true;
    const m = this.#metadata ?? {};
    const meta: ListMeta = {
      apiVersion: this.#apiVersion ?? "",
      kind: this.#kind ?? "",
      resourceVersion: typeof m.resourceVersion === "string" ? m.resourceVersion : "",
      continue: typeof m.continue === "string" ? m.continue : "",
    };
    if (typeof m.remainingItemCount === "number") meta.remainingItemCount = m.remainingItemCount;
    emit({ type: "meta", meta });
  }
}

/**
 * Decodes a JSON list body cut at arbitrary chunk boundaries into a `meta` part (as soon as the
 * list's kind, apiVersion and metadata have been read, else at its end) and one `item` part per
 * item as each completes. Members may come in any order. Items get their own kind/apiVersion, or
 * the list's kind without "List" and its apiVersion (typed list items carry none). The stream
 * errors on a malformed or truncated body, on a body that is not a list (such as a `Status`),
 * and on an item larger than `maxItemBytes`, after every part decoded before the fault (a body
 * ending early errors with `TruncatedBody`).
 *
 * @example
 * ```ts
 * import { JsonListDecoder } from "./list_decoder.ts";
 *
 * const text = '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{}}]}';
 * const body = ReadableStream.from([new TextEncoder().encode(text)]);
 * const parts = await Array.fromAsync(body.pipeThrough(new JsonListDecoder("pods")));
 * // parts[0].type === "meta"; parts[1] is an item of kind Pod, apiVersion v1
 * ```
 */
export class JsonListDecoder implements TransformStream<Uint8Array, ListPart> {
  /** Where the list body is written. */
  readonly writable: WritableStream<Uint8Array>;
  /** Where its parts are read. */
  readonly readable: ReadableStream<ListPart>;

  /** Creates a decoder for a list of `resource` (plural, used for selectable fields). */
  constructor(resource: string, options: JsonListDecoderOptions = {}) {
    const splitter = new ListSplitter(resource, options.maxItemBytes ?? DEFAULT_MAX_VALUE_BYTES);
    ({ writable: this.writable, readable: this.readable } = orderedTransform(splitter));
  }
}
