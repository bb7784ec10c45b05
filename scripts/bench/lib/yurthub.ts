/**
 * OpenYurt's YurtHub as the bench's peer, run outside a cluster against the apiserver simulator.
 *
 * YurtHub speaks only HTTPS upstream and, before it serves, needs a client certificate, a
 * serving certificate and the cluster CA under its `--root-dir` (it normally bootstraps them
 * with a bootstrap token and CSRs, which the simulator does not serve). So each session makes
 * its own CA and issues YurtHub the two certificates it would have asked for, lays them out as
 * its certificate stores expect (`pki/yurthub-current.pem`, `pki/yurthub-server-current.pem`,
 * `pki/ca.crt`, `yurthub.conf`), and starts an HTTPS simulator that trusts that CA for client
 * certificates. The certificates satisfy YurtHub's certificate templates, so it requests none.
 * @module
 */
import { kubeconfigYaml } from "../../apiserver-sim/kubeconfig.ts";
import { issue, makeCa } from "../../apiserver-sim/pki.ts";
import type { YurthubBinary } from "../yurthub/build.ts";
import type { BenchContext, Measured, RecordRow } from "./measure.ts";
import {
  type BenchProcess,
  delay,
  freePort,
  logTail,
  readMemory,
  spawnProcess,
  waitForHttp,
} from "./processes.ts";
import { type SimulatorHandle, type SimulatorScale, startSimulator } from "./simulator.ts";
import { startFlood } from "./watch_flood.ts";

/** The node YurtHub runs as: the simulator seeds its Node and Lease. */
export const HUB_NODE = "node-0";
/** The node pool named on the command line (YurtHub requires one; no NodePool object exists). */
export const HUB_POOL = "bench-pool";
/** `default/kubernetes`'s cluster IP in the simulator: YurtHub puts it in its serving cert. */
const KUBERNETES_SERVICE_IP = "10.96.0.1";
/** YurtHub's dummy-interface address, in its serving certificate even with the interface off. */
const DUMMY_IF_IP = "169.254.2.1";

/** PEM files of one session's YurtHub PKI. */
export interface HubPki {
  caFile: string;
  caCert: string;
  /** Client certificate and key (CN `system:node:<node>`, O `openyurt:yurthub`, `system:nodes`). */
  clientCert: string;
  clientKey: string;
  /** Serving certificate and key for YurtHub's HTTPS listeners. */
  serverCert: string;
  serverKey: string;
}

/** Makes a CA in `dir` and issues YurtHub's client and serving certificates from it. */
export async function makeHubPki(dir: string): Promise<HubPki> {
  await Deno.mkdir(dir, { recursive: true });
  await makeCa(dir, "yurthub-bench-ca");
  const leaf = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n";
  await issue(
    dir,
    "hub-client",
    `/O=openyurt:yurthub/O=system:nodes/CN=system:node:${HUB_NODE}`,
    `${leaf}extendedKeyUsage=clientAuth\n`,
  );
  const names = ["kubernetes", "kubernetes.default", "kubernetes.default.svc"]
    .concat("kubernetes.default.svc.cluster.local").map((name) => `DNS:${name}`);
  const ips = ["127.0.0.1", DUMMY_IF_IP, KUBERNETES_SERVICE_IP].map((ip) => `IP:${ip}`);
  await issue(
    dir,
    "hub-server",
    `/O=system:nodes/CN=system:node:${HUB_NODE}`,
    `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=${[...names, ...ips].join(",")}\n`,
  );
  const read = (file: string) => Deno.readTextFile(`${dir}/${file}`);
  return {
    caFile: `${dir}/ca.crt`,
    caCert: await read("ca.crt"),
    clientCert: await read("hub-client.crt"),
    clientKey: await read("hub-client.key"),
    serverCert: await read("hub-server.crt"),
    serverKey: await read("hub-server.key"),
  };
}

/**
 * Lays out YurtHub's `--root-dir` as its token bootstrap leaves it once the certificates are
 * signed: the hub kubeconfig (also given as `--bootstrap-file`), the cluster CA and both
 * certificate stores' current files. YurtHub wipes the folder when `yurthub.conf` names another
 * server, so `server` must be the `--server-addr` it is started with.
 */
