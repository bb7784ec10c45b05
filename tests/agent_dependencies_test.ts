/**
 * What the agent's module graph may load from outside `src/`: every npm package and `node:`
 * module costs the idle agent resident memory (README, "What the resident memory goes to"), most
 * of it Deno's npm support and Node compatibility layer, paid by whichever comes first. `run` loads
 * none, with flags alone or with a config file (holdfast reads YAML itself and loads `yaml` only for
 * a file its reader defers); the rest is loaded on demand.
 */
import assert from "node:assert/strict";

interface GraphModule {
  specifier: string;
  kind?: string;
  npmPackage?: string;
  dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
}

/** `deno info --json` of `path`: its modules by specifier, and the redirects between them. */
async function moduleGraph(path: string) {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", path],
    cwd: new URL("..", import.meta.url).pathname,
    stderr: "inherit",
  }).output();
  assert.ok(output.success, "deno info failed");
  const graph = JSON.parse(new TextDecoder().decode(output.stdout)) as {
    roots: string[];
    modules: GraphModule[];
    redirects: Record<string, string>;
  };
  const modules = new Map(graph.modules.map((module) => [module.specifier, module]));
  return { root: graph.roots[0], modules, redirects: graph.redirects };
}

/**
 * The npm packages (`npm:name`) and `node:` modules reachable from `path`, through static imports
 * only or through dynamic ones too; `from` adds other roots of the same graph.
 */
async function externalsOf(
  path: string,
  options: { dynamic: boolean; from?: string[] },
): Promise<string[]> {
  const { root, modules, redirects } = await moduleGraph(path);
  const base = new URL("..", import.meta.url);
  const pending = [root, ...(options.from ?? []).map((file) => new URL(file, base).href)];
  const seen = new Set<string>();
  const found = new Set<string>();
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    const resolved = redirects[specifier] ?? specifier;
    if (seen.has(resolved)) continue;
    seen.add(resolved);
    const module = modules.get(resolved);
    if (module?.kind === "npm") found.add(`npm:${module.npmPackage!.replace(/@[^@]+$/, "")}`);
    if (module?.kind === "node") found.add(module.specifier);
    for (const dependency of module?.dependencies ?? []) {
      if (dependency.code && (options.dynamic || !dependency.isDynamic)) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  return [...found].sort();
}

Deno.test("`run` with flags alone loads no npm package and no node: module", async () => {
  // What main.ts loads, then the agent (imported when `run` starts it), without what is loaded
  // on demand: the YAML readers, the HTTPS listener, the other commands' modules.
  assert.deepEqual(await externalsOf("main.ts", { dynamic: false, from: ["src/agent.ts"] }), []);
});

Deno.test("`run --config` loads no npm package and no node: module to read YAML", async () => {
  // The config file's and kubeconfig's readers and the YAML reader under them (yaml_parse.ts,
  // yaml_reader.ts, yaml_tree.ts): `yaml` only through yaml_parse.ts's dynamic import.
  const readers = ["src/agent.ts", "src/config/file.ts", "src/config/kubeconfig.ts"];
  assert.deepEqual(await externalsOf("main.ts", { dynamic: false, from: readers }), []);
});

Deno.test("on demand: yaml for config files, node: modules for the HTTPS listener and file check", async () => {
  assert.deepEqual(await externalsOf("main.ts", { dynamic: true }), [
    "node:crypto", // the HTTPS listener (`https.listen`): client certificates
    "node:https", // the HTTPS listener
    "node:sqlite", // an existing cache file's tables, checked at start
    "node:stream", // the HTTPS listener: request bodies
    "npm:yaml", // a config file or kubeconfig the YAML reader defers, check-config, install
  ]);
});
