/**
 * A parsed YAML document as the config readers see it: mappings, sequences and scalars, each
 * with the line and column it starts at (for messages). Scalars hold their value resolved by the
 * YAML 1.2 core schema, as the `yaml` package resolves it (`~` null, `true` boolean, `0x1F` 31,
 * `1e3` 1000, `.inf` Infinity, `0o17` 15; a quoted scalar is always a string).
 * @module
 */

/** The value of a scalar. */
export type YamlValue = string | number | boolean | null;

/** A scalar, quoted or plain; an empty value (`key:` with nothing after it) is a null scalar. */
export interface YamlScalar {
  kind: "scalar";
  value: YamlValue;
  /** Where it starts, from 1. */
  line: number;
  col: number;
}

/** A sequence, block (`- a`) or flow (`[a, b]`). */
export interface YamlSeq {
  kind: "seq";
  items: YamlNode[];
  line: number;
  col: number;
}

/** A mapping, block (`a: 1`) or flow (`{a: 1}`), its pairs in the order written. */
export interface YamlMap {
  kind: "map";
  pairs: YamlPair[];
  line: number;
  col: number;
}

/** One key and its value. */
export interface YamlPair {
  key: YamlNode;
  value: YamlNode;
}

/** Any node. */
export type YamlNode = YamlScalar | YamlSeq | YamlMap;

/** A document: its one node, or null when it holds none (only comments, or nothing). */
export interface YamlDocument {
  root: YamlNode | null;
}

/** Text that is not valid YAML: `message` says what and where (`invalid YAML at line 3, …`). */
export class YamlSyntaxError extends Error {
  /** Creates the error from its whole message. */
  constructor(message: string) {
    super(message);
    this.name = "YamlSyntaxError";
  }
}

/** `invalid YAML at line 3, column 5: Map keys must be unique`: the one wording of a bad file. */
export function invalidYaml(line: number, col: number, reason: string): string {
  return `invalid YAML at line ${line}, column ${col}: ${reason}`;
}

/**
 * The plain JavaScript value of `node`, as the `yaml` package's `toJS()` gives it: mapping keys
 * become strings (a null key `""`), and a node reached twice (an alias) gives the same object.
 */
export function toValue(node: YamlNode | null, seen = new Map<YamlNode, unknown>()): unknown {
  if (node === null) return null;
  if (node.kind === "scalar") return node.value;
  const known = seen.get(node);
  if (known !== undefined) return known;
  if (node.kind === "seq") {
    const list: unknown[] = [];
    seen.set(node, list);
    for (const item of node.items) list.push(toValue(item, seen));
    return list;
  }
  const object: Record<string, unknown> = {};
  seen.set(node, object);
  for (const { key, value } of node.pairs) {
    // defineProperty: a key such as `__proto__` is an own property, as in yaml's toJS.
    Object.defineProperty(object, keyString(key, seen), {
      value: toValue(value, seen),
      writable: true,
      enumerable: true,
      configurable: true,
    });
  }
  return object;
}

/** A mapping key as a property name (a collection key, which yaml writes as YAML, as JSON). */
function keyString(key: YamlNode, seen: Map<YamlNode, unknown>): string {
  if (key.kind !== "scalar") return JSON.stringify(toValue(key, seen));
  return key.value === null ? "" : String(key.value);
}
