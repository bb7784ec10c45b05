/**
 * A sparse reader of one JSON object: it walks the bytes once, validating all of them as
 * `JSON.parse` would, but builds only the values at the paths a {@link SparsePlan} names. The
 * result is a partial copy of what `JSON.parse` returns — the same values at those paths, with the
 * same duplicate-key rule (the last occurrence wins) — and nothing else, so reading a cached
 * object's metadata and selectable fields costs no allocation for the rest of it.
 *
 * Strings are decoded from their bytes as the whole text would be (a UTF-8 decoder that replaces
 * invalid bytes and keeps a byte order mark inside a string), and through `JSON.parse` of the
 * string alone when it holds an escape. Numbers go through `Number`, whose reading of a JSON
 * number is `JSON.parse`'s.
 *
 * Validation: the framer (`JsonValueScanner`) checks only structure, resumably across chunks, and
 * left the rest to `JSON.parse`; with no `JSON.parse` left, this pass checks the whole grammar
 * (string bytes and escapes, number syntax, literals, separators), to any nesting depth, as
 * `JSON.parse` does (containers that are skipped use an explicit stack). Whether to validate all
 * was measured on the captured kind pods (8.3 KiB each; 5,000 of them, median of 7 runs, on a
 * shared 2-core machine): a full `JSON.parse` plus the fields costs 31 µs a pod, this reader
 * 17 µs, and a structure-only walk of the same bytes (the framer's, which a reader trusting the
 * skipped bytes would still need) 10.6 µs. Trusting them would save at most 6 µs a pod and let
 * into the cache, whose objects are served back verbatim, bytes the full parse rejected: the
 * reader validates everything. Re-measure with `deno bench -A scripts/bench/json_decode_bench.ts`.
 *
 * Pure: no I/O.
 * @module
 */
import {
  BACKSLASH,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  MINUS,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from "./bytes.ts";
import { isJsonWhitespace } from "./value_framer.ts";

/** One node of a plan: what to build of the value at a path. */
interface PlanNode {
  /** Members to descend into. */
  readonly children: ReadonlyArray<PlanChild>;
  /** The same children by array index, for those named by one (`"0"`). */
  readonly elements: ReadonlyArray<PlanNode | undefined>;
  /** Keep the value itself when it is a string, number, boolean or null. */
  readonly leaf: boolean;
  /** Keep every member (or element) of the value as a leaf. */
  readonly collect: boolean;
}

/** A named child of a plan node, with the UTF-8 bytes of its name for matching raw keys. */
interface PlanChild {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly node: PlanNode;
}

interface MutableNode {
  children: Map<string, MutableNode>;
  leaf: boolean;
  collect: boolean;
}

/** Which paths of an object a sparse read builds; made by {@link sparsePlan}. */
export interface SparsePlan {
  readonly root: PlanNode;
}

/** What a sparse read should build of an object. */
export interface SparsePaths {
  /** Paths (keys in order) whose scalar values are kept. */
  leaves: ReadonlyArray<readonly string[]>;
  /** Paths whose every member's scalar value is kept (as `metadata.labels`). */
  collect?: ReadonlyArray<readonly string[]>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const LEAF: PlanNode = { children: [], elements: [], leaf: true, collect: false };

/** A child name that also names an array element (JSON.parse's arrays are indexed by it). */
const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,8})$/;

