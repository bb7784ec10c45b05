/**
 * A small, strict reader for the YAML that config files and kubeconfigs are written in, so that
 * reading one does not load the `yaml` package (CommonJS, which brings Deno's Node compatibility
 * layer: megabytes of resident memory for as long as the agent runs). It reads one document of
 * block mappings and sequences (`- key: v` items too), plain, single- and double-quoted scalars,
 * comments, a leading `---`, flow sequences and mappings on one line (`[a, b]`, `{}`), and `|` /
 * `>` block scalars with a chomping indicator. Whatever else it meets (anchors, aliases, tags,
 * several documents, `?` keys, tabs, multi-line plain or quoted scalars, a flow collection over
 * several lines…) it does not guess: it defers, and the caller asks `yaml` (`yaml_parse.ts`).
 * Its own errors (a duplicate key, a bad escape) are worded and placed as `yaml` words and places
 * them, and returned only once the whole document is read (so that the first is `yaml`'s first).
 * @module
 */
import {
  invalidYaml,
  type YamlDocument,
  type YamlMap,
  type YamlNode,
  type YamlPair,
  type YamlScalar,
  type YamlSeq,
  YamlSyntaxError,
  type YamlValue,
} from "./yaml_tree.ts";

/** The reader met something it does not read (`reason`); the caller asks `yaml` instead. */
export interface Deferred {
  deferred: string;
}

/** Reads `text` as one YAML document, or says why it is not valid YAML, or defers. */
export function readYaml(text: string): YamlDocument | YamlSyntaxError | Deferred {
  try {
    // Tabs, carriage returns, a byte order mark, control and odd line-break characters.
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/.test(text)) {
      throw new Deferral("a tab, carriage return or control character");
    }
    const lines = text.split("\n");
    const finalNewline = lines.at(-1) === "";
    if (finalNewline) lines.pop();
    const src: Source = { lines, next: 0, finalNewline, empties: new Set() };
    const root = readDocument(src);
    return src.error ?? { root };
  } catch (error) {
    if (error instanceof Deferral) return { deferred: error.message };
    throw error;
  }
}

/** Thrown inside the reader to defer; `readYaml` turns it into a `Deferred`. */
class Deferral extends Error {}

/** The text's lines (without their line breaks) and the index of the next line to read. */
interface Source {
  lines: string[];
  next: number;
  /** The last line ends with a line break. */
  finalNewline: boolean;
  /** The empty values read so far (nothing after `key:` or `-`). */
  empties: Set<YamlNode>;
  /** The first error met. The reader goes on: it returns the error only if it defers nowhere. */
  error?: YamlSyntaxError;
}

/** Notes an error at `line`:`col` (from 1), unless one came before it. */
function report(src: Source, line: number, col: number, reason: string): void {
  src.error ??= new YamlSyntaxError(invalidYaml(line, col, reason));
}

function readDocument(src: Source): YamlNode | null {
  const { lines } = src;
  let first = nextContent(src, 0);
  let start: YamlScalar | undefined;
  if (first < lines.length && lines[first].startsWith("%")) throw new Deferral("a directive");
  if (first < lines.length && /^---(?: |$)/.test(lines[first])) {
    if (!endsLine(lines[first], 3)) throw new Deferral("content on the --- line");
    start = scalarAt(null, first, skipSpaces(lines[first], 3));
    first = nextContent(src, first + 1);
  }
  for (let i = first; i < lines.length; i++) {
    if (lines[i].startsWith("---") || lines[i].startsWith("...")) {
      throw new Deferral("a document marker (several documents)");
    }
  }
  if (first === lines.length) return start ?? null;
  const root = readNodeAt(src, first, indentOf(lines[first]), -1, true);
  if (nextContent(src, src.next) < lines.length) throw new Deferral("content after the document");
  return root;
}

/**
 * Reads the node that starts on line `li` at column `col` (0-based), inside a block collection
 * indented `blockIndent`. `compact`: a block collection may start here (at a line's start or
 * after `- `; not after `key: `). Leaves `src.next` after the node's last line.
 */
