/**
 * Link-flap soak (a measurement, not a CI test): the apiserver simulator in this process, holdfast
 * as a subprocess in front of it (so its RSS is its own), and a steady kubelet-like load through
 * holdfast while the link to the simulator goes down and up every 2–5 s (seeded random).
 *
 * The load: client-go-style reflectors (LIST+WATCH of the node's pods and of its Node object,
 * watch-list of services, kube-proxy's EndpointSlices), a `@kubernetes/client-node` informer, a
 * LIST/GET loop, kubelet's lease loop (GET+PUT every second), node status patches and event
 * creates. Every client-visible failure is counted by kind: only 503 with Retry-After is
 * expected, and 504 Timeout (without Retry-After) to a write that may have reached the cloud. A watch that receives nothing (not even a bookmark) and does not end within its
 * timeoutSeconds + slack counts as stuck. The agent's RSS is sampled throughout.
 *
 * ```sh
 * deno run -A scripts/flap.ts [--minutes 5] [--seed 1] [--pods 300] [--health-interval-ms 1000]
 *   [--health-timeout-ms 500] [--unhealthy-threshold 3] [--healthy-threshold 2] [--json]
 * ```
 * @module
 */
import { parseArgs } from "node:util";
import * as k8s from "@kubernetes/client-node";
import { type Simulator, startSimulator } from "./apiserver-sim/mod.ts";
import {
  type BenchProcess,
  delay,
  freePort,
  logTail,
  readMemory,
  spawnAgent,
  stopAll,
  waitForHttp,
} from "./bench/lib/processes.ts";

/** The User-Agent of the kubelet-like load (its cache component is `kubelet`). */
export const KUBELET = "kubelet/v1.30.0 (linux/amd64) kubernetes/flap";
const KUBE_PROXY = "kube-proxy/v1.30.0 (linux/amd64) kubernetes/flap";
const NODE = "node-0";
/** The one failure clients are told to expect (and retry): 503 with Retry-After. */
const EXPECTED_503 = "503 with Retry-After";
const REQUEST_TIMEOUT_MS = 30_000;

/** Health-check settings of the agent. */
export interface HealthSettings {
  intervalMs: number;
  timeoutMs: number;
  unhealthyThreshold: number;
  healthyThreshold: number;
}

/** How to start an agent subprocess. */
export interface AgentProcessOptions {
  /** The upstream URL (the simulator, plain HTTP). */
  server: string;
  cachePath: string;
  logDir: string;
  health: HealthSettings;
  /** Wait until its admin listener answers (default true). */
  waitReady?: boolean;
}

/** A holdfast agent running as `deno run -A main.ts run …`. */
export interface AgentProcess {
  proc: BenchProcess;
  /** Proxy base URL. */
  url: string;
  adminUrl: string;
  /** `mode` of `/v1/status`: "online" or "offline". */
  mode(): Promise<string>;
  /** VmRSS in bytes. */
  rss(): Promise<number>;
  /** SIGTERM, then SIGKILL after 10 s; the exit status says which ended it. */
  stop(): Promise<Deno.CommandStatus>;
}

/** Starts holdfast as a subprocess in front of `options.server`, caching every client. */
export async function startAgentProcess(options: AgentProcessOptions): Promise<AgentProcess> {
  const port = freePort();
  const adminPort = freePort();
  const { health } = options;
  const proc = await spawnAgent(
    [
      "--server",
      options.server,
      "--node-name",
      NODE,
      "--listen",
      `127.0.0.1:${port}`,
      "--admin-listen",
      `127.0.0.1:${adminPort}`,
      "--cache-path",
      options.cachePath,
      "--cache-agents",
      "*",
      "--health-interval",
      `${health.intervalMs}ms`,
      "--health-timeout",
      `${health.timeoutMs}ms`,
      "--unhealthy-threshold",
      String(health.unhealthyThreshold),
      "--healthy-threshold",
      String(health.healthyThreshold),
      "--log-level",
      "warn",
    ],
    options.logDir,
    3 * 60 * 60_000,
  );
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const agent: AgentProcess = {
    proc,
    url: `http://127.0.0.1:${port}`,
    adminUrl,
    async mode() {
      const response = await fetch(`${adminUrl}/v1/status`, { signal: AbortSignal.timeout(5000) });
      return (await response.json()).mode;
    },
    rss: async () => (await readMemory(proc.pid)).rss,
    stop: () => proc.stop(10_000),
  };
  if (options.waitReady ?? true) await waitForHttp(`${adminUrl}/v1/status`, proc);
  return agent;
}

