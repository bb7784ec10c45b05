/**
 * Child process of the kill -9 test: replaces the snapshots of three queries with ever newer,
 * differently sized lists (one large object each, some lists paginated) until it is killed.
 * Every object of version `v` carries resourceVersion `v`; {@link expectedCount} says how many.
 * Usage: `deno run -A crash_writer.ts <kv path>`; prints `ready` once the store is open.
 * @module
 */
import type { QueryIdentity } from "../../src/cache/query.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { listParts, pod, podQuery, recordOf } from "./helpers.ts";

/** The queries the writer lists. */
export const CRASH_QUERIES: QueryIdentity[] = ["node-1", "node-2", "node-3"].map((node) =>
  podQuery({ fieldSelector: `spec.nodeName=${node}` })
);

/** How many objects the list at version `v` holds (the large one included). */
export function expectedCount(version: number): number {
  return 200 + (version % 5) * 100 + 1;
}

/** Size of the large object of every list. */
export const LARGE_BYTES = 150_000;

async function replace(store: CacheStore, query: QueryIdentity, version: number): Promise<void> {
  const rv = `${version}`;
  const objects = Array.from(
    { length: expectedCount(version) - 1 },
    (_, i) => pod(`pod-${i}`, rv, { size: 2000 }),
  );
  objects.push(pod("large", rv, { size: LARGE_BYTES }));
  const pages = version % 3 === 0 ? 3 : 1;
  const perPage = Math.ceil(objects.length / pages);
  for (let page = 0; page < pages; page++) {
    const asked = page === 0 ? "" : `${rv}-${page}`;
    const next = page === pages - 1 ? "" : `${rv}-${page + 1}`;
    const parts = listParts(objects.slice(page * perPage, (page + 1) * perPage), rv, next);
    await ReadableStream.from(parts)
      .pipeTo(store.listSink(query, "application/json", { continueToken: asked }));
  }
}

if (import.meta.main) {
  const store = await CacheStore.open(Deno.args[0], { maxPendingBytes: 1 << 20 });
  Deno.stdout.writeSync(new TextEncoder().encode("ready\n"));
  for (;;) {
    for (const query of CRASH_QUERIES) {
      const record = await recordOf(store, query);
      await replace(store, query, Number(record?.resourceVersion ?? "0") + 1);
    }
  }
}
