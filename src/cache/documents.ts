/**
 * Discovery documents (`/version`, `/api`, `/apis`, `/api/v1`, `/apis/<g>/<v>`, aggregated
 * discovery) kept in Deno KV for offline answers, keyed by path and `as=` transform. They are the
 * same for every component, so they are not kept per component. kubectl's Table renderings are
 * kept the same way, per component: their path is `<component> <path and query>`.
 *
 * A document may be larger than one KV value (≤ 64 KiB), so it is stored in chunks under a fresh
 * generation, and a header naming the generation is switched to it last: a reader sees the old
 * document or the new one, never a mix. Chunks of the replaced generation are deleted afterwards.
 * @module
 */
import {
  DOCUMENT_HEADER_PREFIX,
  documentChunkKey,
  documentChunkPrefix,
  documentHeaderKey,
  type DocumentKeyFields,
  parseDocumentHeaderKey,
} from "./keys.ts";

/** Identifies a document: its path (no trailing slash) and the Accept `as=` transform ("" if none). */
export type DocumentKey = DocumentKeyFields;

/** A stored document. */
export interface StoredDocument {
  contentType: string;
  bytes: Uint8Array;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
}

interface Header {
  generation: string;
  chunks: number;
  size: number;
  contentType: string;
  storedAt: number;
}

/** The largest document kept (aggregated discovery of a big cluster is a few hundred KiB). */
export const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;

const CHUNK_BYTES = 60 * 1024;
/** Chunks per commit: stays under KV's 800 KiB per atomic operation. */
const CHUNKS_PER_COMMIT = 12;

/**
 * Stores `bytes` (of `contentType`) as the document `key`, replacing any earlier one. Throws a
 * RangeError for a document larger than {@link MAX_DOCUMENT_BYTES}.
 */
export async function putDocument(
  kv: Deno.Kv,
  key: DocumentKey,
  contentType: string,
  bytes: Uint8Array,
): Promise<void> {
  if (bytes.byteLength > MAX_DOCUMENT_BYTES) {
    throw new RangeError(`document ${key.path} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  }
  const generation = crypto.randomUUID();
  const chunks = Math.max(1, Math.ceil(bytes.byteLength / CHUNK_BYTES));
  for (let first = 0; first < chunks; first += CHUNKS_PER_COMMIT) {
    const op = kv.atomic();
    for (let i = first; i < Math.min(chunks, first + CHUNKS_PER_COMMIT); i++) {
      op.set(
        documentChunkKey(key, generation, i),
        bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES),
      );
    }
    await commitOrThrow(op, key);
  }
  const header: Header = {
    generation,
    chunks,
    size: bytes.byteLength,
    contentType,
    storedAt: Date.now(),
  };
  const previous = await kv.get<Header>(documentHeaderKey(key));
  const switched = await kv.atomic().check(previous).set(documentHeaderKey(key), header).commit();
  // A concurrent put switched the header first: its document stands and this one is dropped.
  if (!switched.ok) await deleteGeneration(kv, key, generation);
  else if (previous.value) await deleteGeneration(kv, key, previous.value.generation);
}

/** What is stored of one kind of document: discovery (shared) or one component's Tables. */
export interface DocumentStats {
  /** The component whose Tables these are; "" for discovery, which every component shares. */
  component: string;
  kind: "discovery" | "table";
  documents: number;
  bytes: number;
}

/** Documents stored, by component (Tables) and for discovery, from their headers. */
export async function documentStats(kv: Deno.Kv): Promise<DocumentStats[]> {
  const all = new Map<string, DocumentStats>();
  for await (const { key, value } of kv.list<Header>({ prefix: DOCUMENT_HEADER_PREFIX })) {
    const parsed = parseDocumentHeaderKey(key);
    if (!parsed) continue;
    const { path } = parsed;
    const table = !path.startsWith("/");
    const component = table ? path.slice(0, path.indexOf(" ")) : "";
    const id = `${table} ${component}`;
    let stats = all.get(id);
    if (!stats) {
      stats = { component, kind: table ? "table" : "discovery", documents: 0, bytes: 0 };
      all.set(id, stats);
    }
    stats.documents++;
    stats.bytes += value.size;
  }
  return [...all.values()].sort((a, b) =>
    a.component < b.component ? -1 : a.component > b.component ? 1 : a.kind < b.kind ? -1 : 1
  );
}

/** The document stored as `key`, or null when there is none. */
export async function getDocument(kv: Deno.Kv, key: DocumentKey): Promise<StoredDocument | null> {
  for (let attempt = 0; attempt < 2; attempt++) {
    const header = (await kv.get<Header>(documentHeaderKey(key))).value;
    if (!header) return null;
    const bytes = new Uint8Array(header.size);
    let offset = 0;
    const entries = kv.list<Uint8Array>({ prefix: documentChunkPrefix(key, header.generation) }, {
      batchSize: CHUNKS_PER_COMMIT,
    });
    for await (const entry of entries) {
      if (offset + entry.value.byteLength > header.size) break;
      bytes.set(entry.value, offset);
      offset += entry.value.byteLength;
    }
    // A concurrent replacement may have deleted this generation while it was read: read again.
    if (offset === header.size) {
      return { contentType: header.contentType, bytes, storedAt: header.storedAt };
    }
  }
  return null;
}

async function deleteGeneration(kv: Deno.Kv, key: DocumentKey, generation: string) {
  const keys: Deno.KvKey[] = [];
  for await (const entry of kv.list({ prefix: documentChunkPrefix(key, generation) })) {
    keys.push(entry.key);
  }
  for (let first = 0; first < keys.length; first += 500) {
    const op = kv.atomic();
    for (const k of keys.slice(first, first + 500)) op.delete(k);
    await commitOrThrow(op, key);
  }
}

async function commitOrThrow(op: Deno.AtomicOperation, key: DocumentKey): Promise<void> {
  const result = await op.commit();
  if (!result.ok) throw new Error(`could not store document ${key.path}`);
}
