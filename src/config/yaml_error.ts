/**
 * Turns a `yaml` parse error into one readable sentence with its line and column.
 * @module
 */
import type { LineCounter, YAMLError } from "yaml";
import { invalidYaml } from "./yaml_tree.ts";

/** `invalid YAML at line 3, column 5: Map keys must be unique`. */
export function describeYamlError(error: YAMLError, lines: LineCounter): string {
  const { line, col } = lines.linePos(error.pos[0]);
  const reason = error.code === "MULTIPLE_DOCS"
    ? "holds more than one YAML document"
    : error.message.split("\n")[0];
  return invalidYaml(line, col, reason);
}
