/**
 * Test helpers for the cache: object and query builders, piping parts into sinks, temp KV files.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import type { CommitInfo } from "../../src/cache/batcher.ts";
import { verifyCache } from "../../src/cache/inspect.ts";
import type { QueryIdentity } from "../../src/cache/query.ts";
import { CacheStore } from "../../src/cache/store.ts";
import type { WatchSinkOptions } from "../../src/cache/watch_sink.ts";
import type {
  GroupVersionResource,
  ListPart,
  RawObject,
  WatchEvent,
} from "../../src/kube/types.ts";

/** Core v1 pods. */
export const PODS: GroupVersionResource = { group: "", version: "v1", resource: "pods" };

const encoder = new TextEncoder();

/** A pod as a JSON `RawObject`, padded to about `size` bytes. */
export function pod(
  name: string,
  resourceVersion: string,
  options: { namespace?: string; size?: number; nodeName?: string; tag?: string } = {},
): RawObject {
  const namespace = options.namespace ?? "default";
  const nodeName = options.nodeName ?? "node-1";
  const labels = { app: name.replace(/-\d+$/, ""), tag: options.tag ?? "" };
  const body = {
    kind: "Pod",
    apiVersion: "v1",
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion, labels },
    spec: { nodeName, containers: [{ name: "main", image: "registry.k8s.io/pause:3.10" }] },
    status: { phase: "Running" },
    padding: "",
  };
  const base = JSON.stringify(body).length;
  body.padding = "p".repeat(Math.max(0, (options.size ?? 600) - base));
  return {
    meta: { name, namespace, resourceVersion, uid: `uid-${name}`, labels },
    fields: { "spec.nodeName": nodeName, "status.phase": "Running" },
    typeMeta: { apiVersion: "v1", kind: "Pod" },
    bytes: encoder.encode(JSON.stringify(body)),
  };
}

/** A kubelet-style pods query; override any identity field. */
export function podQuery(overrides: Partial<QueryIdentity> = {}): QueryIdentity {
  return {
    component: "kubelet",
    group: "",
    version: "v1",
    resource: "pods",
    namespace: "",
    labelSelector: "",
    fieldSelector: "spec.nodeName=node-1",
    transform: "",
    ...overrides,
  };
}

/** The parts of a list response. */
export function listParts(
  objects: RawObject[],
  resourceVersion: string,
  continueToken = "",
): ListPart[] {
  return [
    {
      type: "meta",
      meta: { apiVersion: "v1", kind: "PodList", resourceVersion, continue: continueToken },
    },
    ...objects.map((object) => ({ type: "item" as const, object })),
  ];
}

/** Stores one LIST page through the store's list sink. */
export async function storeList(
  store: CacheStore,
  query: QueryIdentity,
  objects: RawObject[],
  resourceVersion: string,
  page: { asked?: string; next?: string } = {},
): Promise<void> {
  await ReadableStream.from(listParts(objects, resourceVersion, page.next ?? ""))
    .pipeTo(store.listSink(query, "application/json", { continueToken: page.asked ?? "" }));
}

/** Stores watch events through the store's watch sink. */
export async function storeWatch(
  store: CacheStore,
  query: QueryIdentity,
  events: WatchEvent[],
  options?: WatchSinkOptions,
): Promise<void> {
  await ReadableStream.from(events).pipeTo(store.watchSink(query, "application/json", options));
}

/** A BOOKMARK event at `resourceVersion` (`end` adds the initial-events-end annotation). */
export function bookmark(resourceVersion: string, end = false): WatchEvent {
  const metadata: Record<string, unknown> = { resourceVersion };
  if (end) metadata.annotations = { "k8s.io/initial-events-end": "true" };
  return {
    type: "BOOKMARK",
    object: {
      meta: { name: "", namespace: "", resourceVersion, uid: "", labels: {} },
      fields: {},
      typeMeta: { apiVersion: "v1", kind: "Pod" },
      bytes: encoder.encode(JSON.stringify({ kind: "Pod", apiVersion: "v1", metadata })),
    },
  };
}

/** All items of an async iterable. */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}