/** Polls `check` every `intervalMs` until it holds; false when `timeoutMs` passed first. */
export async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 20,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if (await check()) return true;
    } catch {
      // not yet
    }
    await delay(intervalMs);
  }
  return false;
}

/** A seeded PRNG (mulberry32): floats in [0, 1). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Counts of outcomes per operation and kind, with one example message per kind. */
class Tally {
  readonly counts = new Map<string, Map<string, number>>();
  readonly examples = new Map<string, string>();

  add(op: string, kind: string, example = ""): void {
    const kinds = this.counts.get(op) ?? new Map<string, number>();
    this.counts.set(op, kinds);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    if (example && !this.examples.has(`${op}\t${kind}`)) {
      this.examples.set(`${op}\t${kind}`, example.slice(0, 200));
    }
  }

  ok(op: string): void {
    this.add(op, "ok");
  }
}

/** A write that may have reached the cloud before the link went: 504 Timeout, retried later. */
const WRITE_OUTCOME_UNKNOWN = "504 Timeout, write outcome unknown → retry";

/** Outcomes that are part of the API's contract, not failures. */
const PROTOCOL = new Set([
  "ok",
  EXPECTED_503,
  "410 Expired → relist",
  "409 Conflict → re-GET (kubelet retries)",
  WRITE_OUTCOME_UNKNOWN,
  "very short watch → backoff",
  "watch-list ended before its end bookmark → retry",
]);

/** The kind of a non-2xx response: the expected 503 (or 504 to a write), or status and reason. */
async function failureKind(response: Response, method = "GET"): Promise<[string, string]> {
  const text = await response.text().catch(() => "");
  let reason = "";
  let message = text;
  try {
    const status = JSON.parse(text);
    reason = status.reason ?? "";
    message = status.message ?? text;
  } catch {
    // not a Status
  }
  if (response.status === 503 && response.headers.get("retry-after")) {
    return [EXPECTED_503, message];
  }
  const write = method !== "GET" && method !== "HEAD";
  if (
    write && response.status === 504 && reason === "Timeout"
  ) {
    return [WRITE_OUTCOME_UNKNOWN, message];
  }
  return [`HTTP ${response.status} ${reason}`.trim(), message];
}

function networkKind(error: unknown): [string, string] {
  const e = error as Error;
  if (e?.name === "TimeoutError") return ["request timed out", e.message];
  const cause = e?.cause instanceof Error ? `: ${e.cause.message}` : "";
  return [`network error (${e?.name ?? "unknown"})`, `${e?.message}${cause}`];
}

