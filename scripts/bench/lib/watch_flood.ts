/**
 * A watch event source for the throughput measurement, as its own process: the apiserver
 * simulator tops out near 10,000 changes/s on a 2-core machine, below the 20,000 events/s target,
 * so this serves only what a pod watch needs — `GET /api/v1/pods` (a PodList) and
 * `GET /api/v1/pods?watch=1` (MODIFIED events of the captured kube-system pods, renamed, with
 * increasing resourceVersions, at a fixed rate, produced as the client reads so nothing queues
 * without bound) — plus `/readyz`, `/healthz` and `/version` for the agent's health checks.
 *
 * For a client that needs more of the API than that (YurtHub), it can serve HTTPS and forward
 * every other request to a simulator (`--fallback`).
 *
 * Usage: `deno run -A scripts/bench/lib/watch_flood.ts <port> <events-per-second>
 * [--cert <pem file> --key <pem file>] [--fallback <simulator url>]`
 * @module
 */
import { parseArgs } from "node:util";
import { loadFixtures } from "../../apiserver-sim/fixtures.ts";
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, freePort, spawnProcess, waitForHttp } from "./processes.ts";

/** A running flood source. */
export interface FloodHandle {
  proc: BenchProcess;
  url: string;
  stop(): Promise<void>;
}

/** Serving over HTTPS, and where requests other than the pod LIST and watch go. */
export interface FloodOptions {
  /** Serving certificate and key files, and a client trusting their CA (to wait for it). */
  tls?: { certFile: string; keyFile: string; client: Deno.HttpClient };
  /** Base URL that every other request is forwarded to (instead of a 404). */
  fallback?: string;
}

/** Starts the flood source at `rate` events/s and waits until it answers. */
export async function startFlood(
  ctx: BenchContext,
  rate: number,
  options: FloodOptions = {},
): Promise<FloodHandle> {
  const port = freePort();
  const args = ["run", "-A", new URL(import.meta.url).pathname, String(port), String(rate)];
  if (options.tls) args.push("--cert", options.tls.certFile, "--key", options.tls.keyFile);
  if (options.fallback) args.push("--fallback", options.fallback);
  const proc = await spawnProcess({
    name: "watch-flood",
    command: Deno.execPath(),
    args,
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 10 * 60_000,
  });
  const url = `${options.tls ? "https" : "http"}://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, proc, 30_000, 20, options.tls?.client);
  return { proc, url, stop: async () => void await proc.stop() };
}

/** Distinct pods the events cycle over. */
const PODS = 100;
/** Most bytes enqueued per pull. */
const PULL_BYTES = 64 * 1024;
const RV_MARK = "__RV__";

const encoder = new TextEncoder();

/** One pod's event, split around its resourceVersion digits. */
interface Template {
  head: Uint8Array;
  tail: Uint8Array;
}

async function templates(): Promise<{ events: Template[]; list: string }> {
  const { pods } = await loadFixtures();
  const items = Array.from({ length: PODS }, (_, i) => {
    const pod = pods[i % pods.length];
    const metadata = pod.metadata as Record<string, unknown>;
    // Watch event objects carry kind and apiVersion, as kube-apiserver's do (YurtHub needs them).
    return {
      ...pod,
      kind: "Pod",
      apiVersion: "v1",
      metadata: { ...metadata, name: `flood-${i}`, resourceVersion: RV_MARK },
    };
  });
  const events = items.map((item) => {
    const [head, tail] = JSON.stringify({ type: "MODIFIED", object: item }).split(RV_MARK);
    return { head: encoder.encode(head), tail: encoder.encode(`${tail}\n`) };
  });
  const list = JSON.stringify({
    kind: "PodList",
    apiVersion: "v1",
    metadata: { resourceVersion: "1" },
    items: items.map((item) => ({ ...item, metadata: { ...item.metadata, resourceVersion: "1" } })),
  });
  return { events, list };
}

function eventStream(events: Template[], rate: number): ReadableStream<Uint8Array> {
  const started = performance.now();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let due = Math.floor(((performance.now() - started) * rate) / 1000);
      while (due <= sent) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        due = Math.floor(((performance.now() - started) * rate) / 1000);
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      while (sent < due && size < PULL_BYTES) {
        const template = events[sent % events.length];
        const rv = encoder.encode(String(sent + 2));
        parts.push(template.head, rv, template.tail);
        size += template.head.byteLength + rv.byteLength + template.tail.byteLength;
        sent++;
      }
      const chunk = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        chunk.set(part, offset);
        offset += part.byteLength;
      }
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
}

/** Sends `request` on to `base` (same method, path, headers and body) and streams the answer. */
function forward(request: Request, base: string): Promise<Response> {
  const url = new URL(request.url);
  return fetch(`${base}${url.pathname}${url.search}`, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    signal: request.signal,
  });
}

async function serve(port: number, rate: number, options: ServeOptions): Promise<void> {
  const { events, list } = await templates();
  const json = { "content-type": "application/json" };
  const tls = options.cert && options.key
    ? { cert: await Deno.readTextFile(options.cert), key: await Deno.readTextFile(options.key) }
    : {};
  Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {}, ...tls }, (request) => {
    const url = new URL(request.url);
    if (["/readyz", "/healthz", "/livez"].includes(url.pathname)) return new Response("ok");
    if (url.pathname !== "/api/v1/pods" && options.fallback) {
      return forward(request, options.fallback);
    }
    if (url.pathname === "/version") {
      return Response.json({ major: "1", minor: "36", gitVersion: "v1.36.0-flood" });
    }
    if (url.pathname !== "/api/v1/pods") {
      return Response.json({
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        reason: "NotFound",
        code: 404,
      }, { status: 404 });
    }
    const watch = url.searchParams.get("watch");
    if (watch === "1" || watch === "true") {
      return new Response(eventStream(events, rate), { headers: json });
    }
    return new Response(list, { headers: json });
  });
}

interface ServeOptions {
  cert?: string;
  key?: string;
  fallback?: string;
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: { cert: { type: "string" }, key: { type: "string" }, fallback: { type: "string" } },
  });
  await serve(Number(positionals[0]), Number(positionals[1]), values);
}
