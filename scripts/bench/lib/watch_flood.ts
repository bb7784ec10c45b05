/**
 * A watch event source for the throughput measurement, as its own process: the apiserver
 * simulator tops out near 10,000 changes/s on a 2-core machine, below the 20,000 events/s target,
 * so this serves only what a pod watch needs — `GET /api/v1/pods` (a PodList) and
 * `GET /api/v1/pods?watch=1` (MODIFIED events of the captured kube-system pods, renamed, with
 * increasing resourceVersions, at a fixed rate, produced as the client reads so nothing queues
 * without bound) — plus `/readyz`, `/healthz` and `/version` for the agent's health checks.
 *
 * Usage: `deno run -A scripts/bench/lib/watch_flood.ts <port> <events-per-second>`
 * @module
 */
import { loadFixtures } from "../../apiserver-sim/fixtures.ts";
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, freePort, spawnProcess, waitForHttp } from "./processes.ts";

/** A running flood source. */
export interface FloodHandle {
  proc: BenchProcess;
  url: string;
  stop(): Promise<void>;
}

/** Starts the flood source at `rate` events/s and waits until it answers. */
export async function startFlood(ctx: BenchContext, rate: number): Promise<FloodHandle> {
  const port = freePort();
  const proc = await spawnProcess({
    name: "watch-flood",
    command: Deno.execPath(),
    args: ["run", "-A", new URL(import.meta.url).pathname, String(port), String(rate)],
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 10 * 60_000,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/readyz`, proc);
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
    return {
      ...pod,
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

async function serve(port: number, rate: number): Promise<void> {
  const { events, list } = await templates();
  const json = { "content-type": "application/json" };
  Deno.serve({ hostname: "127.0.0.1", port, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    if (["/readyz", "/healthz", "/livez"].includes(url.pathname)) return new Response("ok");
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

if (import.meta.main) await serve(Number(Deno.args[0]), Number(Deno.args[1]));
