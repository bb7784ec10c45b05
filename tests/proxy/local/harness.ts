/**
 * Test harness for the offline path: a real `CacheStore` on `:memory:` filled through its sinks,
 * and a proxy handler whose only upstream is marked unhealthy, so every request is answered by
 * `createLocalAnswer`.
 * @module
 */
import { EventQueue } from "../../../src/node/event_queue.ts";
import { CacheStore, type CacheStoreOptions } from "../../../src/cache/store.ts";
import type { QueryIdentity } from "../../../src/cache/query.ts";
import { codecFor } from "../../../src/kube/codecs.ts";
import type { RawObject, WatchEvent } from "../../../src/kube/types.ts";
import { classify, isCacheable } from "../../../src/proxy/classify.ts";
import { createProxyHandler, type ProxyHandler } from "../../../src/proxy/handler.ts";
import { createLocalAnswer, type LocalDeps } from "../../../src/proxy/local/mod.ts";
import { UpstreamPool } from "../../../src/upstream/pool.ts";
import { fixedIdentity, LOOPBACK, LOOPBACK_CLIENTS } from "../identity_fixture.ts";

/** An offline proxy over an in-memory cache. */
export interface Harness extends AsyncDisposable {
  store: CacheStore;
  events: EventQueue;
  pool: UpstreamPool;
  handler: ProxyHandler;
  /** Sends a request to the handler (path relative to the proxy). */
  fetch(path: string, init?: RequestInit & { userAgent?: string }): Promise<Response>;
  /** Marks the upstream healthy (the cloud is back) or not. */
  setOnline(online: boolean): void;
}

/** The component most tests act as. */
export const KUBELET_UA = "kubelet/v1.36.0 (linux/amd64) kubernetes/abc";

/**
 * Opens a harness on the KV file `path`; `options` override the offline path's settings,
 * `storeOptions` the cache's.
 */
export async function openHarness(
  options: Partial<LocalDeps> = {},
  path = ":memory:",
  storeOptions: CacheStoreOptions = {},
): Promise<Harness> {
  const store = await CacheStore.open(path, storeOptions);
  const events = new EventQueue(store.kv);
  const pool = new UpstreamPool([new URL("http://127.0.0.1:9")], "round-robin");
  pool.setHealth(pool.servers[0], false);
  const client = Deno.createHttpClient({});
  const handler = createProxyHandler({
    pool,
    identity: fixedIdentity(client),
    anonymous: LOOPBACK_CLIENTS,
    suspect: () => {},
    cacheAgents: "*",
    filters: [],
    maxCacheLagBytes: 1 << 20,
    headerTimeoutMs: 5000,
    local: createLocalAnswer({
      store,
      events,
      pool,
      bookmarkIntervalMs: 50,
      retryAfterSeconds: 3,
      onError: (error) => {
        throw error;
      },
      ...options,
    }),
  });
  return {
    store,
    events,
    pool,
    handler,
    async fetch(path, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("user-agent")) headers.set("user-agent", init.userAgent ?? KUBELET_UA);
      const request = new Request(new URL(path, "http://holdfast.local"), { ...init, headers });
      return (await handler(request, LOOPBACK)).response;
    },
    setOnline(online) {
      pool.setHealth(pool.servers[0], online);
    },
    async [Symbol.asyncDispose]() {
      client.close();
      await store.close();
    },
  };
}

/** The query identity a request for `path` by `userAgent` (with `accept`) is cached under. */
export function queryOf(path: string, userAgent = KUBELET_UA, accept?: string): QueryIdentity {
  const url = new URL(path, "http://holdfast.local");
  const headers = new Headers({ "user-agent": userAgent });
  if (accept) headers.set("accept", accept);
  const classified = classify(new Request(url, { headers }), url, "*");
  if (!isCacheable(classified) || classified.kind === "discovery") {
    throw new Error(`${path} is not cacheable`);
  }
  return classified.query;
}

/** Stores `body` (a list response in `mediaType`) as the answer to a LIST of `path`. */
export async function seedList(
  store: CacheStore,
  path: string,
  body: Uint8Array,
  options: { mediaType?: string; userAgent?: string } = {},
): Promise<void> {
  const mediaType = options.mediaType ?? "application/json";
  const codec = codecFor(mediaType)!;
  const query = queryOf(path, options.userAgent);
  await ReadableStream.from([body]).pipeThrough(codec.listDecoder(query.resource))
    .pipeTo(store.listSink(query, mediaType, { continueToken: "" }));
  await store.flush();
}

/** Feeds watch `events` for `path` into the cache, as a watch through the proxy would. */
export async function seedWatch(
  store: CacheStore,
  path: string,
  events: WatchEvent[],
  options: { mediaType?: string; userAgent?: string } = {},
): Promise<void> {
  const query = queryOf(path, options.userAgent);
  await ReadableStream.from(events).pipeTo(
    store.watchSink(query, options.mediaType ?? "application/json"),
  );
  await store.flush();
}

/** Options of a generated pod. */
export interface PodOptions {
  namespace?: string;
  rv?: string;
  nodeName?: string;
  labels?: Record<string, string>;
  phase?: string;
}

/** A pod as kube-apiserver writes it in JSON. */
export function pod(name: string, options: PodOptions = {}): Record<string, unknown> {
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name,
      namespace: options.namespace ?? "default",
      uid: `uid-${name}`,
      resourceVersion: options.rv ?? "10",
      labels: options.labels ?? {},
    },
    spec: { nodeName: options.nodeName ?? "edge-1", containers: [{ name: "c", image: "i" }] },
    status: { phase: options.phase ?? "Running" },
  };
}

/** A JSON list body of `items` at `rv`. */
export function listBody(
  kind: string,
  items: unknown[],
  rv: string,
  apiVersion = "v1",
): Uint8Array {
  const stripped = items.map((item) => {
    const { kind: _k, apiVersion: _a, ...rest } = item as Record<string, unknown>;
    return rest;
  });
  return new TextEncoder().encode(
    JSON.stringify({ kind, apiVersion, metadata: { resourceVersion: rv }, items: stripped }),
  );
}

/** A JSON object as a decoded RawObject (for watch events). */
export function rawJson(object: unknown, resource = "pods"): RawObject {
  return codecFor("application/json")!.decodeObject(
    new TextEncoder().encode(JSON.stringify(object)),
    resource,
  );
}

/** Reads a JSON body. */
export async function json(response: Response): Promise<Record<string, unknown>> {
  return JSON.parse(await response.text());
}

/** Reads JSON watch events (one per line) until the stream ends or `count` were read. */
export async function readEvents(
  response: Response,
  count = Infinity,
): Promise<{ type: string; object: Record<string, unknown> }[]> {
  const events: { type: string; object: Record<string, unknown> }[] = [];
  let text = "";
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (events.length < count) {
      const { done, value } = await reader.read();
      if (done) break;
      text += value;
      let newline;
      while ((newline = text.indexOf("\n")) >= 0 && events.length < count) {
        events.push(JSON.parse(text.slice(0, newline)));
        text = text.slice(newline + 1);
      }
    }
  } finally {
    await reader.cancel();
  }
  return events;
}
