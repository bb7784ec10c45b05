/**
 * The dependency direction of `src/`: every relative import of every module is parsed, and an
 * import may only point at a lower layer (or within its own folder). The layers, lowest first:
 *
 * ```
 * streams, version.ts  generic stream tools; the version string
 * kube                 pure Kubernetes grammar and wire formats
 * config               flags + YAML → Config, and the types every part reads from it
 * log, process         logging; process tuning
 * cache, filters, upstream
 * node                 node state that is not cache: leases, event queue and delivery
 * admin                admin listener, metrics, status, cache routes
 * proxy                the request path (proxy/remote online, proxy/local offline)
 * install              what `holdfast install` writes
 * agent.ts             wires the agent together
 * cli                  commands
 * ```
 *
 * Folders of one layer do not import each other either. A new folder must be placed here.
 * @module
 */
import { assertEquals } from "./assert.ts";

const LAYERS: readonly (readonly string[])[] = [
  ["streams", "version"],
  ["kube"],
  ["config"],
  ["log", "process"],
  ["cache", "filters", "upstream"],
  ["node"],
  ["admin"],
  ["proxy"],
  ["install"],
  ["agent"],
  ["cli"],
];

const SRC = new URL("../src/", import.meta.url);
const RANK = new Map(LAYERS.flatMap((names, rank) => names.map((name) => [name, rank])));

/** The part of `src/` a module belongs to: its top folder, or its file name without `.ts`. */
function partOf(path: string): string {
  const top = path.split("/")[0];
  return top.endsWith(".ts") ? top.slice(0, -3) : top;
}

/** The relative specifiers a module imports or re-exports (static and dynamic). */
function importsOf(source: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)"(\.{1,2}\/[^"]+)"/g;
  return [...source.matchAll(pattern)].map((match) => match[1]);
}

/** Every `.ts` file under `dir`, as paths relative to `src/`. */
async function modules(dir = SRC, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = prefix + entry.name;
    if (entry.isDirectory) found.push(...await modules(new URL(`${entry.name}/`, dir), `${path}/`));
    else if (entry.name.endsWith(".ts")) found.push(path);
  }
  return found.sort();
}

/** Each import in `src/` that points at the same or a higher layer, as `from → to`. */
async function upwardImports(): Promise<string[]> {
  const upward: string[] = [];
  for (const path of await modules()) {
    const from = partOf(path);
    const source = await Deno.readTextFile(new URL(path, SRC));
    for (const specifier of importsOf(source)) {
      const target = new URL(specifier, new URL(path, SRC));
      if (!target.href.startsWith(SRC.href)) continue; // config.example.yaml and the like
      const to = partOf(target.href.slice(SRC.href.length));
      if (to === from) continue;
      if (!(RANK.get(to)! < RANK.get(from)!)) upward.push(`${path} → ${specifier}`);
    }
  }
  return upward;
}

Deno.test("layout: every folder and top-level module of src/ has a layer", async () => {
  const parts = new Set((await modules()).map(partOf));
  assertEquals([...parts].filter((part) => !RANK.has(part)), []);
});

Deno.test("layout: no import in src/ points at its own layer's neighbours or a higher layer", async () => {
  assertEquals(await upwardImports(), []);
});

Deno.test("layout: the import parser sees static, type-only, re-exported and dynamic imports", () => {
  const source = [
    'import { a } from "./a.ts";',
    'import type {\n  B,\n} from "../b/b.ts";',
    'export { c } from "./c.ts";',
    'const d = await import("../d.ts");',
    'import e from "../../e.yaml" with { type: "text" };',
    'import { f } from "npm-package";',
  ].join("\n");
  assertEquals(importsOf(source), ["./a.ts", "../b/b.ts", "./c.ts", "../d.ts", "../../e.yaml"]);
});