export async function writeHubRoot(
  rootDir: string,
  pki: HubPki,
  server: string,
  clusterCa: string,
): Promise<void> {
  await Deno.mkdir(`${rootDir}/pki`, { recursive: true });
  const kubeconfig = kubeconfigYaml({
    server,
    caCert: clusterCa,
    clientCert: pki.clientCert,
    clientKey: pki.clientKey,
  });
  await Deno.writeTextFile(`${rootDir}/yurthub.conf`, kubeconfig);
  await Deno.writeTextFile(`${rootDir}/bootstrap-hub.conf`, kubeconfig);
  await Deno.writeTextFile(`${rootDir}/pki/ca.crt`, clusterCa);
  await Deno.writeTextFile(`${rootDir}/pki/yurthub-current.pem`, pki.clientCert + pki.clientKey);
  await Deno.writeTextFile(
    `${rootDir}/pki/yurthub-server-current.pem`,
    pki.serverCert + pki.serverKey,
  );
}

/** Ports of one YurtHub. */
export interface HubPorts {
  /** Hub server: `/v1/healthz`, `/v1/readyz`, `/metrics`. */
  serve: number;
  /** The plain-HTTP proxy kubelet talks to. */
  proxy: number;
  proxySecure: number;
  multiplexer: number;
}

/** How to start one YurtHub. */
export interface HubOptions {
  /** Upstream `https://host:port` (`--server-addr`). */
  server: string;
  rootDir: string;
  ports: HubPorts;
  /** Seconds between lease heartbeats, which are YurtHub's health checks (default 10). */
  heartbeatIntervalS?: number;
}

/**
 * YurtHub's command line for running outside a cluster (see the README's performance section):
 * edge mode with its disk cache under the root dir, pre-issued certificates (token bootstrap
 * mode finds them and asks for nothing), no dummy interface or iptables (no host networking
 * changes), node pool topology off (the simulator has no NodePool API); every filter stays on.
 */
export function hubArgs(options: HubOptions): string[] {
  const { ports } = options;
  return [
    `--server-addr=${options.server}`,
    `--node-name=${HUB_NODE}`,
    `--nodepool-name=${HUB_POOL}`,
    "--node-ip=127.0.0.1",
    "--working-mode=edge",
    `--root-dir=${options.rootDir}`,
    `--bootstrap-file=${options.rootDir}/bootstrap-hub.conf`,
    `--disk-cache-path=${options.rootDir}/cache`,
    "--bind-address=127.0.0.1",
    `--serve-port=${ports.serve}`,
    "--bind-proxy-address=127.0.0.1",
    `--proxy-port=${ports.proxy}`,
    `--proxy-secure-port=${ports.proxySecure}`,
    `--multiplexer-port=${ports.multiplexer}`,
    "--enable-dummy-if=false",
    "--enable-iptables=false",
    "--enable-node-pool=false",
    `--heartbeat-interval-seconds=${options.heartbeatIntervalS ?? 10}`,
  ];
}

/** Free loopback ports for one YurtHub. */
export function freeHubPorts(): HubPorts {
  return { serve: freePort(), proxy: freePort(), proxySecure: freePort(), multiplexer: freePort() };
}

/** A running YurtHub. */
export interface HubHandle {
  proc: BenchProcess;
  /** The ports it listens on. */
  ports: HubPorts;
  /** Proxy base URL (plain HTTP, as kubelet uses it). */
  url: string;
  /** Hub server base URL. */
  serverUrl: string;
  memory(): ReturnType<typeof readMemory>;
  stop(): Promise<void>;
}

/** Start attempts when a port picked free was taken before YurtHub bound it. */
const HUB_START_ATTEMPTS = 3;

/**
 * Starts YurtHub; unless `waitReady` is false, waits until `/v1/readyz` answers 200. Its ports are
 * picked free before it starts, so another process may take one first: then (when waiting for
 * ready) it starts again on fresh ports; the returned URLs name the ports it got.
 */