function readNodeAt(
  src: Source,
  li: number,
  col: number,
  blockIndent: number,
  compact: boolean,
): YamlNode {
  const text = src.lines[li];
  const c = text[col];
  if (isDash(text, col)) {
    if (!compact) throw new Deferral("a block sequence on its key's line");
    return readSeq(src, li, col);
  }
  if (c === "|" || c === ">") {
    if (col === indentOf(text)) throw new Deferral("a block scalar header on a line of its own");
    return readBlockScalar(src, li, col, blockIndent);
  }
  if (c === "[" || c === "{") {
    const { node, end } = readFlow(src, text, li, col);
    if (keyColon(text, end) >= 0) throw new Deferral("a flow collection as a key");
    if (!endsLine(text, end)) throw new Deferral("text after a flow collection");
    src.next = li + 1;
    return node;
  }
  if (c === "'" || c === '"') {
    const { value, end } = readQuoted(src, text, li, col);
    if (keyColon(text, end) >= 0) return readMapOrDefer(src, li, col, compact);
    if (!endsLine(text, end)) throw new Deferral("text after a quoted scalar");
    src.next = li + 1;
    return scalarAt(value, li, col);
  }
  if (INDICATORS.includes(c)) throw new Deferral(`a node starting with "${c}"`);
  const plain = scanPlain(text, col);
  if (plain.colon >= 0) return readMapOrDefer(src, li, col, compact);
  src.next = li + 1;
  return scalarAt(resolvePlain(plain.value), li, col);
}

/** What no node this reader reads starts with (`-` only when followed by a space). */
const INDICATORS = "&*!%@`#,]}?:";

function readMapOrDefer(src: Source, li: number, col: number, compact: boolean): YamlMap {
  if (!compact) throw new Deferral("a mapping on its key's line");
  return readMap(src, li, col);
}

/** A block mapping whose first key is on line `li` at column `indent`. */
function readMap(src: Source, li: number, indent: number): YamlMap {
  const { lines } = src;
  const map: YamlMap = { kind: "map", pairs: [], line: li + 1, col: indent + 1 };
  const keys: YamlValue[] = [];
  let empty: YamlScalar | undefined;
  for (let line = li;;) {
    const { key, colon } = readKey(src, lines[line], line, indent);
    // Equal values, as yaml compares keys: `1` and `0x1` clash, `.nan` and `.nan` do not.
    if (keys.some((known) => known === key.value)) {
      // yaml places the error at the key, or, after an empty value, somewhere after that.
      if (empty) throw new Deferral("a duplicate key after an empty value");
      report(src, key.line, key.col, "Map keys must be unique");
    }
    keys.push(key.value);
    const value = readValueAfter(src, line, colon + 1, indent);
    map.pairs.push({ key, value });
    empty = trailingEmpty(src, value);
    const next = nextContent(src, src.next);
    src.next = next;
    if (next === lines.length || indentOf(lines[next]) < indent) return map;
    if (indentOf(lines[next]) > indent) throw new Deferral("a line indented more than its keys");
    line = next;
  }
}

/** The key of a `key: value` line at column `col`, and the index of its colon. */
function readKey(
  src: Source,
  text: string,
  li: number,
  col: number,
): { key: YamlScalar; colon: number } {
  const c = text[col];
  if (c === "'" || c === '"') {
    const { value, end } = readQuoted(src, text, li, col);
    const colon = keyColon(text, end);
    if (colon < 0) throw new Deferral("a quoted scalar where a key was expected");
    return { key: scalarAt(value, li, col), colon };
  }
  if (INDICATORS.includes(c) || "[{|>".includes(c) || isDash(text, col)) {
    throw new Deferral(`a key starting with "${c}"`);
  }
  const plain = scanPlain(text, col);
  if (plain.colon < 0) {
    throw new Deferral("a line that is not a key: value (or a multi-line scalar)");
  }
  if (plain.colon - col > 1024) throw new Deferral("a key over 1024 characters");
  return { key: scalarAt(resolvePlain(plain.value), li, col), colon: plain.colon };
}

/**
 * The value after a key's colon (index `at` on line `li`) in a mapping indented `indent`: on the
 * same line, on the lines below (more indented, or a sequence at the key's indentation), or none.
 */
function readValueAfter(src: Source, li: number, at: number, indent: number): YamlNode {
  const text = src.lines[li];
  const start = skipSpaces(text, at);
  if (start < text.length && text[start] !== "#") return readNodeAt(src, li, start, indent, false);
  const next = nextContent(src, li + 1);
  if (next < src.lines.length) {
    const nextIndent = indentOf(src.lines[next]);
    if (nextIndent > indent || (nextIndent === indent && isDash(src.lines[next], indent))) {
      return readNodeAt(src, next, nextIndent, indent, true);
    }
  }
  src.next = li + 1;
  return emptyAt(src, li, start);
}