/** One request through holdfast; the parsed JSON body on 2xx, else undefined (tallied). */
async function call(
  tally: Tally,
  op: string,
  url: string,
  init: RequestInit & { userAgent?: string } = {},
): Promise<{ status: number; body?: Record<string, unknown> }> {
  const headers = new Headers(init.headers);
  headers.set("user-agent", init.userAgent ?? KUBELET);
  let response: Response;
  try {
    response = await fetch(url, {
      ...init,
      headers,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    tally.add(op, ...networkKind(error));
    return { status: 0 };
  }
  if (!response.ok) {
    if (response.status === 409) {
      await response.body?.cancel();
      return { status: 409 };
    }
    tally.add(op, ...await failureKind(response, init.method));
    return { status: response.status };
  }
  try {
    const body = await response.json();
    tally.ok(op);
    return { status: response.status, body };
  } catch (error) {
    tally.add(op, `body unreadable (${(error as Error).name})`, String(error));
    return { status: 0 };
  }
}

/** What a reflector lists and watches. */
interface ReflectorSpec {
  name: string;
  /** Collection path, e.g. `/api/v1/pods`. */
  path: string;
  /** Extra query, e.g. `fieldSelector=...` ("" for none). */
  query: string;
  userAgent: string;
  /** Start with a client-go watch-list (sendInitialEvents) instead of a LIST. */
  watchList: boolean;
  /** The simulator objects it should hold. */
  expected(sim: Simulator): Record<string, unknown>[];
}

interface WatchEventJson {
  type: string;
  object: {
    code?: number;
    message?: string;
    metadata?: {
      name?: string;
      namespace?: string;
      resourceVersion?: string;
      annotations?: Record<string, string>;
    };
  };
}

const keyOf = (meta: { name?: string; namespace?: string } | undefined) =>
  `${meta?.namespace ?? ""}/${meta?.name ?? ""}`;

/** client-go reflector behaviour over raw HTTP: LIST (or watch-list) then WATCH, forever. */
class Reflector {
  objects = new Map<string, string>();
  #rv = "";
  #synced = false;
  watches = 0;
  stuck = 0;
  overdue = 0;

  constructor(
    readonly spec: ReflectorSpec,
    readonly base: string,
    readonly tally: Tally,
    readonly random: () => number,
    readonly slackMs: number,
  ) {}

  get op() {
    return this.spec.name;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const backoff = !this.#synced && !this.spec.watchList
        ? !await this.#list()
        : !await this.#watch(signal);
      if (backoff && !signal.aborted) await delay(1000);
    }
  }

  /** A LIST; false when it failed. */
  async #list(): Promise<boolean> {
    const sep = this.spec.query ? "?" : "";
    const { body } = await call(
      this.tally,
      `${this.op} LIST`,
      `${this.base}${this.spec.path}${sep}${this.spec.query}`,
      { userAgent: this.spec.userAgent },
    );
    if (!body) return false;
    const items = body.items as {
      metadata: { name: string; namespace?: string; resourceVersion: string };
    }[];
    this.objects = new Map(items.map((o) => [keyOf(o.metadata), o.metadata.resourceVersion]));
    this.#rv = (body.metadata as { resourceVersion: string }).resourceVersion;
    this.#synced = true;
    return true;
  }

  /** One WATCH (a watch-list until synced when so configured); false to back off. */
  async #watch(signal: AbortSignal): Promise<boolean> {
    const op = `${this.op} WATCH`;
    const timeoutSeconds = 15 + Math.floor(this.random() * 15);
    const watchList = this.spec.watchList && !this.#synced;
    const params = new URLSearchParams(this.spec.query);
    params.set("watch", "true");
    params.set("allowWatchBookmarks", "true");
    params.set("timeoutSeconds", String(timeoutSeconds));
    params.set("resourceVersion", this.#rv);
    if (watchList) {
      params.set("sendInitialEvents", "true");
      params.set("resourceVersionMatch", "NotOlderThan");
    }
    const controller = new AbortController();
    const stop = () => controller.abort();
    signal.addEventListener("abort", stop);
    let received = 0;
    let events = 0;
    let watchdogFired = false;
    const started = performance.now();
    const watchdog = setTimeout(() => {
      watchdogFired = true;
      if (received === 0) this.stuck++;
      else this.overdue++;
      this.tally.add(op, received === 0 ? "stuck watch" : "overdue watch (did not end)");
      controller.abort();
    }, timeoutSeconds * 1000 + this.slackMs);
    const initial = new Map<string, string>();
    let initialDone = !watchList;
    try {
      const response = await fetch(`${this.base}${this.spec.path}?${params}`, {
        headers: { "user-agent": this.spec.userAgent },
        signal: controller.signal,
      });
      if (!response.ok) {
        const [kind, message] = await failureKind(response);
        this.tally.add(op, kind, message);
        if (response.status === 410 || response.status === 504 || watchList) this.#relist();
        return false;
      }
      this.watches++;
      let buffer = "";
      for await (const text of response.body!.pipeThrough(new TextDecoderStream())) {
        received += text.length;
        buffer += text;
        let newline;
        while ((newline = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() === "") continue;
          events++;
          const event = JSON.parse(line) as WatchEventJson;
          if (!this.#apply(op, event, initialDone ? this.objects : initial)) return true;
          if (!initialDone && event.type === "BOOKMARK" && isInitialEnd(event)) {
            initialDone = true;
            this.objects = initial;
            this.#synced = true;
          }
        }
      }
      if (buffer.trim() !== "") this.tally.add(op, "partial event at end", buffer.slice(0, 100));
      if (!initialDone) {
        this.tally.add(op, "watch-list ended before its end bookmark → retry");
        return events > 0;
      }
      if (events === 0 && performance.now() - started < 1000) {
        this.tally.add(
          op,
          "very short watch → backoff",
          `${Math.round(performance.now() - started)} ms at ${new Date().toISOString()}`,
        );
        return false;
      }
      this.tally.ok(op);
      return true;
    } catch (error) {
      if (signal.aborted || watchdogFired) return false;
      if (error instanceof SyntaxError) this.tally.add(op, "undecodable event", error.message);
      else this.tally.add(op, ...networkKind(error));
      return false;
    } finally {
      clearTimeout(watchdog);
      signal.removeEventListener("abort", stop);
    }
  }

  /** Applies one event; false when the watch must end (ERROR). */
  #apply(op: string, event: WatchEventJson, into: Map<string, string>): boolean {
    const meta = event.object.metadata;
    switch (event.type) {
      case "ADDED":
      case "MODIFIED":
        into.set(keyOf(meta), meta?.resourceVersion ?? "");
        break;
      case "DELETED":
        into.delete(keyOf(meta));
        break;
      case "BOOKMARK":
        break;
      case "ERROR":
        if (event.object.code === 410) this.tally.add(op, "410 Expired → relist");
        else this.tally.add(op, `ERROR event ${event.object.code}`, event.object.message);
        this.#relist();
        return false;
      default:
        this.tally.add(op, `unknown event type ${event.type}`);
        return true;
    }
    this.#rv = meta?.resourceVersion ?? this.#rv;
    return true;
  }

  #relist(): void {
    this.#rv = "";
    this.#synced = false;
  }

  /** Whether it holds exactly what the simulator has (names and resourceVersions). */
  matches(sim: Simulator): boolean {
    const expected = this.spec.expected(sim);
    if (expected.length !== this.objects.size) return false;
    return expected.every((o) => {
      const meta = o.metadata as { name: string; namespace?: string; resourceVersion: string };
      return this.objects.get(keyOf(meta)) === meta.resourceVersion;
    });
  }
}

