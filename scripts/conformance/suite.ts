/**
 * The conformance run: client-go (`nodeclient`, four ways) → holdfast → link relay → a real
 * kube-apiserver, in phases:
 *
 * 1. online: answers through holdfast byte-identical to direct ones; the informers hold what the
 *    apiserver holds, also after every open stream is cut mid-body;
 * 2. the link cut (open streams broken, new connections refused): holdfast offline, informers
 *    re-watch through it and keep their state, leases renew locally, events queue, while objects
 *    change upstream; then holdfast restarted with the link blackholed;
 * 3. restored: every informer equals the apiserver again within a bound, leases renew upstream;
 * 4. the link gone silent while online (open streams stall, new connections never answered):
 *    holdfast offline, informers re-watch through it; restored again, equal again;
 * 5. every queued event at the apiserver exactly once; no client error beyond the documented ones.
 * @module
 */
import { ensureBinary, NODECLIENT, planBinary } from "../realcluster/binaries.ts";
import { type RealCluster, startRealCluster } from "../realcluster/cluster.ts";
import { kubeconfigYaml } from "../apiserver-sim/kubeconfig.ts";
import { type Admin, adminClient, informerQueries, PROXY_SELECTOR } from "./apiserver.ts";
import { type Check, Checks } from "./checks.ts";
import { compareAnswers } from "./compare.ts";
import {
  type Holdfast,
  type HoldfastSettings,
  holdfastSettings,
  startHoldfast,
} from "./holdfast.ts";
import { type Nodeclient, startNodeclient, VARIANTS } from "./nodeclient.ts";
import { changeUpstream, changeUpstreamAgain, seed, service } from "./objects.ts";
import { classifyOutcomes } from "./outcomes.ts";
import { type LinkRelay, startLinkRelay } from "./relay.ts";
import {
  eventsDeliveredOnce,
  type State,
  stateKept,
  untilConverged,
  untilEventsQueued,
  untilEventsSent,
  untilLeaseRenewed,
  untilLeaseRenewedUpstream,
  untilMode,
  untilRewatched,
} from "./waits.ts";

/** Deadlines (conditions are awaited; these only bound the wait). */
export const BOUNDS = {
  /** holdfast reports a mode after the link changed, or after a restart. */
  modeMs: 60_000,
  /** Every informer has re-watched; every lease renewed; events queued. */
  rewatchMs: 90_000,
  /** After the link is restored: every informer equals the apiserver, queued events sent. */
  convergeMs: 120_000,
};

/** What to run with. */
export interface SuiteOptions {
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Keep the work folder (logs, cache) even when every check passes. */
  keep?: boolean;
}

/** The result: the checks, and where the logs are when kept. */
export interface SuiteResult {
  checks: Check[];
  ok: boolean;
  /** The work folder, when kept (a check failed, or `keep`). */
  workDir?: string;
  seconds: number;
}

const JSON_TYPE = "application/json";
const PROTOBUF_TYPE = "application/vnd.kubernetes.protobuf";

/** GET paths whose answers must be identical directly and through holdfast. */
const COMPARED_PATHS = [
  "/version",
  "/api",
  "/apis",
  "/api/v1/namespaces/default/services/web",
  "/api/v1/namespaces/default/services/absent",
  `/api/v1/services?labelSelector=${encodeURIComponent(PROXY_SELECTOR)}`,
  `/apis/discovery.k8s.io/v1/endpointslices?labelSelector=${encodeURIComponent(PROXY_SELECTOR)}`,
  "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-a",
  "/api/v1/namespaces/default/pods?limit=2",
  "/api/v1/nodes/node-a",
  "/api/v1/nodes?fieldSelector=metadata.name%3Dnode-a",
  "/api/v1/pods?fieldSelector=spec.bogus%3Dx",
  "/api/v1/namespaces/default/pods?resourceVersion=abc",
];

