/**
 * The YAML config file into a `Settings` layer: unknown keys and wrongly typed values are
 * errors that name the key and its line. Pure: the caller reads the file.
 * @module
 */
import { isMap, isScalar, isSeq, LineCounter, type Node, parseDocument, type YAMLMap } from "yaml";
import { catchConfigError, ConfigError } from "./error.ts";
import { FIELDS, type FieldSpec, type Origins, type SourcedSettings } from "./fields.ts";
import { besideFile } from "./path.ts";
import { describeYamlError } from "./yaml_error.ts";

const SPECS = new Map<string, FieldSpec>(FIELDS.map((spec) => [spec.key, spec]));
const SECTIONS = new Set(FIELDS.filter((s) => s.key.includes(".")).map((s) => s.key.split(".")[0]));

/**
 * Parses the config file's text. `path` names the file in messages and is the base for relative
 * file paths inside it. An empty file gives no settings.
 */
export function parseConfigFile(text: string, path: string): SourcedSettings | ConfigError {
  return catchConfigError(() => {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) {
      throw new ConfigError(path, describeYamlError(doc.errors[0], lines));
    }
    const layer: SourcedSettings = { settings: {}, origins: {} };
    if (doc.contents === null) return layer;
    const where = (node: Node | null | undefined) => {
      const { line, col } = lines.linePos(node?.range?.[0] ?? 0);
      return `${path}:${line}:${col}`;
    };
    if (!isMap(doc.contents)) {
      throw new ConfigError(path, "must be a mapping of keys (see config.example.yaml)");
    }
    readMap(doc.contents, "", { path, where, layer });
    return layer;
  });
}

interface Context {
  path: string;
  where: (node: Node | null | undefined) => string;
  layer: SourcedSettings;
}

function readMap(map: YAMLMap, prefix: string, ctx: Context): void {
  for (const pair of map.items) {
    const keyNode = pair.key as Node | null;
    const valueNode = pair.value as Node | null;
    const name = isScalar(keyNode) ? String(keyNode.value) : undefined;
    if (name === undefined) {
      throw new ConfigError(
        prefix || "(top level)",
        "keys must be plain names",
        ctx.where(keyNode),
      );
    }
    const key = prefix + name;
    if (prefix === "" && SECTIONS.has(key)) {
      if (valueNode === null || isScalar(valueNode) && valueNode.value === null) continue;
      if (!isMap(valueNode)) {
        throw new ConfigError(
          key,
          `expected a mapping of keys, got ${describe(valueNode)}`,
          ctx.where(valueNode ?? keyNode),
        );
      }
      readMap(valueNode, `${key}.`, ctx);
      continue;
    }
    const spec = name.includes(".") ? undefined : SPECS.get(key);
    if (!spec) {
      throw new ConfigError(
        key,
        `unknown key (known keys${prefix ? ` under ${prefix.slice(0, -1)}` : ""}: ${
          knownKeys(prefix)
        })`,
        ctx.where(keyNode),
      );
    }
    const origin = ctx.where(valueNode ?? keyNode);
    (ctx.layer.settings as Record<string, unknown>)[key] = readValue(
      spec,
      valueNode,
      origin,
      ctx.path,
    );
    (ctx.layer.origins as Origins)[spec.key] = origin;
  }
}

function readValue(spec: FieldSpec, node: Node | null, origin: string, file: string): unknown {
  const wrong = (expected: string) =>
    new ConfigError(spec.key, `expected ${expected}, got ${describe(node)}`, origin);
  if (node === null || (isScalar(node) && node.value === null)) {
    throw new ConfigError(spec.key, "has no value (remove the key to use the default)", origin);
  }
  if (spec.type === "list") {
    if (!isSeq(node)) throw wrong("a list of strings");
    return node.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== "string") throw wrong("a list of strings");
      return item.value;
    });
  }
  const expected = { integer: "a whole number", boolean: "true or false", string: "a string" };
  if (!isScalar(node)) throw wrong(expected[spec.type]);
  if (spec.type === "boolean") {
    if (typeof node.value !== "boolean") throw wrong(expected.boolean);
    return node.value;
  }
  if (spec.type === "integer") {
    if (typeof node.value !== "number" || !Number.isInteger(node.value)) {
      throw wrong("a whole number");
    }
    return node.value;
  }
  if (typeof node.value !== "string") throw wrong("a string");
  return spec.path ? besideFile(file, node.value) : node.value;
}

function knownKeys(prefix: string): string {
  const names = new Set<string>();
  for (const spec of FIELDS) {
    if (spec.key.startsWith(prefix)) names.add(spec.key.slice(prefix.length).split(".")[0]);
  }
  return [...names].join(", ");
}

function describe(node: Node | null | undefined): string {
  if (isScalar(node)) {
    return node.value === null ? "nothing" : `${typeof node.value} ${JSON.stringify(node.value)}`;
  }
  if (isSeq(node)) return "a list";
  if (isMap(node)) return "a mapping";
  return "nothing";
}