function isInitialEnd(event: WatchEventJson): boolean {
  return event.object.metadata?.annotations?.["k8s.io/initial-events-end"] === "true";
}

const REFLECTORS: ReflectorSpec[] = [
  {
    name: "pods(node) reflector",
    path: "/api/v1/pods",
    query: `fieldSelector=spec.nodeName%3D${NODE}`,
    userAgent: KUBELET,
    watchList: false,
    expected: (sim) => sim.objects.list("pods").filter((p) => nodeOf(p) === NODE),
  },
  {
    name: "node reflector",
    path: "/api/v1/nodes",
    query: `fieldSelector=metadata.name%3D${NODE}`,
    userAgent: KUBELET,
    watchList: false,
    expected: (sim) => [sim.objects.get("nodes", NODE)!],
  },
  {
    name: "services watch-list",
    path: "/api/v1/services",
    query: "fieldSelector=spec.clusterIP%21%3DNone",
    userAgent: KUBELET,
    watchList: true,
    expected: (sim) =>
      sim.objects.list("services").filter((s) =>
        (s.spec as { clusterIP?: string }).clusterIP !== "None"
      ),
  },
  {
    name: "endpointslices (kube-proxy)",
    path: "/apis/discovery.k8s.io/v1/endpointslices",
    query: "",
    userAgent: KUBE_PROXY,
    watchList: false,
    expected: (sim) => sim.objects.list("endpointslices"),
  },
];

function nodeOf(pod: Record<string, unknown>): string | undefined {
  return (pod.spec as { nodeName?: string }).nodeName;
}

