/**
 * The simulator as a program:
 * `deno run -A scripts/apiserver-sim/main.ts --port 0 --pods 10000 --nodes 50 [--tls] [--token T]`.
 * Prints one JSON line with the URLs (and the kubeconfig path with `--kubeconfig`), then serves
 * until interrupted. See `README.md` for every option and the control API.
 * @module
 */
import { Command, Option } from "commander";
import { startSimulator } from "./simulator.ts";

const int = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`not a non-negative integer: ${value}`);
  return n;
};

/** Parses `args`, starts the simulator and serves until SIGINT/SIGTERM. */
export async function main(args: string[]): Promise<void> {
  const program = new Command("apiserver-sim")
    .description("kube-apiserver simulator for holdfast tests, demo and benchmarks")
    .option("--port <n>", "API port (0: a free one)", int, 0)
    .option("--hostname <addr>", "listen address", "127.0.0.1")
    .option("--control-port <n>", "control API port (0: a free one)", int, 0)
    .option("--pods <n>", "pods in all", int)
    .option("--nodes <n>", "nodes", int)
    .option("--namespaces <n>", "generated namespaces", int)
    .option("--services <n>", "generated services (with EndpointSlices)", int)
    .option("--configmaps <n>", "generated configmaps", int)
    .option("--secrets <n>", "generated secrets", int)
    .option("--events <n>", "generated events", int)
    .option("--tls", "serve HTTPS with a generated CA, asking for client certificates")
    .option("--token <token>", "require this bearer token (or a client certificate)")
    .option("--require-client-cert", "reject TLS handshakes without a client certificate")
    .option("--node-name <name>", "client certificate node name", "node-0")
    .option("--client-ca <file>", "also accept client certificates signed by this CA (PEM)")
    .option("--no-compression", "never gzip answers (APIResponseCompression off)")
    .option("--history <n>", "changes kept for watch resumption", int, 50_000)
    .addOption(
      new Option("--bookmark-interval-ms <n>", "watch bookmark interval").argParser(int)
        .default(60_000),
    )
    .option("--kubeconfig <path>", "write a kubeconfig for the simulator here");
  program.parse(args, { from: "user" });
  const o = program.opts();
  const scale = Object.fromEntries(
    ["pods", "nodes", "namespaces", "services", "configmaps", "secrets", "events"]
      .filter((k) => o[k] !== undefined).map((k) => [k, o[k]]),
  );
  const started = performance.now();
  const sim = await startSimulator({
    port: o.port,
    hostname: o.hostname,
    controlPort: o.controlPort,
    scale,
    tls: o.tls,
    token: o.token,
    requireClientCert: o.requireClientCert,
    nodeName: o.nodeName,
    clientCa: o.clientCa ? await Deno.readTextFile(o.clientCa) : undefined,
    compression: o.compression,
    historySize: o.history,
    bookmarkIntervalMs: o.bookmarkIntervalMs,
  });
  if (o.kubeconfig) await sim.writeKubeconfig(o.kubeconfig);
  console.log(JSON.stringify({
    url: sim.url,
    controlUrl: sim.controlUrl,
    kubeconfig: o.kubeconfig,
    token: sim.token,
    resourceVersion: sim.resourceVersion,
    startMs: Math.round(performance.now() - started),
  }));
  const stop = () => sim.close().then(() => Deno.exit(0));
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

if (import.meta.main) await main(Deno.args);
