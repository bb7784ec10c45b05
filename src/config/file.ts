/**
 * The YAML config file into a `Settings` layer: unknown keys and wrongly typed values are
 * errors that name the key and its line. Pure: the caller reads the file.
 * @module
 */
import { catchConfigError, ConfigError } from "./error.ts";
import { FIELDS, type FieldSpec, type Origins, type SourcedSettings } from "./fields.ts";
import { besideFile } from "./path.ts";
import { parseYaml } from "./yaml_parse.ts";
import { type YamlMap, type YamlNode, YamlSyntaxError } from "./yaml_tree.ts";

const SPECS = new Map<string, FieldSpec>(FIELDS.map((spec) => [spec.key, spec]));
const SECTIONS = new Set(FIELDS.filter((s) => s.key.includes(".")).map((s) => s.key.split(".")[0]));

/**
 * Parses the config file's text. `path` names the file in messages and is the base for relative
 * file paths inside it. An empty file gives no settings.
 */
export async function parseConfigFile(
  text: string,
  path: string,
): Promise<SourcedSettings | ConfigError> {
  const doc = await parseYaml(text);
  if (doc instanceof YamlSyntaxError) return new ConfigError(path, doc.message);
  return catchConfigError(() => {
    const layer: SourcedSettings = { settings: {}, origins: {} };
    if (doc.root === null) return layer;
    if (doc.root.kind !== "map") {
      throw new ConfigError(path, "must be a mapping of keys (see config.example.yaml)");
    }
    const where = (node: YamlNode) => `${path}:${node.line}:${node.col}`;
    readMap(doc.root, "", { path, where, layer });
    return layer;
  });
}

interface Context {
  path: string;
  where: (node: YamlNode) => string;
  layer: SourcedSettings;
}

function readMap(map: YamlMap, prefix: string, ctx: Context): void {
  for (const { key: keyNode, value: valueNode } of map.pairs) {
    const name = keyNode.kind === "scalar" ? String(keyNode.value) : undefined;
    if (name === undefined) {
      throw new ConfigError(
        prefix || "(top level)",
        "keys must be plain names",
        ctx.where(keyNode),
      );
    }
    const key = prefix + name;
    if (prefix === "" && SECTIONS.has(key)) {
      if (valueNode.kind === "scalar" && valueNode.value === null) continue;
      if (valueNode.kind !== "map") {
        throw new ConfigError(
          key,
          `expected a mapping of keys, got ${describe(valueNode)}`,
          ctx.where(valueNode),
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
    const origin = ctx.where(valueNode);
    (ctx.layer.settings as Record<string, unknown>)[key] = readValue(
      spec,
      valueNode,
      origin,
      ctx.path,
    );
    (ctx.layer.origins as Origins)[spec.key] = origin;
  }
}

function readValue(spec: FieldSpec, node: YamlNode, origin: string, file: string): unknown {
  const wrong = (expected: string) =>
    new ConfigError(spec.key, `expected ${expected}, got ${describe(node)}`, origin);
  if (node.kind === "scalar" && node.value === null) {
    throw new ConfigError(spec.key, "has no value (remove the key to use the default)", origin);
  }
  if (spec.type === "list") {
    if (node.kind !== "seq") throw wrong("a list of strings");
    return node.items.map((item) => {
      if (item.kind !== "scalar" || typeof item.value !== "string") {
        throw wrong("a list of strings");
      }
      return item.value;
    });
  }
  const expected = { integer: "a whole number", boolean: "true or false", string: "a string" };
  if (node.kind !== "scalar") throw wrong(expected[spec.type]);
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

function describe(node: YamlNode): string {
  if (node.kind === "seq") return "a list";
  if (node.kind === "map") return "a mapping";
  return node.value === null ? "nothing" : `${typeof node.value} ${JSON.stringify(node.value)}`;
}
