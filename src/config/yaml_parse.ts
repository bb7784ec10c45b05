/**
 * The one way the config layer reads YAML: holdfast's own reader (`yaml_reader.ts`) first, and
 * the `yaml` package, loaded only then, for a document that reader defers. Both give the same
 * tree (`yaml_tree.ts`) and word errors alike, with their line and column.
 * @module
 */
import type { Document, LineCounter, Node, Pair } from "yaml";
import { describeYamlError } from "./yaml_error.ts";
import { readYaml } from "./yaml_reader.ts";
import {
  invalidYaml,
  type YamlDocument,
  type YamlMap,
  type YamlNode,
  type YamlScalar,
  type YamlSeq,
  YamlSyntaxError,
} from "./yaml_tree.ts";

/** The `yaml` package's module, as `import("yaml")` gives it. */
export type YamlModule = typeof import("yaml");

/** Parses one YAML document into a tree, or says where and why it is not valid YAML. */
export async function parseYaml(text: string): Promise<YamlDocument | YamlSyntaxError> {
  const read = readYaml(text);
  if (!("deferred" in read)) return read;
  const yaml = await import("yaml");
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) return new YamlSyntaxError(describeYamlError(doc.errors[0], lines));
  return documentTree(yaml, doc, lines);
}

/**
 * The tree of a `yaml` Document that parsed without errors. An alias becomes the node it names
 * (the same node object each time, so a document of many aliases stays its own size); one that
 * names no anchor before it is an error.
 */
export function documentTree(
  yaml: YamlModule,
  doc: Document,
  lines: LineCounter,
): YamlDocument | YamlSyntaxError {
  const converted = new Map<unknown, YamlNode>();
  const position = (node: Node | Pair) => {
    const offset = yaml.isPair(node) ? (node.key as Node | null)?.range?.[0] : node.range?.[0];
    const { line, col } = lines.linePos(offset ?? 0);
    return { line, col };
  };
  const convert = (node: unknown): YamlNode => {
    const target = yaml.isAlias(node) ? node.resolve(doc) : node;
    if (yaml.isAlias(node) && target === undefined) {
      const { line, col } = position(node);
      const reason = `Unresolved alias (the anchor must be set before the alias): *${node.source}`;
      throw new YamlSyntaxError(invalidYaml(line, col, reason));
    }
    const known = converted.get(target);
    if (known) return known;
    if (yaml.isScalar(target)) {
      const value = target.value;
      const plain = value === null || ["string", "number", "boolean"].includes(typeof value);
      const tree: YamlScalar = {
        kind: "scalar",
        value: plain ? value as string | number | boolean | null : String(value),
        ...position(target),
      };
      converted.set(target, tree);
      return tree;
    }
    if (yaml.isSeq(target)) {
      const tree: YamlSeq = { kind: "seq", items: [], ...position(target) };
      converted.set(target, tree);
      for (const item of target.items) tree.items.push(convert(item));
      return tree;
    }
    if (yaml.isMap(target) || yaml.isPair(target)) {
      // A pair on its own is a one-pair mapping in a flow sequence (`[a: 1]`).
      const pairs = yaml.isPair(target) ? [target] : target.items;
      const tree: YamlMap = { kind: "map", pairs: [], ...position(target) };
      converted.set(target, tree);
      for (const pair of pairs) {
        const key = convert(pair.key);
        const value: YamlNode = pair.value == null
          ? { kind: "scalar", value: null, line: key.line, col: key.col }
          : convert(pair.value);
        tree.pairs.push({ key, value });
      }
      return tree;
    }
    throw new Error(`yaml gave an unknown node: ${String(target)}`);
  };
  try {
    return { root: doc.contents === null ? null : convert(doc.contents) };
  } catch (error) {
    if (error instanceof YamlSyntaxError) return error;
    throw error;
  }
}