/** Names (`namespace/name`) and resourceVersions of objects, sorted. */
export function summary(objects: RawObject[]): string[] {
  return objects.map((o) => `${o.meta.namespace}/${o.meta.name}@${o.meta.resourceVersion}`).sort();
}

/** The one query record of `component`'s pods query matching `query`. */
export async function recordOf(store: CacheStore, query: QueryIdentity) {
  const records = await store.queries(query.component, query);
  return records.find((r) =>
    r.namespace === query.namespace && r.labelSelector === query.labelSelector &&
    r.fieldSelector === query.fieldSelector && r.transform === query.transform
  );
}

/** The query record matching `query` and its objects, asserting it was recorded. */
export async function snapshotOf(store: CacheStore, query: QueryIdentity = podQuery()) {
  const record = await recordOf(store, query);
  assert(record, "query recorded");
  return { record, objects: await collect(store.listObjects(record)) };
}

/** Flushes the store and asserts `cache verify` finds neither damage nor garbage. */
export async function assertClean(store: CacheStore): Promise<void> {
  await store.flush();
  const report = await verifyCache(store.kv);
  assertEquals(report.damage, []);
  assertEquals(report.garbage, []);
}

/** Collects commit infos (pass `onCommit` to the store). */
export function commitLog(): { onCommit: (info: CommitInfo) => void; commits: CommitInfo[] } {
  const commits: CommitInfo[] = [];
  return { onCommit: (info) => commits.push(info), commits };
}

/** A KV file path in a fresh temp dir, removed on dispose. */
export async function tempCachePath(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-cache-" });
  return {
    path: `${dir}/cache.kv`,
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Mounts a tmpfs on a fresh folder; undefined (with the reason printed) when not permitted. */
export async function mountTmpfs(
  options: string,
): Promise<(AsyncDisposable & { dir: string }) | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "holdfast-tmpfs-" });
  const mounted = await new Deno.Command("mount", {
    args: ["-t", "tmpfs", "-o", options, "tmpfs", dir],
    stderr: "piped",
  }).output().catch((error) => ({ success: false, stderr: new TextEncoder().encode(`${error}`) }));
  if (!mounted.success) {
    console.log(`skipped: cannot mount a tmpfs: ${new TextDecoder().decode(mounted.stderr)}`);
    await Deno.remove(dir);
    return undefined;
  }
  return {
    dir,
    async [Symbol.asyncDispose]() {
      await new Deno.Command("umount", { args: ["-l", dir] }).output();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Writes `path` until the file system is full (ENOSPC). */
export async function fillDisk(path: string): Promise<void> {
  const filler = await Deno.open(path, { write: true, create: true });
  try {
    const block = new Uint8Array(16 * 1024);
    for (;;) await filler.write(block);
  } catch {
    // ENOSPC: full
  } finally {
    filler.close();
  }
}

/** A store holding a pod list (one pod large), a stale query and a node. */
export async function filledStore(): Promise<CacheStore> {
  const store = await CacheStore.open(":memory:");
  await storeList(store, podQuery(), [pod("a", "10", { size: 100_000 }), pod("b", "11")], "100");
  await store.markStale(podQuery({ fieldSelector: "" }), "cache branch overflowed");
  await store.putObject(
    { ...podQuery(), group: "", resource: "nodes", fieldSelector: "" },
    "application/json",
    { ...pod("node-1", "5", { namespace: "" }), typeMeta: { apiVersion: "v1", kind: "Node" } },
  );
  await store.flush();
  return store;
}

/** The key of the first blob part stored. */
export async function firstBlobPart(kv: Deno.Kv): Promise<Deno.KvKey> {
  for await (const { key } of kv.list({ prefix: ["c", "b"] })) return key;
  throw new Error("no blob stored");
}

/** A Secret `name` in `default` whose JSON bytes are `body`. */
export function secretObject(name: string, body: unknown): RawObject {
  return {
    meta: { name, namespace: "default", resourceVersion: "5", uid: name, labels: {} },
    fields: { type: "Opaque" },
    typeMeta: { apiVersion: "v1", kind: "Secret" },
    bytes: new TextEncoder().encode(JSON.stringify(body)),
  };
}
