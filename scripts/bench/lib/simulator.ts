/**
 * Runs the apiserver simulator as its own process (`scripts/apiserver-sim/main.ts`) and drives
 * it through its control API: cut and restore the link, start and stop churn (object changes at
 * a steady rate, which is what watches carry).
 * @module
 */
import { parse } from "yaml";
import type { BenchContext } from "./measure.ts";
import { type BenchProcess, delay, logTail, spawnProcess } from "./processes.ts";

/** Cluster size of a simulator (the simulator's defaults fill in the rest). */
export interface SimulatorScale {
  pods: number;
  nodes?: number;
  services?: number;
  configmaps?: number;
  secrets?: number;
}

/** Changes per second to one resource type; rate 0 stops every churn. */
export interface ChurnRequest {
  resource: string;
  rate: number;
}

/** HTTPS with a bearer token, also trusting client certificates of a further CA. */
export interface SimulatorTls {
  /** PEM file of the further client CA (YurtHub's own certificates). */
  clientCaFile: string;
  /** Where the simulator writes its kubeconfig. */
  kubeconfigPath: string;
}

/** What a TLS simulator's clients need. */
export interface SimulatorCredentials {
  /** The CA that signed the simulator's serving certificate. */
  caCert: string;
  /** A bearer token the simulator accepts. */
  token: string;
}

/** A running simulator process. */
export interface SimulatorHandle {
  proc: BenchProcess;
  /** API base URL. */
  url: string;
  /** Present when started with `tls`. */
  credentials?: SimulatorCredentials;
  /** Control API base URL. */
  controlUrl: string;
  /** `false` drops every connection and refuses new ones; `true` listens again. */
  setLink(up: boolean): Promise<void>;
  /** Starts changing objects at `rate` per second, or (rate 0) stops all changes. */
  mutate(request: ChurnRequest): Promise<void>;
  stop(): Promise<void>;
}

/** A control request the simulator does not answer in this time fails (a saturated simulator). */
const CONTROL_TIMEOUT_MS = 15_000;

interface Announcement {
  url: string;
  controlUrl: string;
  token?: string;
  startMs: number;
}

/** How a bench simulator serves. */
export interface SimulatorServing {
  /** HTTPS with a bearer token and a further client CA. */
  tls?: SimulatorTls;
  /**
   * Gzip large answers for clients that accept gzip, as kube-apiserver does by default. Off
   * unless set: `wrk`, nginx and the agent's `fetch` differ in what they ask for and whether they
   * decompress, so the throughput rows compare proxies on the same uncompressed bytes.
   */
  compression?: boolean;
}

/** Starts a simulator with `scale` and waits for its announcement line. */
export async function startSimulator(
  ctx: BenchContext,
  scale: SimulatorScale,
  serving: SimulatorServing = {},
): Promise<SimulatorHandle> {
  const { tls } = serving;
  const args = ["run", "-A", "scripts/apiserver-sim/main.ts", "--port", "0"];
  if (!serving.compression) args.push("--no-compression");
  for (const [name, value] of Object.entries(scale)) {
    if (value !== undefined) args.push(`--${name}`, String(value));
  }
  if (tls) {
    const token = crypto.randomUUID().replaceAll("-", "");
    args.push("--tls", "--token", token, "--client-ca", tls.clientCaFile);
    args.push("--kubeconfig", tls.kubeconfigPath);
  }
  const proc = await spawnProcess({
    name: "apiserver-sim",
    command: Deno.execPath(),
    args,
    cwd: ctx.repoRoot,
    logDir: `${ctx.runDir}/logs`,
    maxLifetimeMs: 20 * 60_000,
  });
  let announced: Announcement;
  try {
    announced = await announcement(proc, 120_000);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  const control = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${announced.controlUrl}${path}`, {
      method,
      headers: body === undefined ? undefined : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(CONTROL_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`simulator control ${method} ${path}: ${text}`);
  };
  return {
    proc,
    url: announced.url,
    credentials: tls && {
      caCert: await caOf(tls.kubeconfigPath),
      token: announced.token ?? "",
    },
    controlUrl: announced.controlUrl,
    setLink: (up) => control("POST", up ? "/link/up" : "/link/down"),
    mutate: (request) =>
      request.rate > 0 ? control("POST", "/churn", request) : control("DELETE", "/churn"),
    async stop() {
      await proc.stop();
    },
  };
}

/** The CA certificate embedded in a kubeconfig. */
async function caOf(kubeconfigPath: string): Promise<string> {
  const config = parse(await Deno.readTextFile(kubeconfigPath));
  return atob(config.clusters[0].cluster["certificate-authority-data"]);
}

/** Waits for the JSON line the simulator prints once it listens. */
async function announcement(proc: BenchProcess, timeoutMs: number): Promise<Announcement> {
  const deadline = performance.now() + timeoutMs;
  let exited = false;
  proc.exited.then(() => exited = true);
  while (performance.now() < deadline && !exited) {
    const text = await Deno.readTextFile(proc.logFile).catch(() => "");
    const line = text.split("\n").find((l) => l.startsWith('{"url"'));
    if (line) return JSON.parse(line);
    await delay(20);
  }
  throw new Error(`the simulator did not start:\n${await logTail(proc)}`);
}
