/**
 * Both servers of the differential comparison, started side by side: a real kube-apiserver with
 * etcd (`scripts/realcluster/`, binaries built or reused from the cache) and a simulator with
 * TLS and the same bearer token, seeded as small as it goes. Each side can compact its history:
 * etcd through its HTTP gateway (`/v3/kv/compaction` at the current revision), the simulator
 * through its handle.
 * @module
 */
import { freePort, type RealCluster, startRealCluster } from "../../realcluster/cluster.ts";
import { type Simulator, startSimulator } from "../simulator.ts";
import type { Side } from "./compare.ts";

/** The two servers, with a `close` for both. */
export interface Servers extends AsyncDisposable {
  cluster: RealCluster;
  simulator: Simulator;
  real: Side;
  sim: Side;
  /** The administrator's bearer token, accepted by both. */
  token: string;
  /** Kubeconfigs for client-go: the administrator on each. */
  kubeconfigs: { real: string; simulator: string };
  close(): Promise<void>;
}

async function etcdCall(
  port: number,
  path: string,
  body: unknown,
): Promise<{ header: { revision: string } }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`etcd ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Compacts etcd at its current revision and waits until kube-apiserver has seen it. */
async function compactEtcd(port: number): Promise<void> {
  const range = await etcdCall(port, "/v3/kv/range", { key: btoa("/") });
  const revision = range.header.revision;
  await etcdCall(port, "/v3/kv/compaction", { revision, physical: true });
}

/** Starts both servers; `log` gets progress lines. */
export async function startServers(log: (line: string) => void = () => {}): Promise<Servers> {
  const etcdPort = freePort();
  const cluster = await startRealCluster({ etcdPort, log });
  let simulator: Simulator;
  try {
    simulator = await startSimulator({
      tls: true,
      token: cluster.pki.admin.token,
      scale: {
        pods: 0,
        nodes: 1,
        namespaces: 0,
        services: 0,
        configmaps: 0,
        secrets: 0,
        events: 0,
      },
    });
  } catch (error) {
    await cluster.close();
    throw error;
  }
  const token = cluster.pki.admin.token;
  const hostname = "127.0.0.1";
  const simulatorKubeconfig = `${cluster.dir}/simulator.kubeconfig`;
  await simulator.writeKubeconfig(simulatorKubeconfig, { credentials: "token" });
  const close = async () => {
    await simulator.close();
    await cluster.close();
  };
  return {
    cluster,
    simulator,
    token,
    kubeconfigs: { real: cluster.kubeconfigs.admin, simulator: simulatorKubeconfig },
    real: {
      target: {
        hostname,
        port: Number(new URL(cluster.url).port),
        caCerts: [cluster.caCert],
        token,
      },
      compact: () => compactEtcd(etcdPort),
    },
    sim: {
      target: { hostname, port: simulator.port, caCerts: [simulator.tls!.caCert], token },
      compact: () => Promise.resolve(simulator.compact()),
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
