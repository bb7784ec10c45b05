import assert from "node:assert/strict";
import { createMetrics } from "../../src/admin/metrics.ts";
import { type AdminDeps, serveAdmin } from "../../src/admin/server.ts";
import type { StatusReport } from "../../src/admin/status_report.ts";
import { createLogger } from "../../src/log/logger.ts";

const REPORT: StatusReport = {
  version: "0.1.0",
  mode: "offline",
  modeSince: "2025-01-01T00:00:00.000Z",
  nodeName: "edge-1",
  upstreams: [{ url: "https://a:6443/", healthy: false, lastError: "connection refused" }],
  cache: [{ component: "kubelet", resource: "pods", objects: 3, bytes: 4096, queries: 1 }],
  queries: [],
  documents: [],
  events: { queued: 0, bytes: 0, maxEvents: 2000, maxBytes: 4194304 },
  cacheHot: { bytes: 0, maxBytes: 64 * 1024 * 1024, queries: 0 },
};

/** Serves the admin routes on a free port for the duration of `body`. */
async function withAdmin(
  overrides: Partial<AdminDeps>,
  body: (base: string, logs: string[]) => Promise<void>,
): Promise<void> {
  const logs: string[] = [];
  const server = serveAdmin({ hostname: "127.0.0.1", port: 0 }, {
    ready: () => true,
    status: () => REPORT,
    metrics: createMetrics(),
    logger: createLogger({ level: "debug", format: "json" }, (line) => logs.push(line)),
    ...overrides,
  });
  try {
    await body(`http://127.0.0.1:${server.addr.port}`, logs);
  } finally {
    await server.shutdown();
  }
}

async function get(url: string, init?: RequestInit): Promise<[number, string, Headers]> {
  const response = await fetch(url, init);
  return [response.status, await response.text(), response.headers];
}

Deno.test("GET /v1/healthz answers 200 OK", async () => {
  await withAdmin({}, async (base) => {
    assert.deepEqual((await get(`${base}/v1/healthz`)).slice(0, 2), [200, "OK"]);
  });
});

Deno.test("GET /v1/readyz answers 200 OK when ready", async () => {
  await withAdmin({}, async (base) => {
    assert.deepEqual((await get(`${base}/v1/readyz`)).slice(0, 2), [200, "OK"]);
  });
});

Deno.test("GET /v1/readyz answers 503 with the reason when not ready", async () => {
  await withAdmin({ ready: () => "cache not open yet" }, async (base) => {
    assert.deepEqual((await get(`${base}/v1/readyz`)).slice(0, 2), [503, "cache not open yet"]);
  });
});

Deno.test("GET /v1/readyz answers 503 'not ready' for a bare false", async () => {
  await withAdmin({ ready: () => false }, async (base) => {
    assert.deepEqual((await get(`${base}/v1/readyz`)).slice(0, 2), [503, "not ready"]);
  });
});

Deno.test("GET /v1/status answers the status report as JSON, awaiting async status", async () => {
  await withAdmin({ status: () => Promise.resolve(REPORT) }, async (base) => {
    const [status, body, headers] = await get(`${base}/v1/status`);
    assert.equal(status, 200);
    assert.match(headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(JSON.parse(body), REPORT);
  });
});

Deno.test("GET /metrics answers Prometheus text", async () => {
  const metrics = createMetrics();
  metrics.upstreamHealthy.set({ server: "https://a:6443" }, 1);
  await withAdmin({ metrics }, async (base) => {
    const [status, body, headers] = await get(`${base}/metrics`);
    assert.equal(status, 200);
    assert.match(headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    assert.match(body, /^holdfast_upstream_healthy\{server="https:\/\/a:6443"\} 1$/m);
  });
});

Deno.test("an unknown path answers 404", async () => {
  await withAdmin({}, async (base) => {
    assert.equal((await get(`${base}/v1/nothing`))[0], 404);
  });
});

Deno.test("a POST to a known route answers 405 with Allow", async () => {
  await withAdmin({}, async (base) => {
    const [status, , headers] = await get(`${base}/v1/healthz`, { method: "POST" });
    assert.equal(status, 405);
    assert.equal(headers.get("allow"), "GET, HEAD");
  });
});

Deno.test("extra routes answer paths the built-in routes do not", async () => {
  const extra = (req: Request) =>
    new URL(req.url).pathname === "/v1/cache/kubelet" ? Response.json({ objects: 3 }) : null;
  await withAdmin({ extra }, async (base) => {
    assert.deepEqual((await get(`${base}/v1/cache/kubelet`)).slice(0, 2), [200, '{"objects":3}']);
    assert.equal((await get(`${base}/v1/cache/other`))[0], 404);
  });
});

Deno.test("a failing status handler answers 500 and logs the error", async () => {
  const status = () => Promise.reject(new Error("kv closed"));
  await withAdmin({ status }, async (base, logs) => {
    assert.equal((await get(`${base}/v1/status`))[0], 500);
    assert.ok(logs.some((line) => line.includes("kv closed")));
  });
});

Deno.test("the listener logs its bound address", async () => {
  await withAdmin({}, (base, logs) => {
    const started = logs.map((line) => JSON.parse(line)).find((r) =>
      r.msg === "admin listener started"
    );
    assert.equal(`http://${started?.address}`, base);
    return Promise.resolve();
  });
});