/** A `@kubernetes/client-node` informer on the node's pods, restarted after each error. */
function clientNodeInformer(base: string, tally: Tally) {
  const op = "client-node informer";
  const config = new (class extends k8s.KubeConfig {
    override async applySecurityAuthentication(context: k8s.RequestContext) {
      await super.applySecurityAuthentication(context);
      context.setHeaderParam("User-Agent", KUBELET);
    }
  })();
  config.loadFromOptions({
    clusters: [{ name: "holdfast", server: base, skipTLSVerify: true }],
    users: [{ name: "kubelet" }],
    contexts: [{ name: "holdfast", cluster: "holdfast", user: "kubelet" }],
    currentContext: "holdfast",
  });
  const core = new k8s.CoreV1Api(k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(base, {}),
    authMethods: { default: config },
    middleware: [k8s.setHeaderMiddleware("User-Agent", KUBELET)],
  }));
  const selector = `spec.nodeName=${NODE}`;
  const informer = new k8s.ListWatch<k8s.V1Pod>(
    "/api/v1/pods",
    new k8s.Watch(config),
    () => core.listPodForAllNamespaces({ fieldSelector: selector }),
    false,
    undefined,
    selector,
  );
  let stopped = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  informer.on("connect", () => tally.ok(op));
  informer.on("error", (error) => {
    const e = error as { code?: number; statusCode?: number; headers?: Record<string, string> };
    const status = typeof e.code === "number" ? e.code : e.statusCode;
    if (status === 503 && (e.headers?.["retry-after"] || e.statusCode)) {
      // client-node's Watch does not expose headers; holdfast's 503s always carry Retry-After.
      tally.add(op, EXPECTED_503);
    } else if (status) tally.add(op, `HTTP ${status}`, String(error));
    else tally.add(op, ...networkKind(error));
    if (!stopped) retry = setTimeout(() => informer.start(), 1000);
  });
  return {
    start: () => informer.start(),
    names: () => informer.list().map((p) => p.metadata!.name!).sort(),
    async stop() {
      stopped = true;
      clearTimeout(retry);
      await informer.stop();
    },
  };
}

/** Runs `body` every `ms` until `signal` aborts. */
async function every(ms: number, signal: AbortSignal, body: () => Promise<void>): Promise<void> {
  while (!signal.aborted) {
    const started = performance.now();
    await body();
    await sleepUnless(Math.max(0, ms - (performance.now() - started)), signal);
  }
}

function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** kubelet's lease loop: PUT its last lease with a new renewTime; GET first, and after a 409. */
async function leaseLoop(base: string, tally: Tally, signal: AbortSignal): Promise<void> {
  const url = `${base}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${NODE}`;
  let lease: Record<string, unknown> | undefined;
  await every(1000, signal, async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (!lease) lease = (await call(tally, "lease GET", url)).body;
      if (!lease) return;
      (lease.spec as Record<string, unknown>).renewTime = new Date().toISOString();
      const put = await call(tally, "lease PUT", url, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(lease),
      });
      lease = put.body;
      if (put.status !== 409) return;
      tally.add("lease PUT", "409 Conflict → re-GET (kubelet retries)");
    }
  });
}

/** Options of {@linkcode runFlap}. */
export interface FlapOptions {
  durationMs: number;
  seed: number;
  pods: number;
  health: HealthSettings;
  /** Link up/down periods are drawn from [minPeriodMs, maxPeriodMs). */
  minPeriodMs: number;
  maxPeriodMs: number;
  /** Extra time a watch may take beyond its timeoutSeconds before it counts as stuck. */
  slackMs: number;
  sampleMs: number;
  /** Prints progress lines to stderr. */
  verbose: boolean;
  /** Keep the temporary folder (agent log and cache) instead of removing it. */
  keep: boolean;
}

/** Defaults: 5 minutes, health 1 s / 500 ms / 3 / 2. */
export const DEFAULT_FLAP: FlapOptions = {
  durationMs: 5 * 60_000,
  seed: 1,
  pods: 300,
  health: { intervalMs: 1000, timeoutMs: 500, unhealthyThreshold: 3, healthyThreshold: 2 },
  minPeriodMs: 2000,
  maxPeriodMs: 5000,
  slackMs: 10_000,
  sampleMs: 5000,
  verbose: false,
  keep: false,
};

/** One row of the summary: an operation's outcomes. */
export interface FlapRow {
  op: string;
  ok: number;
  /** Counts by outcome kind (other than ok). */
  outcomes: Record<string, number>;
}

/** What {@linkcode runFlap} measured. */
export interface FlapReport {
  options: FlapOptions;
  elapsedMs: number;
  linkDowns: number;
  modeTransitionsToOffline: number;
  rows: FlapRow[];
  /** Failures other than the documented 503s and protocol outcomes, with an example each. */
  unexpected: { op: string; kind: string; count: number; example: string }[];
  watches: number;
  stuckWatches: number;
  overdueWatches: number;
  /** Agent RSS: first sample (load just started), peak, last, VmHWM, and every sample. */
  rssMiB: { start: number; peak: number; end: number; hwm: number; series: number[] };
  /** Seconds after the final reconnect until every reflector matched the simulator, or null. */
  convergedAfterS: number | null;
  /**
   * Events holdfast answered 2xx to (created), how many of them the simulator holds, and the
   * names of those it does not.
   */
  events: { created: number; delivered: number; missing: string[] };
  agentStop: string;
  agentLog: string;
  agentLogErrors: number;
}