/** A plan for {@link readSparse} building the values at `paths`. */
export function sparsePlan(paths: SparsePaths): SparsePlan {
  const root: MutableNode = { children: new Map(), leaf: false, collect: false };
  const nodeAt = (path: readonly string[]) => {
    let node = root;
    for (const key of path) {
      let child = node.children.get(key);
      if (child === undefined) {
        child = { children: new Map(), leaf: false, collect: false };
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  };
  for (const path of paths.leaves) nodeAt(path).leaf = true;
  for (const path of paths.collect ?? []) nodeAt(path).collect = true;
  const freeze = (node: MutableNode): PlanNode => {
    const children = [...node.children].map(([name, child]) => ({
      name,
      bytes: encoder.encode(name),
      node: freeze(child),
    }));
    const elements: PlanNode[] = [];
    for (const { name, node } of children) {
      if (ARRAY_INDEX.test(name)) elements[Number(name)] = node;
    }
    return { children, elements, leaf: node.leaf, collect: node.collect };
  };
  return { root: freeze(root) };
}

function syntaxError(message: string, at: number): SyntaxError {
  return new SyntaxError(`malformed JSON at byte ${at}: ${message}`);
}

function unexpected(bytes: Uint8Array, at: number, wanted: string): SyntaxError {
  if (at >= bytes.length) return syntaxError(`unexpected end, expected ${wanted}`, at);
  const byte = bytes[at];
  const shown = byte >= 0x20 && byte < 0x7f
    ? `'${String.fromCharCode(byte)}'`
    : `0x${byte.toString(16)}`;
  return syntaxError(`unexpected ${shown}, expected ${wanted}`, at);
}

function skipWhitespace(bytes: Uint8Array, i: number): number {
  while (i < bytes.length && isJsonWhitespace(bytes[i])) i++;
  return i;
}

/** Set by {@link skipString}: whether the string just skipped holds a backslash escape. */
let escaped = false;

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66);
}

/** Bytes that end a string's plain run: the quote, the backslash and the control characters. */
const STRING_STOP = new Uint8Array(256);
for (let byte = 0; byte < 0x20; byte++) STRING_STOP[byte] = 1;
STRING_STOP[QUOTE] = 1;
STRING_STOP[BACKSLASH] = 1;

/** Validates the string opening at `i` (a quote); returns the index after its closing quote. */
function skipString(bytes: Uint8Array, i: number): number {
  const length = bytes.length;
  escaped = false;
  i++;
  for (;;) {
    while (
      i + 4 <= length &&
      (STRING_STOP[bytes[i]] | STRING_STOP[bytes[i + 1]] | STRING_STOP[bytes[i + 2]] |
          STRING_STOP[bytes[i + 3]]) === 0
    ) i += 4;
    while (i < length && STRING_STOP[bytes[i]] === 0) i++;
    if (i >= length) throw syntaxError("unterminated string", length);
    const byte = bytes[i];
    if (byte === QUOTE) return i + 1;
    if (byte !== BACKSLASH) throw syntaxError("control character in a string", i);
    escaped = true;
    const next = bytes[i + 1];
    if (next === 0x75) {
      if (
        !isHex(bytes[i + 2]) || !isHex(bytes[i + 3]) || !isHex(bytes[i + 4]) ||
        !isHex(bytes[i + 5])
      ) throw syntaxError("bad \\u escape", i);
      i += 6;
      continue;
    }
    if (
      next !== QUOTE && next !== BACKSLASH && next !== 0x2f && next !== 0x62 && next !== 0x66 &&
      next !== 0x6e && next !== 0x72 && next !== 0x74
    ) throw syntaxError("bad escape", i);
    i += 2;
  }
}

function skipDigits(bytes: Uint8Array, i: number): number {
  const start = i;
  while (bytes[i] >= 0x30 && bytes[i] <= 0x39) i++;
  if (i === start) throw unexpected(bytes, i, "a digit");
  return i;
}

/** Validates the number starting at `i`; returns the index after it. */
function skipNumber(bytes: Uint8Array, i: number): number {
  if (bytes[i] === MINUS) i++;
  if (bytes[i] === 0x30) i++;
  else i = skipDigits(bytes, i);
  if (bytes[i] === 0x2e) i = skipDigits(bytes, i + 1);
  if ((bytes[i] | 0x20) === 0x65) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === MINUS) i++;
    i = skipDigits(bytes, i);
  }
  return i;
}

/** Validates the literal `word` (given as its bytes after the first) at `i`. */
function skipLiteral(bytes: Uint8Array, i: number, rest: string): number {
  for (let k = 0; k < rest.length; k++) {
    if (bytes[i + 1 + k] !== rest.charCodeAt(k)) throw unexpected(bytes, i + 1 + k, "a literal");
  }
  return i + 1 + rest.length;
}