/** A block sequence whose first `-` is on line `li` at column `indent`. */
function readSeq(src: Source, li: number, indent: number): YamlSeq {
  const { lines } = src;
  const seq: YamlSeq = { kind: "seq", items: [], line: li + 1, col: indent + 1 };
  for (let line = li;;) {
    const text = lines[line];
    const start = skipSpaces(text, indent + 1);
    if (start < text.length && text[start] !== "#") {
      seq.items.push(readNodeAt(src, line, start, indent, true));
    } else {
      const next = nextContent(src, line + 1);
      if (next < lines.length && indentOf(lines[next]) > indent) {
        seq.items.push(readNodeAt(src, next, indentOf(lines[next]), indent, true));
      } else {
        src.next = line + 1;
        seq.items.push(emptyAt(src, line, start));
      }
    }
    const next = nextContent(src, src.next);
    src.next = next;
    if (next === lines.length || indentOf(lines[next]) < indent) return seq;
    if (indentOf(lines[next]) > indent) throw new Deferral("a line indented more than its items");
    if (!isDash(lines[next], indent)) return seq;
    line = next;
  }
}

/**
 * A `|` or `>` block scalar whose header is on line `li` at column `col`, its content indented
 * more than `blockIndent`. Defers on an indentation indicator, on more-indented lines in a folded
 * scalar and on lines of spaces reaching past the content's indentation.
 */
function readBlockScalar(src: Source, li: number, col: number, blockIndent: number): YamlScalar {
  const { lines } = src;
  const header = lines[li];
  let at = col + 1;
  const chomp = header[at] === "-" || header[at] === "+" ? header[at++] : "";
  if (!endsLine(header, at)) throw new Deferral("a block scalar header with more than chomping");
  const isBlank = (line: string) => indentOf(line) === line.length;
  let first = li + 1;
  while (first < lines.length && isBlank(lines[first])) first++;
  const contentIndent = first < lines.length ? indentOf(lines[first]) : -1;
  if (contentIndent <= blockIndent) {
    if (chomp === "+" || lines.slice(li + 1, first).some((line) => line !== "")) {
      throw new Deferral("an empty block scalar keeping its line breaks, or of spaces");
    }
    src.next = li + 1;
    return scalarAt("", li, col);
  }
  let end = first;
  let lastContent = first;
  for (; end < lines.length; end++) {
    const line = lines[end];
    if (!isBlank(line)) {
      if (indentOf(line) < contentIndent) break;
      if (header[col] === ">" && indentOf(line) > contentIndent) {
        throw new Deferral("a more-indented line in a folded block scalar");
      }
      lastContent = end;
    } else if (line.length > contentIndent) {
      throw new Deferral("a line of spaces in a block scalar reaching past its indentation");
    }
  }
  for (let i = li + 1; i < first; i++) {
    if (lines[i].length > contentIndent) {
      throw new Deferral("a line of spaces in a block scalar reaching past its indentation");
    }
  }
  let value = "\n".repeat(first - li - 1);
  if (header[col] === "|") {
    value += lines.slice(first, lastContent + 1).map((line) => line.slice(contentIndent)).join(
      "\n",
    );
  } else {
    let sep = "";
    for (let i = first; i <= lastContent; i++) {
      const content = lines[i].slice(contentIndent);
      if (content === "") {
        if (sep === "\n") value += "\n";
        else sep = "\n";
      } else {
        value += sep + content;
        sep = " ";
      }
    }
  }
  if (chomp === "+") {
    const ended = end < lines.length || src.finalNewline;
    value += "\n".repeat(end - lastContent - 1 + (ended ? 1 : 0));
    if (!value.endsWith("\n")) value += "\n";
  } else if (chomp === "") value += "\n";
  src.next = end;
  return scalarAt(value, li, col);
}

/** A flow sequence or mapping of scalars (nested ones too) that ends on its line. */
function readFlow(
  src: Source,
  text: string,
  li: number,
  col: number,
): { node: YamlNode; end: number } {
  const close = text[col] === "[" ? "]" : "}";
  const items: YamlNode[] = [];
  const pairs: YamlPair[] = [];
  const at = { line: li + 1, col: col + 1 };
  const node: YamlNode = close === "]"
    ? { kind: "seq", items, ...at }
    : { kind: "map", pairs, ...at };
  const keys: YamlValue[] = [];
  let i = skipSpaces(text, col + 1);
  if (text[i] === close) return { node, end: i + 1 };
  for (;;) {
    const start = i;
    const key = close === "}" ? readFlowKey(src, text, li, i) : undefined;
    const value = readFlowItem(src, text, li, key ? skipSpaces(text, key.colon + 1) : i);
    i = skipSpaces(text, value.end);
    if (text[i] !== close && text[i] !== ",") {
      throw new Deferral("a flow collection that does not end on its line");
    }
    if (key === undefined) items.push(value.node);
    else {
      // After the value, as yaml checks a flow mapping's keys (its errors come first).
      if (keys.some((known) => known === key.node.value)) {
        report(src, li + 1, start + 1, "Map keys must be unique");
      }
      keys.push(key.node.value);
      pairs.push({ key: key.node, value: value.node });
    }
    if (text[i] === close) return { node, end: i + 1 };
    i = skipSpaces(text, i + 1);
    if (text[i] === close) throw new Deferral("a trailing comma in a flow collection");
  }
}