/** Runs the soak and returns its report; everything it started is stopped. */
export async function runFlap(options: FlapOptions): Promise<FlapReport> {
  const log = (line: string) =>
    options.verbose && console.error(`[flap] ${new Date().toISOString()} ${line}`);
  const random = seededRandom(options.seed);
  const dir = await Deno.makeTempDir({ prefix: "holdfast-flap-" });
  const sim = await startSimulator({
    scale: { pods: options.pods, nodes: 10 },
    bookmarkIntervalMs: 10_000,
  });
  const tally = new Tally();
  const stop = new AbortController();
  let agent: AgentProcess | undefined;
  const churns = [
    sim.objects.churn({ resource: "pods", rate: 5, op: "modify" }),
    sim.objects.churn({ resource: "endpointslices", rate: 1, op: "modify" }),
  ];
  try {
    agent = await startAgentProcess({
      server: sim.url,
      cachePath: `${dir}/cache.kv`,
      logDir: dir,
      health: options.health,
    });
    const base = agent.url;
    const reflectors = REFLECTORS.map((spec) =>
      new Reflector(spec, base, tally, random, options.slackMs)
    );
    const informer = clientNodeInformer(base, tally);
    const rss: number[] = [await agent.rss()];
    const eventsCreated: string[] = [];
    let eventsPosted = 0;
    const running = [
      ...reflectors.map((r) => r.run(stop.signal)),
      informer.start(),
      leaseLoop(base, tally, stop.signal),
      every(250, stop.signal, async () => {
        const pods = (await call(
          tally,
          "LIST pods(node)",
          `${base}/api/v1/pods?fieldSelector=spec.nodeName%3D${NODE}`,
        )).body?.items as { metadata: { name: string; namespace: string } }[] | undefined;
        const pod = pods?.[0]?.metadata;
        if (pod) {
          await call(
            tally,
            "GET pod",
            `${base}/api/v1/namespaces/${pod.namespace}/pods/${pod.name}`,
          );
        }
        await call(tally, "GET node", `${base}/api/v1/nodes/${NODE}`);
      }),
      every(10_000, stop.signal, async () => {
        const heartbeat = new Date().toISOString();
        await call(tally, "PATCH node status", `${base}/api/v1/nodes/${NODE}/status`, {
          method: "PATCH",
          headers: { "content-type": "application/strategic-merge-patch+json" },
          body: JSON.stringify({
            status: {
              conditions: [{ type: "Ready", status: "True", lastHeartbeatTime: heartbeat }],
            },
          }),
        });
      }),
      every(5000, stop.signal, async () => {
        const name = `flap-${++eventsPosted}`;
        const { status } = await call(
          tally,
          "POST event",
          `${base}/api/v1/namespaces/default/events`,
          {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              apiVersion: "v1",
              kind: "Event",
              metadata: { name, namespace: "default" },
              involvedObject: { kind: "Node", name: NODE },
              reason: "Flap",
              message: "link flap soak",
              type: "Normal",
            }),
          },
        );
        // Only an event holdfast answered 2xx to was created (a 503 asks the client to retry).
        if (status >= 200 && status < 300) eventsCreated.push(name);
      }),
      every(options.sampleMs, stop.signal, async () => {
        rss.push(await agent!.rss());
      }),
    ];

    log("load running; flapping the link");
    const started = performance.now();
    let linkDowns = 0;
    let up = true;
    while (performance.now() - started < options.durationMs) {
      const period = options.minPeriodMs +
        random() * (options.maxPeriodMs - options.minPeriodMs);
      await delay(
        Math.min(period, Math.max(0, options.durationMs - (performance.now() - started))),
      );
      if (performance.now() - started >= options.durationMs) break;
      if (up) {
        await sim.faults.linkDown();
        linkDowns++;
      } else await sim.faults.linkUp();
      up = !up;
      log(`link ${up ? "up" : "down"}`);
    }
    if (!up) await sim.faults.linkUp();
    const elapsedMs = performance.now() - started;
    for (const churn of churns) churn.stop();

    const reconnected = performance.now();
    const converged = await until(
      () => reflectors.every((r) => r.matches(sim)),
      60_000,
      100,
    );
    const convergedAfterS = converged ? (performance.now() - reconnected) / 1000 : null;
    log(`reflectors ${converged ? "match" : "do not match"} the simulator; stopping the load`);
    const inSimulator = () =>
      new Set(
        sim.objects.list("events", "default")
          .map((e) => (e.metadata as { name: string }).name)
          .filter((name) => name.startsWith("flap-")),
      );
    const missing = () => {
      const names = inSimulator();
      return eventsCreated.filter((name) => !names.has(name));
    };
    stop.abort();
    await Promise.all(running);
    await informer.stop();
    log("load stopped; waiting for queued events");
    await until(() => missing().length === 0, 15_000, 100);
    rss.push(await agent.rss());
    const metrics = await (await fetch(`${agent.adminUrl}/metrics`)).text();
    const transitions = metrics.match(/^holdfast_mode_transitions_total\{to="offline"\} (\d+)/m);
    const hwm = (await readMemory(agent.proc.pid)).hwm;
    log("stopping the agent");
    const status = await agent.stop();
    log("agent stopped");
    const agentStop = status.signal ? `killed by ${status.signal}` : `exit ${status.code}`;
    const agentLog = await Deno.readTextFile(agent.proc.logFile);
    const mib = (bytes: number) => Math.round(bytes / 1024 / 102.4) / 10;
    return {
      options,
      elapsedMs,
      linkDowns,
      modeTransitionsToOffline: Number(transitions?.[1] ?? 0),
      rows: rowsOf(tally),
      unexpected: unexpectedOf(tally),
      watches: reflectors.reduce((n, r) => n + r.watches, 0),
      stuckWatches: reflectors.reduce((n, r) => n + r.stuck, 0),
      overdueWatches: reflectors.reduce((n, r) => n + r.overdue, 0),
      rssMiB: {
        start: mib(rss[0]),
        peak: mib(Math.max(...rss)),
        end: mib(rss.at(-1)!),
        hwm: mib(hwm),
        series: rss.map(mib),
      },
      convergedAfterS,
      events: {
        created: eventsCreated.length,
        delivered: eventsCreated.length - missing().length,
        missing: missing(),
      },
      agentStop,
      agentLog: agent.proc.logFile,
      agentLogErrors: agentLog.split("\n").filter((l) => /\bERROR\b|"level":"error"/.test(l))
        .length,
    };
  } catch (error) {
    if (agent) console.error(await logTail(agent.proc));
    throw error;
  } finally {
    stop.abort();
    for (const churn of churns) churn.stop();
    await Promise.all(churns.map((c) => c.done));
    await stopAll();
    await sim.close();
    if (!options.keep) await Deno.remove(dir, { recursive: true });
  }
}