/** Validates a string, number or literal at `i`; returns the index after it. */
function skipScalar(bytes: Uint8Array, i: number): number {
  const byte = bytes[i];
  if (byte === QUOTE) return skipString(bytes, i);
  if (byte === 0x74) return skipLiteral(bytes, i, "rue");
  if (byte === 0x66) return skipLiteral(bytes, i, "alse");
  if (byte === 0x6e) return skipLiteral(bytes, i, "ull");
  if (byte === MINUS || (byte >= 0x30 && byte <= 0x39)) return skipNumber(bytes, i);
  throw unexpected(bytes, i, "a value");
}

/** After an object's `,` or `{`: validates `"key" :` at `i`; returns where the value starts. */
function skipKey(bytes: Uint8Array, i: number): number {
  if (bytes[i] !== QUOTE) throw unexpected(bytes, i, "a key");
  i = skipWhitespace(bytes, skipString(bytes, i));
  if (bytes[i] !== COLON) throw unexpected(bytes, i, "':'");
  return skipWhitespace(bytes, i + 1);
}

/**
 * Validates the value starting at `i` (no whitespace before it) and returns the index after it.
 * Containers are walked with an explicit stack, so nesting depth costs no call stack.
 */
function skipValue(bytes: Uint8Array, i: number): number {
  let stack: number[] | undefined;
  for (;;) {
    // A value starts at i.
    const byte = bytes[i];
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
      const close = byte + 2;
      i = skipWhitespace(bytes, i + 1);
      if (bytes[i] !== close) {
        (stack ??= []).push(close);
        if (byte === OPEN_BRACE) i = skipKey(bytes, i);
        continue;
      }
      i++;
    } else i = skipScalar(bytes, i);
    // A value ended just before i: close containers until one continues.
    for (;;) {
      if (stack === undefined || stack.length === 0) return i;
      i = skipWhitespace(bytes, i);
      const close = stack[stack.length - 1];
      if (bytes[i] === COMMA) {
        i = skipWhitespace(bytes, i + 1);
        if (close === CLOSE_BRACE) i = skipKey(bytes, i);
        break;
      }
      if (bytes[i] !== close) throw unexpected(bytes, i, `',' or '${String.fromCharCode(close)}'`);
      stack.pop();
      i++;
    }
  }
}