/** A scalar or nested flow collection inside a flow collection at index `i`. */
function readFlowItem(
  src: Source,
  text: string,
  li: number,
  i: number,
): { node: YamlNode; end: number } {
  const c = text[i];
  if (c === "[" || c === "{") return readFlow(src, text, li, i);
  if (c === "'" || c === '"') {
    const { value, end } = readQuoted(src, text, li, i);
    return { node: scalarAt(value, li, i), end };
  }
  const end = scanFlowPlain(text, i);
  return { node: scalarAt(resolvePlain(text.slice(i, end)), li, i), end };
}

/** A key inside a flow mapping at index `i`, and the index of its colon (followed by a space). */
function readFlowKey(
  src: Source,
  text: string,
  li: number,
  i: number,
): { node: YamlScalar; colon: number } {
  const c = text[i];
  let node: YamlScalar;
  let end: number;
  if (c === "'" || c === '"') {
    const quoted = readQuoted(src, text, li, i);
    node = scalarAt(quoted.value, li, i);
    end = quoted.end;
  } else {
    end = scanFlowPlain(text, i);
    node = scalarAt(resolvePlain(text.slice(i, end)), li, i);
  }
  const colon = skipSpaces(text, end);
  if (text[colon] !== ":" || text[colon + 1] !== " ") {
    throw new Deferral("a flow mapping entry that is not key: value");
  }
  return { node, colon };
}

/**
 * The end of a plain scalar inside a flow collection at index `i` (after its last non-space
 * character). Defers on anything a plain scalar there may hold only under rules this reader
 * leaves to `yaml` (a colon, a comment, an indicator first).
 */
function scanFlowPlain(text: string, i: number): number {
  const c = text[i];
  if (c === undefined || "|>'\"[{".includes(c) || INDICATORS.includes(c) || isFlowDash(text, i)) {
    throw new Deferral("a flow collection entry this reader does not read");
  }
  let end = i;
  for (let j = i; j < text.length; j++) {
    const ch = text[j];
    if (",[]{}".includes(ch)) return end;
    if (ch === ":" && text[j + 1] === " ") return end;
    if (ch === ":" || (ch === "#" && text[j - 1] === " ")) {
      throw new Deferral("a colon or a comment inside a flow collection");
    }
    if (ch !== " ") end = j + 1;
  }
  return end;
}

function isFlowDash(text: string, i: number): boolean {
  return text[i] === "-" && (i + 1 === text.length || " ,]}".includes(text[i + 1]));
}

/**
 * A plain scalar in block context from `col`: its text (trailing spaces dropped) and, when it is
 * a mapping key, the index of the colon after it (else -1). It ends at a comment or the line's end.
 */
function scanPlain(text: string, col: number): { value: string; colon: number } {
  let end = col;
  for (let i = col; i < text.length; i++) {
    const ch = text[i];
    if (ch === ":" && (i + 1 === text.length || text[i + 1] === " ")) {
      return { value: text.slice(col, end), colon: i };
    }
    if (ch === "#" && text[i - 1] === " ") break;
    if (ch !== " ") end = i + 1;
  }
  return { value: text.slice(col, end), colon: -1 };
}

/** A quoted scalar that starts at `col` and ends on its line: its value and the index after it. */
function readQuoted(
  src: Source,
  text: string,
  li: number,
  col: number,
): { value: string; end: number } {
  const quote = text[col];
  let close = col + 1;
  for (;;) {
    if (close >= text.length) throw new Deferral("a quoted scalar over several lines");
    if (text[close] === "\\" && quote === '"') close += 2;
    else if (text[close] === quote && quote === "'" && text[close + 1] === "'") close += 2;
    else if (text[close] === quote) break;
    else close++;
  }
  const source = text.slice(col, close + 1);
  if (quote === "'") return { value: source.slice(1, -1).replaceAll("''", "'"), end: close + 1 };
  return { value: unescape(src, source, li, col), end: close + 1 };
}

