/**
 * The Deno KV floor for cache writes, as its own process: fetch a LIST, split its items and store
 * each as a `Uint8Array` of its JSON in as few atomic commits as Deno KV's limits allow. It prints
 * the time from the end of the LIST body to the last commit and the KV file bytes per object —
 * what any Deno KV cache pays before holdfast adds anything.
 *
 * Usage: `deno run -A scripts/bench/lib/kv_floor.ts <list-url> <kv-path>`
 * @module
 */
import type { BenchContext } from "./measure.ts";

/** What the floor measured. */
export interface KvFloorResult {
  objects: number;
  /** From the end of the LIST body to the last commit. */
  persistMs: number;
  /** KV file (plus WAL) bytes after closing, per object. */
  bytesPerObject: number;
}

/** Runs the floor in a subprocess and returns its result. */
export async function runKvFloor(
  ctx: BenchContext,
  listUrl: string,
  kvPath: string,
): Promise<KvFloorResult> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, listUrl, kvPath],
    cwd: ctx.repoRoot,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(120_000),
  }).output();
  const text = new TextDecoder().decode(output.stdout).trim();
  if (!output.success) {
    throw new Error(`kv floor failed: ${new TextDecoder().decode(output.stderr)}`);
  }
  return JSON.parse(text.split("\n").at(-1)!);
}

const MAX_MUTATIONS = 1000;
const MAX_BYTES = 800 * 1024 - 16 * 1024;

/** Fetches the LIST at `url` and stores its items in a fresh KV file at `path`. */
export async function storeList(url: string, path: string): Promise<KvFloorResult> {
  const response = await fetch(url, { headers: { accept: "application/json" } });
  const text = await response.text();
  const ended = performance.now();
  const items = JSON.parse(text).items as Array<{ metadata: { namespace?: string; name: string } }>;
  const encoder = new TextEncoder();
  const kv = await Deno.openKv(path);
  let atomic = kv.atomic();
  let mutations = 0;
  let bytes = 0;
  for (const item of items) {
    const key = ["floor", item.metadata.namespace ?? "", item.metadata.name];
    const value = encoder.encode(JSON.stringify(item));
    const size = value.byteLength + key.join("").length + 16;
    if (mutations + 1 > MAX_MUTATIONS || bytes + size > MAX_BYTES) {
      await commit(atomic);
      atomic = kv.atomic();
      mutations = 0;
      bytes = 0;
    }
    atomic.set(key, value);
    mutations++;
    bytes += size;
  }
  if (mutations > 0) await commit(atomic);
  const persistMs = performance.now() - ended;
  kv.close();
  return {
    objects: items.length,
    persistMs,
    bytesPerObject: (await fileBytes(path)) / items.length,
  };
}

async function commit(atomic: Deno.AtomicOperation): Promise<void> {
  const result = await atomic.commit();
  if (!result.ok) throw new Error("KV commit failed");
}

/** Bytes of a KV file and its `-wal` companion. */
export async function fileBytes(path: string): Promise<number> {
  let total = 0;
  for (const suffix of ["", "-wal"]) {
    try {
      total += (await Deno.stat(path + suffix)).size;
    } catch {
      // absent
    }
  }
  return total;
}

if (import.meta.main) console.log(JSON.stringify(await storeList(Deno.args[0], Deno.args[1])));
