/**
 * A real control plane on loopback: etcd and kube-apiserver (built or reused by `binaries.ts`),
 * with a fresh PKI, service-account keys and token file in a temporary folder, kubeconfigs for
 * each identity, and a `close()` that stops both processes and removes the folder.
 * @module
 */
import { kubeconfigYaml } from "../apiserver-sim/kubeconfig.ts";
import { ensureBinary, ETCD, KUBE_APISERVER, planBinary } from "./binaries.ts";
import { type ClusterPki, type Identity, makeClusterPki, SERVICE_CIDR } from "./pki.ts";

/** How to start the cluster. */
export interface RealClusterOptions {
  /** kube-apiserver's secure port on 127.0.0.1 (0 or absent: a free port). */
  port?: number;
  /** etcd's client port on 127.0.0.1 (0 or absent: a free port). */
  etcdPort?: number;
  /** The node whose credentials are made (default `node-0`). */
  nodeName?: string;
  /** `go build -p` when a binary must be built (default 1). */
  jobs?: number;
  /** Bound on waiting for `/readyz` (default 180 s). */
  readyTimeoutMs?: number;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

/** A running cluster. */
export interface RealCluster extends AsyncDisposable {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** The temporary folder holding data, credentials, kubeconfigs and logs. */
  dir: string;
  versions: { kubeApiserver: string; etcd: string };
  pki: ClusterPki;
  /** The CA certificate (PEM) that signed the serving certificate. */
  caCert: string;
  /** Kubeconfig paths: administrator and node by client certificate, kube-proxy by token. */
  kubeconfigs: { admin: string; node: string; kubeProxy: string };
  /** Seconds from starting etcd to kube-apiserver's `/readyz` answering 200. */
  startSeconds: number;
  /** Resolves with the name of the first process that exits (on its own, or by `close`). */
  exited: Promise<string>;
  /** Stops kube-apiserver and etcd and removes `dir`; safe to call twice. */
  close(): Promise<void>;
}

/** A port on 127.0.0.1 free at the moment of asking. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr;
  listener.close();
  return port;
}

interface Process {
  name: string;
  logFile: string;
  child: Deno.ChildProcess;
  exited: () => boolean;
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 20_000;

async function spawn(name: string, path: string, args: string[], dir: string): Promise<Process> {
  const logFile = `${dir}/${name}.log`;
  const file = await Deno.open(logFile, { write: true, create: true, truncate: true });
  const child = new Deno.Command(path, { args, stdin: "null", stdout: "null", stderr: "piped" })
    .spawn();
  const piped = child.stderr.pipeTo(file.writable).catch(() => {});
  let done = false;
  const status = child.status.finally(() => done = true);
  return {
    name,
    logFile,
    child,
    exited: () => done,
    async stop() {
      if (!done) {
        child.kill("SIGTERM");
        let timer: ReturnType<typeof setTimeout> | undefined;
        const killed = new Promise<void>((resolve) => {
          timer = setTimeout(() => {
            if (!done) child.kill("SIGKILL");
            resolve();
          }, STOP_GRACE_MS);
        });
        await Promise.race([status, killed]);
        clearTimeout(timer);
      }
      await status;
      await piped;
    },
  };
}

async function logTail(path: string, lines = 25): Promise<string> {
  const text = await Deno.readTextFile(path).catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Polls `probe` until it resolves true, failing when `proc` exits or `deadline` passes. */
async function waitUntil(
  what: string,
  proc: Process,
  deadline: number,
  probe: () => Promise<boolean>,
): Promise<void> {
  while (true) {
    if (proc.exited()) {
      throw new Error(`${proc.name} exited while ${what}:\n${await logTail(proc.logFile)}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(`timed out ${what}; ${proc.name} log:\n${await logTail(proc.logFile)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function etcdArgs(dir: string, clientPort: number, peerPort: number): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    "--name=realcluster",
    `--data-dir=${dir}/etcd`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=realcluster=${peer}`,
    "--log-level=warn",
    // A throw-away cluster in a temporary folder: durability buys nothing here.
    "--unsafe-no-fsync",
  ];
}

function apiserverArgs(dir: string, pki: ClusterPki, port: number, etcdPort: number): string[] {
  return [
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${port}`,
    `--cert-dir=${dir}/apiserver-certs`,
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    `--client-ca-file=${pki.caFile}`,
    `--tls-cert-file=${pki.serverCertFile}`,
    `--tls-private-key-file=${pki.serverKeyFile}`,
    `--token-auth-file=${pki.tokenFile}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
    `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    "--allow-privileged=true",
    // The advertised address is loopback, which an EndpointSlice may not hold.
    "--endpoint-reconciler-type=none",
    "--profiling=false",
  ];
}

async function writeKubeconfig(
  path: string,
  server: string,
  caCert: string,
  id: Identity,
  byToken: boolean,
): Promise<string> {
  const material = byToken ? { token: id.token } : {
    clientCert: await Deno.readTextFile(id.certFile!),
    clientKey: await Deno.readTextFile(id.keyFile!),
  };
  await Deno.writeTextFile(
    path,
    kubeconfigYaml({ server, caCert, name: "realcluster", ...material }),
  );
  return path;
}

/** Builds or reuses the binaries, then starts etcd and kube-apiserver and waits for `/readyz`. */
export async function startRealCluster(options: RealClusterOptions = {}): Promise<RealCluster> {
  const log = options.log ?? (() => {});
  const [etcdPlan, apiserverPlan] = await Promise.all([
    planBinary(ETCD, options.jobs),
    planBinary(KUBE_APISERVER, options.jobs),
  ]);
  const etcdBinary = await ensureBinary(etcdPlan, log);
  const apiserverBinary = await ensureBinary(apiserverPlan, log);

  const dir = await Deno.makeTempDir({ prefix: "holdfast-realcluster-" });
  const processes: Process[] = [];
  let client: Deno.HttpClient | undefined;
  let closed: Promise<void> | undefined;
  const close = () =>
    closed ??= (async () => {
      client?.close();
      for (const proc of processes.reverse()) await proc.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    })();

  try {
    const nodeName = options.nodeName ?? "node-0";
    const pki = await makeClusterPki(dir, nodeName);
    const caCert = await Deno.readTextFile(pki.caFile);
    const etcdPort = options.etcdPort || freePort();
    const port = options.port || freePort();
    const url = `https://127.0.0.1:${port}`;
    const deadline = Date.now() + (options.readyTimeoutMs ?? 180_000);
    const started = performance.now();

    const etcd = await spawn("etcd", etcdBinary.path, etcdArgs(dir, etcdPort, freePort()), dir);
    processes.push(etcd);
    await waitUntil("waiting for etcd's /health", etcd, deadline, async () => {
      const response = await fetch(`http://127.0.0.1:${etcdPort}/health`, {
        signal: AbortSignal.timeout(2_000),
      });
      const body = await response.text();
      return response.ok && body.includes('"health":"true"');
    });
    log(`etcd ${etcdBinary.version} serving on http://127.0.0.1:${etcdPort}`);

    const apiserver = await spawn(
      "kube-apiserver",
      apiserverBinary.path,
      apiserverArgs(dir, pki, port, etcdPort),
      dir,
    );
    processes.push(apiserver);
    client = Deno.createHttpClient({ caCerts: [caCert] });
    const httpClient = client;
    await waitUntil("waiting for kube-apiserver's /readyz", apiserver, deadline, async () => {
      const response = await fetch(`${url}/readyz`, {
        client: httpClient,
        headers: { authorization: `Bearer ${pki.admin.token}` },
        signal: AbortSignal.timeout(2_000),
      });
      await response.body?.cancel();
      return response.status === 200;
    });
    const startSeconds = (performance.now() - started) / 1000;
    log(`kube-apiserver ${apiserverBinary.version} ready on ${url} (${startSeconds.toFixed(1)} s)`);

    const exited = Promise.race(processes.map((p) => p.child.status.then(() => p.name)));
    const kubeconfigs = {
      admin: await writeKubeconfig(`${dir}/admin.kubeconfig`, url, caCert, pki.admin, false),
      node: await writeKubeconfig(`${dir}/node.kubeconfig`, url, caCert, pki.node, false),
      kubeProxy: await writeKubeconfig(
        `${dir}/kube-proxy.kubeconfig`,
        url,
        caCert,
        pki.kubeProxy,
        true,
      ),
    };
    return {
      url,
      dir,
      versions: { kubeApiserver: apiserverBinary.version, etcd: etcdBinary.version },
      pki,
      caCert,
      kubeconfigs,
      startSeconds,
      exited,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
