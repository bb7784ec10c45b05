import { assert, assertEquals } from "../assert.ts";
import { parseYaml } from "../../src/config/yaml_parse.ts";
import { toValue, type YamlDocument, YamlSyntaxError } from "../../src/config/yaml_tree.ts";

async function parsed(text: string): Promise<YamlDocument> {
  const result = await parseYaml(text);
  assert(!(result instanceof YamlSyntaxError), String(result));
  return result;
}

Deno.test("parseYaml reads what its reader reads, with lines and columns", async () => {
  const doc = await parsed("a:\n  - 1\n");
  assertEquals(doc.root, {
    kind: "map",
    line: 1,
    col: 1,
    pairs: [{
      key: { kind: "scalar", value: "a", line: 1, col: 1 },
      value: {
        kind: "seq",
        line: 2,
        col: 3,
        items: [{ kind: "scalar", value: 1, line: 2, col: 5 }],
      },
    }],
  });
});

Deno.test("parseYaml reads with yaml what its reader defers: an alias is the node it names", async () => {
  const doc = await parsed("base: &b {server: https://a}\ncopy: *b\n");
  assert(doc.root?.kind === "map");
  assert(doc.root.pairs[0].value === doc.root.pairs[1].value, "the alias shares its node");
  assertEquals(doc.root.pairs[1].value.line, 1);
  assertEquals(toValue(doc.root), {
    base: { server: "https://a" },
    copy: { server: "https://a" },
  });
});

Deno.test("parseYaml words yaml's errors with their line and column", async () => {
  const error = await parseYaml("a: [1,\n");
  assert(error instanceof YamlSyntaxError);
  assert(/^invalid YAML at line 2, column 1: /.test(error.message), error.message);
  const docs = await parseYaml("a: 1\n---\nb: 2\n");
  assert(docs instanceof YamlSyntaxError);
  assert(docs.message.includes("holds more than one YAML document"), docs.message);
});

Deno.test("parseYaml rejects an alias with no anchor before it, naming its place", async () => {
  const error = await parseYaml("a: 1\nb: *nowhere\n");
  assert(error instanceof YamlSyntaxError);
  assertEquals(
    error.message,
    "invalid YAML at line 2, column 4: Unresolved alias (the anchor must be set before the " +
      "alias): *nowhere",
  );
});
