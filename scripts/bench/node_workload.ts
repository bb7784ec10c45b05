/**
 * A scripted kubelet + kube-proxy (the request mix of kube-api-and-peers.md B6), run as its own
 * process against a base URL for a number of simulated minutes, time-compressed by a speed-up
 * factor (every period and watch timeout divided by it):
 *
 * - kubelet: list+watch its Node (`metadata.name`), its pods (`spec.nodeName`), services
 *   (`spec.clusterIP!=None`), runtimeclasses, csidrivers, and one reflector per referenced
 *   configmap and secret (`metadata.name`); node lease GET then PUT every 10 s; node status
 *   strategic-merge PATCH at start and every 5 min (`nodeStatusReportFrequency`).
 * - kube-proxy: list+watch services and endpointslices (label selector
 *   `!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name`) and its Node.
 *
 * Watches use `allowWatchBookmarks` and client-go's random 5–10 min timeout; a watch that ends is
 * resumed from the last resourceVersion, a 410 leads to a relist. JSON is used throughout
 * (real kubelets ask for protobuf). Prints one JSON summary line when done.
 *
 * Usage: `deno run -A scripts/bench/node_workload.ts '<WorkloadPlan as JSON>'`
 * @module
 */
import { openWatch, parseEvent } from "./lib/kube_client.ts";

/** A namespaced object reference. */
export interface ObjectRef {
  namespace: string;
  name: string;
}

/** What the workload does. */
export interface WorkloadPlan {
  /** Base URL: the simulator (direct) or the agent. */
  base: string;
  node: string;
  minutes: number;
  speedup: number;
  configmaps: ObjectRef[];
  secrets: ObjectRef[];
}

/** What the workload did. */
export interface WorkloadSummary {
  requests: number;
  watchEvents: number;
  /** Watch events by reflector (User-Agent product and path without the query). */
  eventsBy: Record<string, number>;
  relists: number;
  errors: string[];
  realSeconds: number;
}

/** The kubelet's User-Agent. */
export const KUBELET_UA = "kubelet/v1.33.0 (linux/amd64) kubernetes/bench";
/** kube-proxy's User-Agent. */
export const KUBE_PROXY_UA = "kube-proxy/v1.33.0 (linux/amd64) kubernetes/bench";

const PROXY_SELECTOR = "!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name";
const LEASE_PERIOD_S = 10;
const STATUS_REPORT_PERIOD_S = 300;
const MIN_WATCH_TIMEOUT_S = 300;

