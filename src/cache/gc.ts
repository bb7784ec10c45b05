/**
 * Deleting what the cache no longer refers to: old generations of a query (after a newer one was
 * switched in, or one abandoned half-written) and blobs whose record was never written. At
 * start-up, {@link collectGarbage} removes whatever a crash left behind, so that every query is
 * again exactly one snapshot.
 * @module
 */
import type { Mutation, WriteBatcher } from "./batcher.ts";
import { deleteBlob } from "./blobs.ts";
import {
  blobPrefix,
  generationKey,
  generationPrefix,
  parseGenerationKey,
  parsePendingBlobKey,
  PENDING_BLOB_PREFIX,
  pendingBlobKey,
  snapshotPrefix,
  tombstonePrefix,
} from "./keys.ts";
import { type BlobRef, readHeader } from "./record.ts";

/** Records deleted per write group (each may bring up to 512 blob parts with it). */
const RECORDS_PER_GROUP = 100;

function blobOf(value: Uint8Array): BlobRef | undefined {
  try {
    return readHeader(value).blob;
  } catch {
    return undefined;
  }
}

/**
 * Deletes every record under `prefix` (those whose key `match` accepts, if given), with the parts
 * of split ones. Returns how many.
 */
export async function deleteRecords(
  kv: Deno.Kv,
  batcher: WriteBatcher,
  prefix: Deno.KvKey,
  match?: (key: Deno.KvKey) => boolean,
): Promise<number> {
  let mutations: Mutation[] = [];
  let records = 0;
  let inGroup = 0;
  for await (const entry of kv.list<Uint8Array>({ prefix }, { batchSize: 500 })) {
    if (match && !match(entry.key)) continue;
    const blob = entry.value instanceof Uint8Array ? blobOf(entry.value) : undefined;
    mutations.push(...deleteBlob(blob), { key: entry.key, value: null });
    records++;
    if (++inGroup === RECORDS_PER_GROUP) {
      await batcher.add({ mutations });
      mutations = [];
      inGroup = 0;
    }
  }
  if (mutations.length > 0) await batcher.add({ mutations });
  return records;
}

/** Deletes one generation of a query: its objects and tombstones, then its marker. */
export async function deleteGeneration(
  kv: Deno.Kv,
  batcher: WriteBatcher,
  queryId: number,
  generation: number,
): Promise<void> {
  await deleteRecords(kv, batcher, snapshotPrefix(queryId, generation));
  await deleteRecords(kv, batcher, tombstonePrefix(queryId, generation));
  await batcher.add({ mutations: [{ key: generationKey(queryId, generation), value: null }] });
}

/** What start-up GC removed. */
export interface GarbageReport {
  /** Generations not referenced by their query record. */
  generations: number;
  /** Blobs whose record was never written. */
  blobs: number;
}

/**
 * Removes generations that are not their query's current one and blobs still marked pending,
 * and waits until the deletions are committed. Run before anything else writes.
 */
export async function collectGarbage(
  kv: Deno.Kv,
  batcher: WriteBatcher,
  currentGeneration: (queryId: number) => number | undefined,
): Promise<GarbageReport> {
  const report: GarbageReport = { generations: 0, blobs: 0 };
  const doomed: [number, number][] = [];
  for await (const { key } of kv.list({ prefix: generationPrefix() })) {
    const marker = parseGenerationKey(key);
    if (!marker) continue;
    const { queryId, generation } = marker;
    if (currentGeneration(queryId) !== generation) doomed.push([queryId, generation]);
  }
  for (const [queryId, generation] of doomed) {
    await deleteGeneration(kv, batcher, queryId, generation);
    report.generations++;
  }
  const pending: string[] = [];
  for await (const { key } of kv.list({ prefix: PENDING_BLOB_PREFIX })) {
    const marker = parsePendingBlobKey(key);
    if (marker) pending.push(marker.blobId);
  }
  for (const blobId of pending) {
    const mutations: Mutation[] = [];
    for await (const { key } of kv.list({ prefix: blobPrefix(blobId) })) {
      mutations.push({ key, value: null });
    }
    mutations.push({ key: pendingBlobKey(blobId), value: null });
    await batcher.add({ mutations });
    report.blobs++;
  }
  await batcher.sync();
  return report;
}