/** The escapes of a double-quoted scalar, as `yaml` decodes them. */
const ESCAPES: Record<string, string> = {
  "0": "\0",
  a: "\x07",
  b: "\b",
  e: "\x1b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v",
  N: "\u0085",
  _: "\u00a0",
  L: "\u2028",
  P: "\u2029",
  " ": " ",
  '"': '"',
  "/": "/",
  "\\": "\\",
};

/** The value of the double-quoted `source` (quotes included) found at line `li`, column `col`. */
function unescape(src: Source, source: string, li: number, col: number): string {
  let value = "";
  const bad = (at: number, raw: string) => {
    report(src, li + 1, col + at + 1, `Invalid escape sequence ${raw}`);
    return raw;
  };
  for (let i = 1; i < source.length - 1; i++) {
    if (source[i] !== "\\") {
      value += source[i];
      continue;
    }
    const next = source[++i];
    if (Object.hasOwn(ESCAPES, next)) {
      value += ESCAPES[next];
    } else if (next === "x" || next === "u" || next === "U") {
      const length = next === "x" ? 2 : next === "u" ? 4 : 8;
      const digits = source.substr(i + 1, length);
      const code = digits.length === length && /^[0-9a-fA-F]+$/.test(digits)
        ? parseInt(digits, 16)
        : NaN;
      value += code <= 0x10ffff
        ? String.fromCodePoint(code)
        : bad(i - 1, source.substr(i - 1, length + 2));
      i += length;
    } else {
      value += bad(i - 1, source.substr(i - 1, 2));
    }
  }
  return value;
}

const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCTAL = /^0o[0-7]+$/;
const INTEGER = /^[-+]?[0-9]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const INFINITY_NAN = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXPONENT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** A plain scalar's value by the YAML 1.2 core schema, tried in `yaml`'s order. */
function resolvePlain(text: string): YamlValue {
  if (NULL.test(text)) return null;
  if (BOOLEAN.test(text)) return text[0] === "t" || text[0] === "T";
  if (OCTAL.test(text)) return parseInt(text.slice(2), 8);
  if (INTEGER.test(text)) return parseInt(text, 10);
  if (HEX.test(text)) return parseInt(text.slice(2), 16);
  if (INFINITY_NAN.test(text)) {
    if (text.slice(-3).toLowerCase() === "nan") return NaN;
    return text[0] === "-" ? -Infinity : Infinity;
  }
  if (EXPONENT.test(text) || FLOAT.test(text)) return parseFloat(text);
  return text;
}

function scalarAt(value: YamlValue, li: number, col: number): YamlScalar {
  return { kind: "scalar", value, line: li + 1, col: col + 1 };
}

/** An empty value: null, placed where `yaml` places it (after the indicator and its spaces). */
function emptyAt(src: Source, li: number, col: number): YamlScalar {
  const empty = scalarAt(null, li, col);
  src.empties.add(empty);
  return empty;
}

/** The empty value `node` ends with (itself, or its last item's or value's), if it does. */
function trailingEmpty(src: Source, node: YamlNode): YamlScalar | undefined {
  if (node.kind === "seq" && node.items.length > 0) return trailingEmpty(src, node.items.at(-1)!);
  if (node.kind === "map" && node.pairs.length > 0) {
    return trailingEmpty(src, node.pairs.at(-1)!.value);
  }
  return node.kind === "scalar" && src.empties.has(node) ? node : undefined;
}

/** The index of the next line at or after `from` that holds more than spaces and a comment. */
function nextContent(src: Source, from: number): number {
  let i = from;
  while (i < src.lines.length) {
    const line = src.lines[i];
    const first = indentOf(line);
    if (first < line.length && line[first] !== "#") break;
    i++;
  }
  return i;
}

/** The index of the colon of a key indicator (`:` then a space or the line's end) after `at`. */
function keyColon(text: string, at: number): number {
  const i = skipSpaces(text, at);
  return text[i] === ":" && (i + 1 === text.length || text[i + 1] === " ") ? i : -1;
}

/** The line holds nothing after `at` but spaces and a comment (after a space). */
function endsLine(text: string, at: number): boolean {
  const i = skipSpaces(text, at);
  return i === text.length || (text[i] === "#" && i > at);
}

/** A `-` sequence indicator at `col`: followed by a space or the line's end. */
function isDash(text: string, col: number): boolean {
  return text[col] === "-" && (col + 1 === text.length || text[col + 1] === " ");
}

function skipSpaces(text: string, at: number): number {
  let i = at;
  while (text[i] === " ") i++;
  return i;
}

function indentOf(line: string): number {
  return skipSpaces(line, 0);
}