/** Everything a phase works with. */
interface Bench {
  checks: Checks;
  admin: Admin;
  relay: LinkRelay;
  settings: HoldfastSettings;
  holdfast: Holdfast;
  clients: Nodeclient[];
  /** `performance.now()` marks: the first outage, and holdfast's restart window. */
  marks: { offline: number; restartFrom: number; restartTo: number };
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function phaseOnline(bench: Bench): Promise<boolean> {
  const { checks, admin, clients } = bench;
  const started = await checks.run("holdfast starts online", async () => {
    const took = await untilMode(bench.holdfast, "online", BOUNDS.modeMs);
    return `online ${took.toFixed(1)} s after its admin listener answered`;
  });
  if (!started) return false;
  await checks.run("online: answers byte-identical to direct", async () => {
    const { modeSince } = await bench.holdfast.status();
    const differences: string[] = [];
    for (const path of COMPARED_PATHS) {
      for (const accept of [JSON_TYPE, PROTOBUF_TYPE]) {
        const difference = await compareAnswers(admin, bench.holdfast.url, path, accept);
        if (difference) differences.push(`${path} (${accept}): ${difference}`);
      }
    }
    const after = await bench.holdfast.status();
    if (after.modeSince !== modeSince || after.mode !== "online") {
      throw new Error(`holdfast changed mode while comparing (now ${after.mode})`);
    }
    if (differences.length) throw new Error(differences.join("\n"));
    return `${COMPARED_PATHS.length * 2} GET/LIST answers (${COMPARED_PATHS.length} paths × ` +
      "JSON, protobuf): status, headers but date, audit-id and framing, body bytes";
  });
  const synced = await checks.run("online: informers equal the apiserver", async () => {
    await Promise.all(
      clients.flatMap((client) =>
        Object.keys(informerQueries("x")).map((informer) =>
          client.waitFor(
            (line) => line.event === "synced" && line.informer === informer,
            BOUNDS.rewatchMs,
            0,
            `${informer} synced`,
          )
        )
      ),
    );
    const took = await untilConverged(admin, clients, BOUNDS.convergeMs);
    return `${clients.map((c) => c.variant.name).join(", ")}: pods, node, services, ` +
      `EndpointSlices equal (namespace/name@resourceVersion) ${took.toFixed(1)} s after sync`;
  });
  if (!synced) return false;
  await untilLeaseRenewed(clients, 0, BOUNDS.rewatchMs);
  return await checks.run("online: watches cut mid-stream", async () => {
    const cutAt = performance.now();
    const cut = bench.relay.cut();
    await untilRewatched(clients, cutAt, BOUNDS.rewatchMs);
    await admin.json("POST", "/api/v1/namespaces/default/services", service("cut"));
    const took = await untilConverged(admin, clients, BOUNDS.convergeMs);
    return `${cut} connections cut; every informer re-watched and saw a new service ` +
      `(equal ${took.toFixed(1)} s after it was made)`;
  });
}

async function caches(clients: Nodeclient[]): Promise<Map<Nodeclient, State>> {
  const held = new Map<Nodeclient, State>();
  for (const client of clients) held.set(client, await client.caches());
  return held;
}

async function phaseCut(bench: Bench): Promise<boolean> {
  const { checks, admin, clients, relay } = bench;
  const before = await caches(clients);
  relay.setMode("refuse");
  const cutAt = bench.marks.offline = performance.now();
  const cut = relay.cut();
  const offline = await checks.run("link cut: holdfast goes offline", async () => {
    const took = await untilMode(bench.holdfast, "offline", BOUNDS.modeMs);
    return `${cut} open connections broken mid-stream, new ones refused; offline after ` +
      `${took.toFixed(1)} s`;
  });
  if (!offline) return false;
  await checks.run("offline: upstream changes made directly", () => changeUpstream(admin));
  await checks.run("offline: informers re-watch through holdfast", async () => {
    await untilRewatched(clients, cutAt, BOUNDS.rewatchMs);
    return `every informer of ${clients.length} clients got a 200 watch ${seconds(cutAt)} s ` +
      "after the cut";
  });
  await checks.run("offline: informers keep their state", () => stateKept(clients, before));
  await checks.run("offline: leases renew locally", async () => {
    await untilLeaseRenewed(clients, performance.now(), BOUNDS.rewatchMs);
    return "every client renewed its lease through offline holdfast";
  });
  await checks.run("offline: events queued", async () => {
    const queued = await untilEventsQueued(bench.holdfast, BOUNDS.rewatchMs);
    return `${queued} events queued before the restart`;
  });

  relay.setMode("blackhole");
  const restartAt = bench.marks.restartFrom = performance.now();
  const restarted = await checks.run(
    "offline: holdfast restarts and serves from cache",
    async () => {
      const code = await bench.holdfast.stop();
      if (code !== 0) throw new Error(`holdfast exited ${code} on SIGTERM`);
      bench.holdfast = await startHoldfast(bench.settings);
      bench.marks.restartTo = performance.now();
      const up = seconds(restartAt);
      const took = await untilMode(bench.holdfast, "offline", BOUNDS.modeMs);
      await untilRewatched(clients, restartAt, BOUNDS.rewatchMs);
      return `link blackholed; stopped (exit 0) and started in ${up} s, offline ` +
        `${took.toFixed(1)} s later; every informer re-watched ${
          seconds(restartAt)
        } s after the stop`;
    },
  );
  if (!restarted) return false;
  await checks.run(
    "offline after restart: informers keep their state",
    () => stateKept(clients, before),
  );
  await checks.run("offline after restart: leases renew locally", async () => {
    await untilLeaseRenewed(clients, performance.now(), BOUNDS.rewatchMs);
    return "every client renewed its lease through the restarted holdfast";
  });
  return true;
}

async function phaseRestore(bench: Bench, label: string): Promise<boolean> {
  const { checks, admin, clients } = bench;
  bench.relay.setMode("forward");
  const restoredAt = performance.now();
  const online = await checks.run(`${label}: holdfast back online`, async () => {
    const took = await untilMode(bench.holdfast, "online", BOUNDS.modeMs);
    return `online ${took.toFixed(1)} s after the link was restored`;
  });
  if (!online) return false;
  await checks.run(`${label}: informers equal the apiserver`, async () => {
    await untilConverged(admin, clients, BOUNDS.convergeMs);
    return `all ${clients.length} clients equal ${seconds(restoredAt)} s after the link was ` +
      `restored (bound ${BOUNDS.convergeMs / 1000} s)`;
  });
  return await checks.run(`${label}: leases renewed upstream again`, async () => {
    const since = new Date();
    const took = await untilLeaseRenewedUpstream(admin, since, BOUNDS.convergeMs);
    return `every node's lease at the apiserver renewed ${took.toFixed(1)} s after online`;
  });
}

async function phaseSilent(bench: Bench): Promise<boolean> {
  const { checks, admin, clients } = bench;
  const before = await caches(clients);
  bench.relay.setMode("blackhole");
  const silentAt = performance.now();
  const offline = await checks.run("link silent: holdfast goes offline", async () => {
    const took = await untilMode(bench.holdfast, "offline", BOUNDS.modeMs);
    return `open streams stalled mid-body, new connections never answered; offline after ` +
      `${took.toFixed(1)} s`;
  });
  if (!offline) return false;
  await checks.run("link silent: upstream changes made directly", () => changeUpstreamAgain(admin));
  await checks.run("link silent: informers re-watch through holdfast", async () => {
    await untilRewatched(clients, silentAt, BOUNDS.rewatchMs);
    return `every informer of ${clients.length} clients got a 200 watch ${seconds(silentAt)} s ` +
      "after the link went silent";
  });
  return await checks.run(
    "link silent: informers keep their state",
    () => stateKept(clients, before),
  );
}

async function phaseJudge(bench: Bench): Promise<void> {
  const { checks, admin, clients, marks } = bench;
  await checks.run("queued events arrive exactly once", async () => {
    await untilEventsSent(bench.holdfast, BOUNDS.convergeMs);
    return await eventsDeliveredOnce(admin, clients, marks.offline);
  });
  await checks.run("no errors beyond the documented ones", () => {
    const report = classifyOutcomes(clients, { restart: [marks.restartFrom, marks.restartTo] });
    if (report.unexpected.length) throw new Error(report.unexpected.join("\n"));
    return Promise.resolve(report.summary);
  });
}

/** A kubeconfig file for `server`, with the cluster's CA and administrator credentials if given. */
async function writeKubeconfig(path: string, server: string, cluster?: RealCluster) {
  const credentials = cluster && {
    caCert: cluster.caCert,
    clientCert: await Deno.readTextFile(cluster.pki.admin.certFile!),
    clientKey: await Deno.readTextFile(cluster.pki.admin.keyFile!),
  };
  await Deno.writeTextFile(path, kubeconfigYaml({ server, ...credentials }));
  return path;
}

/** Runs the whole suite. */
export async function runConformance(options: SuiteOptions = {}): Promise<SuiteResult> {
  const log = options.log ?? (() => {});
  const started = performance.now();
  const checks = new Checks();
  const workDir = await Deno.makeTempDir({ prefix: "holdfast-conformance-" });
  let cluster: RealCluster | undefined;
  let admin: Admin | undefined;
  let relay: LinkRelay | undefined;
  let bench: Bench | undefined;
  const clients: Nodeclient[] = [];
  try {
    const nodeclientBinary = (await ensureBinary(await planBinary(NODECLIENT), log)).path;
    cluster = await startRealCluster({ log });
    admin = await adminClient(cluster);
    await seed(admin);
    const apiserver = new URL(cluster.url);
    relay = startLinkRelay({ hostname: apiserver.hostname, port: Number(apiserver.port) });
    const upstream = `${workDir}/upstream.kubeconfig`;
    await writeKubeconfig(upstream, `https://127.0.0.1:${relay.port}`, cluster);
    const settings = holdfastSettings(upstream, workDir);
    const holdfast = await startHoldfast(settings);
    log(`holdfast on ${holdfast.url}, upstream through the relay on port ${relay.port}`);
    const node = await writeKubeconfig(`${workDir}/node.kubeconfig`, holdfast.url);
    for (const variant of VARIANTS) {
      const prefix = `${workDir}/nodeclient-${variant.node}`;
      clients.push(await startNodeclient(nodeclientBinary, node, variant, prefix));
    }
    const marks = { offline: 0, restartFrom: 0, restartTo: 0 };
    bench = { checks, admin, relay, settings, holdfast, clients, marks };
    const completed = await phaseOnline(bench) && await phaseCut(bench) &&
      await phaseRestore(bench, "restored") && await phaseSilent(bench) &&
      await phaseRestore(bench, "restored again");
    if (completed) await phaseJudge(bench);
  } catch (error) {
    await checks.run("suite ran to the end", () => Promise.reject(error));
  }
  for (const client of clients) await client.stop();
  await bench?.holdfast.stop().catch(() => undefined);
  await relay?.close();
  admin?.close();
  await cluster?.close();
  const keep = options.keep || !checks.ok;
  if (!keep) await Deno.remove(workDir, { recursive: true }).catch(() => undefined);
  return {
    checks: checks.list,
    ok: checks.ok,
    workDir: keep ? workDir : undefined,
    seconds: (performance.now() - started) / 1000,
  };
}
