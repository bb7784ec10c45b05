/**
 * The benchmarks' Kubernetes client side: timed LISTs read to the end (optionally paced to a link
 * rate), and a watch reader that splits a JSON watch stream into event lines stamped with their
 * arrival time.
 * @module
 */
import { CACHED_USER_AGENT } from "./agent.ts";

/** Media types the LIST benchmarks request. */
export const JSON_MEDIA = "application/json";
/** Kubernetes protobuf. */
export const PROTOBUF_MEDIA = "application/vnd.kubernetes.protobuf";

/** Request headers of a cached component asking for `accept`. */
export function clientHeaders(accept = JSON_MEDIA): Record<string, string> {
  return { "user-agent": CACHED_USER_AGENT, accept };
}

/** One timed request. */
export interface Timed {
  status: number;
  bytes: number;
  /** From sending the request to the last body byte. */
  ms: number;
  /** `performance.now()` when the body ended. */
  endedAt: number;
  contentType: string;
}

/** Options of {@linkcode timedGet}. */
export interface GetOptions {
  /** Read the body no faster than this on average, in bytes per second (default: unpaced). */
  readRate?: number;
}

/**
 * How long a reader pacing itself to `rate` bytes/s should wait, having read `bytes` in
 * `elapsedMs`: the time those bytes take at that rate, less the time already spent (never less
 * than 0).
 */
export function paceWaitMs(bytes: number, elapsedMs: number, rate: number): number {
  return Math.max(0, (bytes / rate) * 1000 - elapsedMs);
}

/**
 * Sends a GET and reads the whole body, timing it; with `readRate`, each chunk is followed by
 * the wait that keeps the average read rate under it (the sender is slowed by backpressure).
 */
export async function timedGet(
  url: string,
  headers: Record<string, string>,
  options: GetOptions = {},
): Promise<Timed> {
  const start = performance.now();
  const response = await fetch(url, { headers });
  let bytes = 0;
  if (response.body) {
    const bodyStart = performance.now();
    for await (const chunk of response.body) {
      bytes += chunk.byteLength;
      if (options.readRate === undefined) continue;
      const wait = paceWaitMs(bytes, performance.now() - bodyStart, options.readRate);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
  const endedAt = performance.now();
  return {
    status: response.status,
    bytes,
    ms: endedAt - start,
    endedAt,
    contentType: response.headers.get("content-type") ?? "",
  };
}

/** Like {@linkcode timedGet} but throws unless the answer is a 200. */
export async function timedOk(
  url: string,
  headers: Record<string, string>,
  options: GetOptions = {},
): Promise<Timed> {
  const timed = await timedGet(url, headers, options);
  if (timed.status !== 200) throw new Error(`GET ${url}: HTTP ${timed.status}`);
  return timed;
}

/** The path of one kube-system pod of the simulator at `base`: the small GET. */
export async function firstPodPath(base: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/namespaces/kube-system/pods?limit=1`, {
    headers: clientHeaders(),
  });
  const name = (await response.json()).items?.[0]?.metadata?.name;
  if (!name) throw new Error("the simulator has no kube-system pod to GET");
  return `/api/v1/namespaces/kube-system/pods/${name}`;
}

/** Called for each watch event line with its arrival time (`performance.now()`). */
export type OnLine = (line: Uint8Array, at: number) => void;

/** An open watch. */
export interface WatchHandle {
  /** Resolves when the response headers arrived. */
  ready: Promise<void>;
  /** Settles when the stream ended or was closed. */
  done: Promise<void>;
  close(): void;
}

const NEWLINE = 0x0a;

/**
 * Opens a JSON watch at `url` and calls `onLine` for every newline-terminated event. `close()`
 * aborts the request and cancels the body reader (an abort alone does not always end a read
 * that is waiting for data).
 */
export function openWatch(
  url: string,
  headers: Record<string, string>,
  onLine: OnLine,
  client?: Deno.HttpClient,
): WatchHandle {
  const abort = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let markReady: () => void = () => {};
  let failReady: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  const done = (async () => {
    let pending: Uint8Array | undefined;
    try {
      const response = await fetch(url, { headers, signal: abort.signal, client });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel();
        throw new Error(`watch ${url}: HTTP ${response.status}`);
      }
      reader = response.body.getReader();
      markReady();
      while (!abort.signal.aborted) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        const at = performance.now();
        let start = 0;
        for (let i = chunk.indexOf(NEWLINE); i !== -1; i = chunk.indexOf(NEWLINE, start)) {
          const piece = chunk.subarray(start, i);
          if (pending) {
            onLine(concat(pending, piece), at);
            pending = undefined;
          } else if (piece.byteLength > 0) {
            onLine(piece, at);
          }
          start = i + 1;
        }
        if (start < chunk.byteLength) {
          const rest = chunk.slice(start);
          pending = pending ? concat(pending, rest) : rest;
        }
      }
    } catch (error) {
      failReady(error);
      if (!abort.signal.aborted) throw error;
    }
  })();
  done.catch(() => undefined);
  ready.catch(() => undefined);
  const close = () => {
    abort.abort();
    reader?.cancel().catch(() => undefined);
  };
  return { ready, done, close };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.byteLength + b.byteLength);
  out.set(a);
  out.set(b, a.byteLength);
  return out;
}

const decoder = new TextDecoder();

/** The parts of a JSON watch event the benchmarks use. */
export interface WatchEventInfo {
  type: string;
  name: string;
  resourceVersion: string;
  annotations: Record<string, string>;
}

/** Parses one JSON watch event line. */
export function parseEvent(line: Uint8Array): WatchEventInfo {
  const event = JSON.parse(decoder.decode(line));
  const meta = event.object?.metadata ?? {};
  return {
    type: event.type,
    name: meta.name ?? "",
    resourceVersion: meta.resourceVersion ?? "",
    annotations: meta.annotations ?? {},
  };
}
