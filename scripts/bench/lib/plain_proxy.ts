/**
 * The Deno floor: a bare streaming reverse proxy (`Deno.serve` + `fetch`, no classification, no
 * cache), run as its own process so its memory and throughput show what any Deno proxy costs
 * before holdfast adds anything.
 *
 * Usage: `deno run -A scripts/bench/lib/plain_proxy.ts <listen-port> <upstream-url>`
 * @module
 */
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, freePort, spawnProcess, waitForHttp } from "./processes.ts";

/** A running plain proxy. */
export interface PlainProxyHandle {
  proc: BenchProcess;
  url: string;
  /** `performance.now()` when it first answered through to the upstream. */
  readyAt: number;
  stop(): Promise<void>;
}

/**
 * Starts the plain proxy in front of `upstreamUrl` and waits until it answers; with V8's defaults
 * unless `v8Flags` (a `--v8-flags=` value) is given.
 */
export async function startPlainProxy(
  ctx: BenchContext,
  upstreamUrl: string,
  v8Flags?: string,
): Promise<PlainProxyHandle> {
  const port = freePort();
  const flags = v8Flags ? [`--v8-flags=${v8Flags}`] : [];
  const proc = await spawnProcess({
    name: "plain-proxy",
    command: Deno.execPath(),
    args: ["run", "-A", ...flags, new URL(import.meta.url).pathname, String(port), upstreamUrl],
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 20 * 60_000,
  });
  const url = `http://127.0.0.1:${port}`;
  const readyAt = await waitForHttp(`${url}/version`, proc, 30_000, 10);
  return { proc, url, readyAt, stop: async () => void await proc.stop() };
}

const HOP_HEADERS = ["connection", "keep-alive", "transfer-encoding", "content-length"];

function serve(port: number, upstream: URL): void {
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 128 });
  Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    const target = new URL(url.pathname + url.search, upstream);
    const upstreamResponse = await fetch(target, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      client,
      signal: request.signal,
    });
    const headers = new Headers(upstreamResponse.headers);
    for (const name of [...HOP_HEADERS, "content-encoding"]) headers.delete(name);
    return new Response(upstreamResponse.body, { status: upstreamResponse.status, headers });
  });
}

if (import.meta.main) serve(Number(Deno.args[0]), new URL(Deno.args[1]));
