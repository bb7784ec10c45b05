/**
 * Test helper: reads the shared `k8s-api-testdata` fixtures in place (never copied).
 * @module
 */

const DIR = new URL("../../../../shared/fixtures/k8s-api-testdata/", import.meta.url);

/** Base names of every `.pb` fixture (e.g. `core.v1.Pod`), sorted. */
export const PB_FIXTURES: readonly string[] = [...Deno.readDirSync(DIR)]
  .filter((entry) => entry.isFile && entry.name.endsWith(".pb"))
  .map((entry) => entry.name.slice(0, -3))
  .sort();

/** The bytes of `<name>.pb`. */
export function readPb(name: string): Uint8Array {
  return Deno.readFileSync(new URL(`${name}.pb`, DIR));
}

/** The parsed `<name>.json` twin. */
// deno-lint-ignore no-explicit-any
export function readJson(name: string): any {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, DIR)));
}
