/**
 * Test helpers for responses cut on the way: pods in either wire format, list and watch bodies
 * with the byte offset where each part ends, and one response driven through the real bounded tee
 * and cache branch with a client that reads everything.
 * @module
 */
import type { QueryIdentity } from "../../../src/cache/query.ts";
import type { CacheStore } from "../../../src/cache/store.ts";
import type { WireCodec } from "../../../src/kube/codec.ts";
import { jsonCodec } from "../../../src/kube/json/codec.ts";
import { rawObjectFromJson } from "../../../src/kube/json/object.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { toRawObject } from "../../../src/kube/protobuf/object.ts";
import { concat } from "../../../src/streams/concat.ts";
import {
  setName,
  setNamespace,
  setResourceVersion,
  setString,
} from "../../../src/kube/protobuf/rewrite.ts";
import type { ListMeta, RawObject, WatchEventType } from "../../../src/kube/types.ts";
import { createLogger } from "../../../src/log/logger.ts";
import { storeCacheBranch } from "../../../src/proxy/remote/cache_branch.ts";
import { type Cacheable, classify, isCacheable } from "../../../src/proxy/classify.ts";
import { boundedTee } from "../../../src/streams/bounded_tee.ts";

/** kubelet's User-Agent (cache component `kubelet`). */
export const KUBELET = "kubelet/v1.30.0 (linux/amd64) kubernetes/abc";
/** The pods of node-0, as kubelet lists and watches them. */
export const NODE_PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";

const encoder = new TextEncoder();

/** A GET of `path` by `userAgent`, classified; throws when its response is not cacheable. */
export function cacheableRequest(path: string, userAgent = KUBELET): Cacheable {
  const url = new URL(path, "http://holdfast.local");
  const classified = classify(new Request(url, { headers: { "user-agent": userAgent } }), url, "*");
  if (!isCacheable(classified)) throw new Error(`${path} is not cacheable`);
  return classified;
}

/** The cache query of {@linkcode NODE_PODS}. */
export function nodePodsQuery(): QueryIdentity {
  const classified = cacheableRequest(NODE_PODS);
  if (classified.kind === "discovery") throw new Error(`${NODE_PODS} is not a resource`);
  return classified.query;
}

/** One wire format under test: its codec and how it builds a pod. */
export interface Format {
  name: string;
  codec: WireCodec;
  /** The Content-Type of a list (watch streams use `codec.watchContentType`). */
  contentType: string;
  pod(name: string, resourceVersion: string): RawObject;
}

/** JSON pods on node-0. */
export const JSON_FORMAT: Format = {
  name: "json",
  codec: jsonCodec,
  contentType: "application/json",
  pod: (name, resourceVersion) =>
    rawObjectFromJson(
      encoder.encode(JSON.stringify({
        kind: "Pod",
        apiVersion: "v1",
        metadata: { name, namespace: "default", resourceVersion },
        spec: { nodeName: "node-0" },
      })),
      "pods",
    ),
};

/** Protobuf pods on node-0. */
export const PROTOBUF_FORMAT: Format = {
  name: "protobuf",
  codec: protobufCodec,
  contentType: "application/vnd.kubernetes.protobuf",
  pod(name, resourceVersion) {
    let bytes = setName(new Uint8Array(0), name);
    bytes = setNamespace(bytes, "default");
    bytes = setResourceVersion(bytes, resourceVersion);
    bytes = setString(bytes, [2, 10], "node-0");
    return toRawObject({ apiVersion: "v1", kind: "Pod" }, bytes);
  },
};

/** Both formats. */
export const FORMATS: readonly Format[] = [JSON_FORMAT, PROTOBUF_FORMAT];

/** A body and, for each part it carries, the offset just past that part's last byte. */
export interface Body {
  bytes: Uint8Array;
  /** Ascending offsets where each event (or the whole list) is complete. */
  ends: number[];
}

/** A `PodList` body at `resourceVersion` (`next` is its continue token). */
export function listBody(
  format: Format,
  items: RawObject[],
  resourceVersion: string,
  next = "",
): Body {
  const meta: ListMeta = { apiVersion: "v1", kind: "PodList", resourceVersion, continue: next };
  const bytes = concat([...format.codec.encodeList(meta, items)]);
  return { bytes, ends: [bytes.byteLength] };
}

/** A watch body of `events`; `ends[i]` is where event `i` ends. */
export function watchBody(
  format: Format,
  events: { type: WatchEventType; object: RawObject }[],
): Body {
  const frames = events.map((e) => format.codec.encodeWatchEvent(e.type, e.object));
  const ends: number[] = [];
  let offset = 0;
  for (const frame of frames) {
    let end = frame.byteLength; // a JSON event is whole at its "}", before the newline
    while (format === JSON_FORMAT && frame[end - 1] === 0x0a) end--;
    ends.push(offset + end);
    offset += frame.byteLength;
  }
  return { bytes: concat(frames), ends };
}

/** How a driven response's source ends after its chunks. */
export type Ending = "end" | "error";

/** One response: its request path, chunks, how the source ends, and a slow cache branch. */
export interface Drive {
  path: string;
  contentType: string;
  chunks: Uint8Array[];
  ending: Ending;
  /** Hold each cache-branch chunk back for a macrotask, so the client runs far ahead. */
  slowCache?: boolean;
  /** Told each response the cache gave up on. */
  onDrop?: (reason: string) => void;
}

/** A stream of `chunks` that then ends or fails. */
function source(chunks: Uint8Array[], ending: Ending): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) return controller.enqueue(chunks[i++]);
      if (ending === "end") controller.close();
      else controller.error(new Error("link down"));
    },
  }, { highWaterMark: 0 });
}

/** Delays each chunk by a macrotask. */
function slowly(body: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream({
      async transform(chunk, controller) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Drives one response as the proxy does: a bounded tee, the client reading every byte it can,
 * the cache branch into `store`. Resolves to the bytes the client received once the cache branch
 * has settled and the store flushed.
 */
export async function drive(store: CacheStore, options: Drive): Promise<Uint8Array> {
  const classified = cacheableRequest(options.path);
  const response = new Response(null, { headers: { "content-type": options.contentType } });
  const logger = createLogger({ level: "error", format: "text" });
  const sink = storeCacheBranch(store, logger, options.onDrop ?? (() => {}));
  const { client, cache, cut } = boundedTee(source(options.chunks, options.ending), 1 << 20);
  const cached = sink(classified, response, options.slowCache ? slowly(cache) : cache, cut);
  const received: Uint8Array[] = [];
  try {
    for await (const chunk of client) received.push(chunk);
  } catch {
    // The client saw the cut; what it received so far counts.
  }
  await cached;
  await store.flush();
  return concat(received);
}