/** Runs the workload until its simulated minutes have passed. */
export async function runWorkload(plan: WorkloadPlan): Promise<WorkloadSummary> {
  const summary: WorkloadSummary = {
    requests: 0,
    watchEvents: 0,
    eventsBy: {},
    relists: 0,
    errors: [],
    realSeconds: 0,
  };
  const start = performance.now();
  const endAt = start + (plan.minutes * 60_000) / plan.speedup;
  const ctx = { plan, summary, endAt };
  const node = encodeURIComponent(`metadata.name=${plan.node}`);
  const tasks = [
    reflector(ctx, KUBELET_UA, `/api/v1/nodes?fieldSelector=${node}`),
    reflector(
      ctx,
      KUBELET_UA,
      `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${plan.node}`)}`,
    ),
    reflector(
      ctx,
      KUBELET_UA,
      `/api/v1/services?fieldSelector=${encodeURIComponent("spec.clusterIP!=None")}`,
    ),
    reflector(ctx, KUBELET_UA, "/apis/node.k8s.io/v1/runtimeclasses"),
    reflector(ctx, KUBELET_UA, "/apis/storage.k8s.io/v1/csidrivers"),
    ...plan.configmaps.map((ref) => reflector(ctx, KUBELET_UA, byName("configmaps", ref))),
    ...plan.secrets.map((ref) => reflector(ctx, KUBELET_UA, byName("secrets", ref))),
    leaseLoop(ctx),
    nodeStatusLoop(ctx),
    reflector(ctx, KUBE_PROXY_UA, `/api/v1/services?labelSelector=${enc(PROXY_SELECTOR)}`),
    reflector(
      ctx,
      KUBE_PROXY_UA,
      `/apis/discovery.k8s.io/v1/endpointslices?labelSelector=${enc(PROXY_SELECTOR)}`,
    ),
    reflector(ctx, KUBE_PROXY_UA, `/api/v1/nodes?fieldSelector=${node}`),
  ];
  await Promise.all(tasks);
  summary.realSeconds = (performance.now() - start) / 1000;
  return summary;
}

interface Ctx {
  plan: WorkloadPlan;
  summary: WorkloadSummary;
  endAt: number;
}

const enc = encodeURIComponent;

function byName(resource: string, ref: ObjectRef): string {
  return `/api/v1/namespaces/${ref.namespace}/${resource}?fieldSelector=${
    enc(`metadata.name=${ref.name}`)
  }`;
}

function remainingMs(ctx: Ctx): number {
  return ctx.endAt - performance.now();
}

function sleep(ctx: Ctx, simulatedS: number): Promise<void> {
  const ms = Math.min((simulatedS * 1000) / ctx.plan.speedup, Math.max(0, remainingMs(ctx)));
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function request(
  ctx: Ctx,
  ua: string,
  path: string,
  init: RequestInit = {},
): Promise<Response> {
  ctx.summary.requests++;
  const headers = new Headers(init.headers);
  headers.set("user-agent", ua);
  headers.set("accept", "application/json");
  return await fetch(`${ctx.plan.base}${path}`, {
    ...init,
    headers,
    signal: AbortSignal.timeout(Math.max(1000, remainingMs(ctx))),
  });
}

function note(ctx: Ctx, what: string, error: unknown): void {
  if (ctx.summary.errors.length < 20) ctx.summary.errors.push(`${what}: ${error}`);
}

async function reflector(ctx: Ctx, ua: string, path: string): Promise<void> {
  const sep = path.includes("?") ? "&" : "?";
  const reflectorName = `${ua.split("/")[0]} ${path}`;
  while (remainingMs(ctx) > 0) {
    let rv: string;
    try {
      const response = await request(ctx, ua, path);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      rv = (await response.json()).metadata?.resourceVersion ?? "";
    } catch (error) {
      note(ctx, `LIST ${path}`, error);
      await sleep(ctx, 1);
      continue;
    }
    while (remainingMs(ctx) > 0) {
      const timeoutS = MIN_WATCH_TIMEOUT_S * (1 + Math.random());
      const realTimeout = Math.max(1, Math.round(timeoutS / ctx.plan.speedup));
      const url = `${ctx.plan.base}${path}${sep}watch=1&allowWatchBookmarks=true` +
        `&resourceVersion=${rv}&timeoutSeconds=${realTimeout}`;
      let expired = false;
      ctx.summary.requests++;
      const watch = openWatch(url, { "user-agent": ua, accept: "application/json" }, (line) => {
        const event = parseEvent(line);
        if (event.type === "ERROR") expired = true;
        else if (event.resourceVersion) rv = event.resourceVersion;
        ctx.summary.watchEvents++;
        ctx.summary.eventsBy[reflectorName] = (ctx.summary.eventsBy[reflectorName] ?? 0) + 1;
      });
      const stop = setTimeout(
        () => watch.close(),
        Math.max(0, Math.min(realTimeout * 1000 + 1000, remainingMs(ctx))),
      );
      try {
        await watch.done;
      } catch (error) {
        note(ctx, `WATCH ${path}`, error);
        expired = true;
        await sleep(ctx, 1);
      } finally {
        clearTimeout(stop);
      }
      if (expired) {
        ctx.summary.relists++;
        break;
      }
    }
  }
}

async function leaseLoop(ctx: Ctx): Promise<void> {
  const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${ctx.plan.node}`;
  let lease: Record<string, unknown> | undefined;
  while (remainingMs(ctx) > 0) {
    try {
      if (!lease) {
        const response = await request(ctx, KUBELET_UA, path);
        if (!response.ok) throw new Error(`GET lease: HTTP ${response.status}`);
        lease = await response.json();
      }
      const spec = { ...(lease!.spec as Record<string, unknown>), renewTime: microTime() };
      const response = await request(ctx, KUBELET_UA, path, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ ...lease, spec }),
      });
      if (!response.ok) {
        await response.body?.cancel();
        lease = undefined;
        throw new Error(`PUT lease: HTTP ${response.status}`);
      }
      lease = await response.json();
    } catch (error) {
      note(ctx, "lease", error);
    }
    await sleep(ctx, LEASE_PERIOD_S);
  }
}

async function nodeStatusLoop(ctx: Ctx): Promise<void> {
  const path = `/api/v1/nodes/${ctx.plan.node}/status`;
  while (remainingMs(ctx) > 0) {
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const patch = {
      status: {
        conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: now }],
      },
    };
    try {
      const response = await request(ctx, KUBELET_UA, path, {
        method: "PATCH",
        headers: { "content-type": "application/strategic-merge-patch+json" },
        body: JSON.stringify(patch),
      });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      note(ctx, "node status", error);
    }
    await sleep(ctx, STATUS_REPORT_PERIOD_S);
  }
}

function microTime(): string {
  return new Date().toISOString().replace("Z", "000Z");
}

if (import.meta.main) {
  const summary = await runWorkload(JSON.parse(Deno.args[0]));
  console.log(JSON.stringify(summary));
}