export async function startHub(
  ctx: BenchContext,
  binary: string,
  options: HubOptions & { name: string; waitReady?: boolean },
): Promise<HubHandle> {
  let ports = options.ports;
  for (let attempt = 1;; attempt++) {
    const proc = await spawnProcess({
      name: options.name,
      command: binary,
      args: hubArgs({ ...options, ports }),
      logDir: `${ctx.runDir}/logs`,
      maxLifetimeMs: 20 * 60_000,
    });
    const serverUrl = `http://127.0.0.1:${ports.serve}`;
    try {
      if (options.waitReady !== false) {
        await waitForHttp(`${serverUrl}/v1/readyz`, proc, 120_000, 100);
      }
    } catch (error) {
      await proc.stop();
      const taken = (await logTail(proc)).includes("address already in use");
      if (!taken || attempt === HUB_START_ATTEMPTS) throw error;
      ports = freeHubPorts();
      continue;
    }
    return {
      proc,
      ports,
      url: `http://127.0.0.1:${ports.proxy}`,
      serverUrl,
      memory: () => readMemory(proc.pid),
      stop: async () => void await proc.stop(),
    };
  }
}

/**
 * YurtHub's view of the upstream from its `server_healthy_status` gauge: 1 healthy, 0 not,
 * undefined before the first change (the gauge is only set when health flips).
 */
export async function hubUpstreamHealthy(hub: HubHandle): Promise<boolean | undefined> {
  const text = await (await fetch(`${hub.serverUrl}/metrics`)).text();
  const match = text.match(/server_healthy_status\{[^}]*\}\s+(\d+)/);
  return match ? match[1] === "1" : undefined;
}

/** Polls {@linkcode hubUpstreamHealthy} until it equals `healthy` or `timeoutMs` passes. */
export async function waitForHubHealth(
  hub: HubHandle,
  healthy: boolean,
  timeoutMs: number,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    const state = await hubUpstreamHealthy(hub);
    if (state === healthy || (healthy && state === undefined)) return;
    await delay(100);
  }
  throw new Error(`YurtHub did not see the upstream ${healthy ? "healthy" : "down"} in time`);
}

/** The upstream YurtHub talks to, reached directly: its URL, a client trusting its CA, credentials. */
export interface DirectUpstream {
  url: string;
  client: Deno.HttpClient;
  headers: Record<string, string>;
}

/** A simulator and one YurtHub in front of it (or of a flood source), files in one folder. */
export interface HubSession {
  sim: SimulatorHandle;
  hub: HubHandle;
  /** What YurtHub's `--server-addr` names, for direct requests. */
  direct: DirectUpstream;
  /** The folder holding the PKI, the simulator's kubeconfig and YurtHub's root dir. */
  dir: string;
  hubOptions: HubOptions;
  /** Stops YurtHub, the flood source and the simulator and removes the folder. */
  stop(): Promise<void>;
}

/** How to set up one session. */
export interface HubSessionOptions {
  name: string;
  scale: SimulatorScale;
  heartbeatIntervalS?: number;
  /**
   * Put the watch flood source (over HTTPS, at this many events/s) between YurtHub and a plain
   * simulator: pods come from the flood, every other request is forwarded to the simulator.
   */
  floodRate?: number;
}

/** Starts YurtHub's upstream: an HTTPS simulator, or the flood source in front of a simulator. */
async function startUpstream(
  ctx: BenchContext,
  dir: string,
  pki: HubPki,
  options: HubSessionOptions,
  stops: Array<() => Promise<void>>,
): Promise<{ sim: SimulatorHandle; direct: DirectUpstream; clusterCa: string }> {
  if (options.floodRate === undefined) {
    const sim = await startSimulator(ctx, options.scale, {
      tls: { clientCaFile: pki.caFile, kubeconfigPath: `${dir}/sim-kubeconfig.yaml` },
    });
    stops.push(() => sim.stop());
    const { caCert, token } = sim.credentials!;
    const client = Deno.createHttpClient({ caCerts: [caCert] });
    stops.push(() => Promise.resolve(client.close()));
    const direct = { url: sim.url, client, headers: { authorization: `Bearer ${token}` } };
    return { sim, direct, clusterCa: caCert };
  }
  const sim = await startSimulator(ctx, options.scale);
  stops.push(() => sim.stop());
  await issue(
    `${dir}/pki`,
    "flood",
    "/CN=watch-flood",
    "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n" +
      "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n",
  );
  const client = Deno.createHttpClient({ caCerts: [pki.caCert] });
  stops.push(() => Promise.resolve(client.close()));
  const flood = await startFlood(ctx, options.floodRate, {
    tls: { certFile: `${dir}/pki/flood.crt`, keyFile: `${dir}/pki/flood.key`, client },
    fallback: sim.url,
  });
  stops.push(() => flood.stop());
  return { sim, direct: { url: flood.url, client, headers: {} }, clusterCa: pki.caCert };
}