/** The text of bytes [start, end) of a validated string's contents. */
function decodeText(bytes: Uint8Array, start: number, end: number, hasEscape: boolean): string {
  if (hasEscape) return JSON.parse(decoder.decode(bytes.subarray(start - 1, end + 1)));
  if (end - start <= 64) {
    let text = "";
    for (let i = start; i < end; i++) {
      const byte = bytes[i];
      if (byte >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(byte);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** The ASCII text of bytes [start, end) (a validated number). */
function asciiText(bytes: Uint8Array, start: number, end: number): string {
  let text = "";
  for (let i = start; i < end; i++) text += String.fromCharCode(bytes[i]);
  return text;
}

type Holder = Record<string, unknown> | unknown[];

/** Reads the scalar at `i` into `holder[key]`; returns the index after it. */
function readScalar(bytes: Uint8Array, i: number, holder: Holder, key: string | number): number {
  const byte = bytes[i];
  const end = skipScalar(bytes, i);
  let value: unknown;
  if (byte === QUOTE) value = decodeText(bytes, i + 1, end - 1, escaped);
  else if (byte === 0x74) value = true;
  else if (byte === 0x66) value = false;
  else if (byte === 0x6e) value = null;
  else value = Number(asciiText(bytes, i, end));
  (holder as Record<string, unknown>)[key] = value;
  return end;
}

/**
 * Reads the value at `i` into `holder[key]` as `node` asks — a container it descends into, a
 * scalar it keeps, or else a stand-in (`{}`, `[]` or null) that reads like the value at every
 * path the plan names — and returns the index after it.
 */
function readValue(
  bytes: Uint8Array,
  i: number,
  node: PlanNode,
  holder: Holder,
  key: string | number,
): number {
  const byte = bytes[i];
  const into = holder as Record<string, unknown>;
  if (byte === OPEN_BRACE) {
    const object: Record<string, unknown> = node.collect ? Object.create(null) : {};
    into[key] = object;
    return node.collect || node.children.length > 0
      ? readObject(bytes, i, node, object)
      : skipValue(bytes, i);
  }
  if (byte === OPEN_BRACKET) {
    const array: unknown[] = [];
    into[key] = array;
    return node.collect || node.elements.length > 0
      ? readArray(bytes, i, node, array)
      : skipValue(bytes, i);
  }
  if (node.leaf) return readScalar(bytes, i, holder, key);
  into[key] = null;
  return skipScalar(bytes, i);
}

/** The child of `node` named by the key whose contents are bytes [start, end). */
function childNamed(
  bytes: Uint8Array,
  start: number,
  end: number,
  hasEscape: boolean,
  node: PlanNode,
): PlanChild | undefined {
  if (hasEscape) {
    const name = decodeText(bytes, start, end, true);
    return node.children.find((child) => child.name === name);
  }
  const length = end - start;
  search: for (const child of node.children) {
    const name = child.bytes;
    if (name.length !== length) continue;
    for (let k = 0; k < length; k++) {
      if (bytes[start + k] !== name[k]) continue search;
    }
    return child;
  }
  return undefined;
}

/** Reads the object at `i` into `object` as `node` asks; returns the index after it. */
function readObject(
  bytes: Uint8Array,
  i: number,
  node: PlanNode,
  object: Record<string, unknown>,
): number {
  i = skipWhitespace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACE) return i + 1;
  for (;;) {
    if (bytes[i] !== QUOTE) throw unexpected(bytes, i, "a key");
    const keyEnd = skipString(bytes, i);
    const hasEscape = escaped;
    let j = skipWhitespace(bytes, keyEnd);
    if (bytes[j] !== COLON) throw unexpected(bytes, j, "':'");
    j = skipWhitespace(bytes, j + 1);
    if (node.collect) {
      i = readValue(bytes, j, LEAF, object, decodeText(bytes, i + 1, keyEnd - 1, hasEscape));
    } else {
      const child = childNamed(bytes, i + 1, keyEnd - 1, hasEscape, node);
      i = child === undefined
        ? skipValue(bytes, j)
        : readValue(bytes, j, child.node, object, child.name);
    }
    i = skipWhitespace(bytes, i);
    if (bytes[i] === CLOSE_BRACE) return i + 1;
    if (bytes[i] !== COMMA) throw unexpected(bytes, i, "',' or '}'");
    i = skipWhitespace(bytes, i + 1);
  }
}

/** Reads the array at `i` into `array` as `node` asks; returns the index after it. */
function readArray(bytes: Uint8Array, i: number, node: PlanNode, array: unknown[]): number {
  i = skipWhitespace(bytes, i + 1);
  if (bytes[i] === CLOSE_BRACKET) return i + 1;
  for (let index = 0;; index++) {
    const child = node.collect ? LEAF : node.elements[index];
    i = child === undefined ? skipValue(bytes, i) : readValue(bytes, i, child, array, index);
    i = skipWhitespace(bytes, i);
    if (bytes[i] === CLOSE_BRACKET) return i + 1;
    if (bytes[i] !== COMMA) throw unexpected(bytes, i, "',' or ']'");
    i = skipWhitespace(bytes, i + 1);
  }
}

/**
 * Reads the JSON object in `bytes` (no surrounding whitespace; a leading byte order mark is
 * skipped, as a UTF-8 decoder does) and returns the values `plan` names, each where
 * `JSON.parse` would put it. Throws a SyntaxError for bytes that are not valid JSON, and a
 * TypeError for valid JSON that is not an object.
 */
export function readSparse(bytes: Uint8Array, plan: SparsePlan): Record<string, unknown> {
  let i = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  i = skipWhitespace(bytes, i);
  let object: Record<string, unknown> | undefined;
  if (bytes[i] === OPEN_BRACE) i = readObject(bytes, i, plan.root, object = {});
  else i = skipValue(bytes, i);
  i = skipWhitespace(bytes, i);
  if (i !== bytes.length) throw unexpected(bytes, i, "the end");
  if (object === undefined) throw new TypeError("expected a JSON object, got another value");
  return object;
}