function rowsOf(tally: Tally): FlapRow[] {
  return [...tally.counts].map(([op, kinds]) => {
    const outcomes = Object.fromEntries([...kinds].filter(([kind]) => kind !== "ok"));
    return { op, ok: kinds.get("ok") ?? 0, outcomes };
  }).sort((a, b) => a.op < b.op ? -1 : 1);
}

function unexpectedOf(tally: Tally): FlapReport["unexpected"] {
  const out: FlapReport["unexpected"] = [];
  for (const [op, kinds] of tally.counts) {
    for (const [kind, count] of kinds) {
      if (PROTOCOL.has(kind)) continue;
      out.push({ op, kind, count, example: tally.examples.get(`${op}\t${kind}`) ?? "" });
    }
  }
  return out;
}

/**
 * What a run got wrong, one line each (empty when it passed): a failure clients were not told to
 * expect, a stuck or overdue watch, reflectors that never matched the simulator, an event holdfast
 * accepted that never reached it, an agent that did not stop cleanly.
 */
export function flapFailures(report: FlapReport): string[] {
  const failures: string[] = [];
  for (const u of report.unexpected) failures.push(`unexpected: ${u.op}: ${u.kind} ×${u.count}`);
  if (report.stuckWatches + report.overdueWatches > 0) {
    failures.push(`watches: ${report.stuckWatches} stuck, ${report.overdueWatches} overdue`);
  }
  if (report.convergedAfterS === null) failures.push("reflectors never matched the simulator");
  if (report.events.missing.length > 0) {
    failures.push(`events never delivered: ${report.events.missing.join(", ")}`);
  }
  if (report.agentStop !== "exit 0") failures.push(`agent stop: ${report.agentStop}`);
  return failures;
}