/** Starts YurtHub's upstream and a ready YurtHub in front of it. */
export async function startHubSession(
  ctx: BenchContext,
  binary: string,
  options: HubSessionOptions,
): Promise<HubSession> {
  const dir = `${ctx.runDir}/${options.name}`;
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) await step();
    await Deno.remove(dir, { recursive: true }).catch(() => undefined);
  };
  try {
    const pki = await makeHubPki(`${dir}/pki`);
    const { sim, direct, clusterCa } = await startUpstream(ctx, dir, pki, options, stops);
    const hubOptions: HubOptions = {
      server: direct.url,
      rootDir: `${dir}/root`,
      ports: freeHubPorts(),
      heartbeatIntervalS: options.heartbeatIntervalS,
    };
    await writeHubRoot(hubOptions.rootDir, pki, direct.url, clusterCa);
    const hub = await startHub(ctx, binary, { ...hubOptions, name: options.name });
    stops.push(() => hub.stop());
    hubOptions.ports = hub.ports;
    return { sim, hub, direct, dir, hubOptions, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** How many files `dir` holds at any depth, and the newest one's mtime (0 when none). */
async function scanFiles(dir: string): Promise<{ count: number; newestMs: number }> {
  const found = { count: 0, newestMs: 0 };
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) {
        const inner = await scanFiles(path);
        found.count += inner.count;
        found.newestMs = Math.max(found.newestMs, inner.newestMs);
        continue;
      }
      found.count++;
      const mtime = (await Deno.stat(path).catch(() => undefined))?.mtime?.getTime() ?? 0;
      found.newestMs = Math.max(found.newestMs, mtime);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

/** How long YurtHub's pod cache must go unwritten before it counts as settled. */
const HUB_CACHE_QUIET_MS = 1_000;

/**
 * Waits until YurtHub's disk cache holds at least `pods` of kubelet's pods (one file per object,
 * under `<disk-cache-path>/kubelet/pods.v1.core/<namespace>/`) and no file there changed for
 * {@link HUB_CACHE_QUIET_MS}: YurtHub rewrites every file on each LIST and, while it does, answers
 * an offline LIST of that key with 500 "specified key is under accessing".
 */
export async function waitForHubCache(
  session: HubSession,
  pods: number,
  timeoutMs: number,
): Promise<void> {
  const dir = `${session.hubOptions.rootDir}/cache/kubelet/pods.v1.core`;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { count, newestMs } = await scanFiles(dir);
    if (count >= pods && Date.now() - newestMs >= HUB_CACHE_QUIET_MS) return;
    if (performance.now() >= deadline) {
      throw new Error(`YurtHub's disk cache held ${count} of ${pods} pods, still being written`);
    }
    await delay(200);
  }
}

/** Fills one row's YurtHub cell: a value, or why there is none. */
export type RecordHub = (id: string, value: Measured | string) => void;

/**
 * Runs `measure` with the YurtHub binary and fills the YurtHub cell of `ids`: with the reason
 * when there is no binary, with the failure when `measure` throws, for rows it left empty.
 */
export async function measureHub(
  ctx: BenchContext,
  record: RecordRow,
  ids: readonly string[],
  measure: (binary: string, recordHub: RecordHub) => Promise<void>,
): Promise<void> {
  const binary: YurthubBinary = ctx.yurthub ?? { missing: "not built: no YurtHub in this run" };
  const filled = new Set<string>();
  const recordHub: RecordHub = (id, value) => {
    filled.add(id);
    record(id, { yurthub: value });
  };
  if ("missing" in binary) {
    for (const id of ids) recordHub(id, binary.missing);
    return;
  }
  try {
    await measure(binary.path, recordHub);
  } catch (error) {
    const reason = `failed: ${(error as Error).message.split("\n")[0]}`;
    for (const id of ids) if (!filled.has(id)) recordHub(id, reason);
  }
}
