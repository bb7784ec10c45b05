import assert from "node:assert/strict";

/** The npm packages a module's import graph (dynamic imports included) reaches. */
async function npmPackagesOf(path: string): Promise<string[]> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: new URL("..", import.meta.url).pathname,
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "deno info failed");
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    modules: { kind?: string; npmPackage?: string }[];
  };
  const names = graph.modules
    .filter((module) => module.kind === "npm" && module.npmPackage)
    .map((module) => module.npmPackage!.replace(/@[^@]+$/, ""));
  return [...new Set(names)].sort();
}

Deno.test("the agent loads only protobuf's wire format from npm (no prom-client, no client-node)", async () => {
  assert.deepEqual(await npmPackagesOf("src/agent.ts"), ["@bufbuild/protobuf"]);
});

Deno.test("the whole command line adds only commander and yaml", async () => {
  assert.deepEqual(await npmPackagesOf("main.ts"), ["@bufbuild/protobuf", "commander", "yaml"]);
});