/** The report as a plain-text summary table. */
export function formatReport(report: FlapReport): string {
  const o = report.options;
  const h = o.health;
  const lines = [
    `holdfast link-flap soak: ${(report.elapsedMs / 60_000).toFixed(1)} min, seed ${o.seed}, ` +
    `${o.pods} pods, link down ${report.linkDowns}× (periods ${o.minPeriodMs / 1000}–` +
    `${o.maxPeriodMs / 1000} s), health ${h.intervalMs} ms / ${h.timeoutMs} ms / ` +
    `unhealthy ${h.unhealthyThreshold} / healthy ${h.healthyThreshold}, ` +
    `${report.modeTransitionsToOffline} switches to offline`,
    "",
  ];
  const kinds = [...new Set(report.rows.flatMap((r) => Object.keys(r.outcomes)))].sort();
  const header = ["operation", "ok", ...kinds];
  const table = [
    header,
    ...report.rows.map((r) => [
      r.op,
      String(r.ok),
      ...kinds.map((k) => String(r.outcomes[k] ?? 0)),
    ]),
  ];
  const widths = header.map((_, i) => Math.max(...table.map((row) => row[i].length)));
  for (const row of table) {
    lines.push(
      row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))
        .join("  "),
    );
  }
  lines.push("");
  lines.push(`unexpected failures: ${report.unexpected.reduce((n, u) => n + u.count, 0)}`);
  for (const u of report.unexpected) {
    lines.push(`  ${u.op}: ${u.kind} ×${u.count}  e.g. ${u.example}`);
  }
  lines.push(
    `watches: ${report.watches} established, ${report.stuckWatches} stuck, ` +
      `${report.overdueWatches} overdue (slack ${o.slackMs / 1000} s)`,
  );
  const m = report.rssMiB;
  const step = Math.max(1, Math.round(m.series.length / 12));
  lines.push(
    `agent RSS MiB: start ${m.start}, peak ${m.peak}, end ${m.end} (VmHWM ${m.hwm}); every ` +
      `${(step * o.sampleMs) / 1000} s: ${m.series.filter((_, i) => i % step === 0).join(" ")}`,
  );
  lines.push(
    `after the final reconnect: reflectors matched the simulator ` +
      (report.convergedAfterS === null
        ? "NOT within 60 s"
        : `after ${report.convergedAfterS.toFixed(1)} s`) +
      `; events created ${report.events.created}, in the simulator ${report.events.delivered}` +
      (report.events.missing.length ? ` (missing: ${report.events.missing.join(", ")})` : ""),
  );
  lines.push(
    `agent stop: ${report.agentStop}; ${report.agentLogErrors} error lines in its log` +
      (o.keep ? ` ${report.agentLog}` : ""),
  );
  return lines.join("\n");
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      minutes: { type: "string", default: "5" },
      seed: { type: "string", default: String(DEFAULT_FLAP.seed) },
      pods: { type: "string", default: String(DEFAULT_FLAP.pods) },
      "health-interval-ms": { type: "string", default: String(DEFAULT_FLAP.health.intervalMs) },
      "health-timeout-ms": { type: "string", default: String(DEFAULT_FLAP.health.timeoutMs) },
      "unhealthy-threshold": {
        type: "string",
        default: String(DEFAULT_FLAP.health.unhealthyThreshold),
      },
      "healthy-threshold": {
        type: "string",
        default: String(DEFAULT_FLAP.health.healthyThreshold),
      },
      json: { type: "boolean", default: false },
    },
  });
  const report = await runFlap({
    ...DEFAULT_FLAP,
    durationMs: Number(values.minutes) * 60_000,
    seed: Number(values.seed),
    pods: Number(values.pods),
    health: {
      intervalMs: Number(values["health-interval-ms"]),
      timeoutMs: Number(values["health-timeout-ms"]),
      unhealthyThreshold: Number(values["unhealthy-threshold"]),
      healthyThreshold: Number(values["healthy-threshold"]),
    },
    verbose: true,
    keep: true,
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
  const failures = flapFailures(report);
  for (const failure of failures) console.error(`FAILED: ${failure}`);
  Deno.exit(failures.length === 0 ? 0 : 1);
}
