import assert from "node:assert/strict";
import type { StatusReport } from "../../src/admin/status_report.ts";
import { runMain } from "./capture.ts";

const REPORT: StatusReport = {
  version: "0.1.0",
  mode: "offline",
  modeSince: "2025-01-01T00:00:00.000Z",
  nodeName: "edge-9",
  upstreams: [{ url: "https://10.0.0.1:6443/", healthy: false, lastError: "timeout" }],
  cache: [{
    component: "kube-proxy",
    resource: "endpointslices.discovery.k8s.io",
    objects: 40,
    bytes: 2048,
    queries: 1,
  }],
  queries: [],
  documents: [],
  events: { queued: 0, bytes: 0, maxEvents: 2000, maxBytes: 4194304 },
  cacheHot: { bytes: 0, maxBytes: 64 * 1024 * 1024, queries: 0 },
};

/** A fake admin listener answering `/v1/status` with `handler`, on a free port. */
async function withFakeAdmin(
  handler: (req: Request) => Response,
  body: (base: string) => Promise<void>,
): Promise<void> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, handler);
  try {
    await body(`http://127.0.0.1:${server.addr.port}`);
  } finally {
    await server.shutdown();
  }
}

Deno.test("status prints the agent's report as tables", async () => {
  const paths: string[] = [];
  await withFakeAdmin((req) => {
    paths.push(new URL(req.url).pathname);
    return Response.json(REPORT);
  }, async (base) => {
    const outcome = await runMain(["status", "--admin", base]);
    assert.equal(outcome.code, 0, outcome.stderr);
    assert.deepEqual(paths, ["/v1/status"]);
    assert.match(
      outcome.stdout,
      /^holdfast 0\.1\.0 on node edge-9: OFFLINE for \S+ \(since 2025-01-01T00:00:00.000Z\)$/m,
    );
    assert.match(outcome.stdout, /^https:\/\/10\.0\.0\.1:6443\/\s+unhealthy\s+-\s+timeout$/m);
    assert.match(
      outcome.stdout,
      /^kube-proxy\s+endpointslices\.discovery\.k8s\.io\s+40\s+2\.0 KiB\s+1$/m,
    );
  });
});

Deno.test("status --json prints the raw report", async () => {
  await withFakeAdmin(() => Response.json(REPORT), async (base) => {
    const outcome = await runMain(["status", "--admin", base, "--json"]);
    assert.equal(outcome.code, 0);
    assert.deepEqual(JSON.parse(outcome.stdout), REPORT);
  });
});

Deno.test("status exits 1 when the admin listener answers an error", async () => {
  await withFakeAdmin(() => new Response("boom", { status: 500 }), async (base) => {
    const outcome = await runMain(["status", "--admin", base]);
    assert.equal(outcome.code, 1);
    assert.match(outcome.stderr, /^holdfast: status: cannot get .*\/v1\/status: HTTP 500/);
  });
});

Deno.test("status exits 1 when nothing listens", async () => {
  let base = "";
  await withFakeAdmin(() => new Response(), (url) => Promise.resolve(void (base = url)));
  const outcome = await runMain(["status", "--admin", base]);
  assert.equal(outcome.code, 1);
  assert.match(outcome.stderr, /cannot get/);
});

Deno.test("status exits 2 for an --admin that is not an http URL", async () => {
  for (const admin of ["not a url", "ftp://127.0.0.1:10267"]) {
    const outcome = await runMain(["status", "--admin", admin]);
    assert.equal(outcome.code, 2, admin);
    assert.match(outcome.stderr, /--admin: .* is not an http\(s\) URL/);
  }
});
