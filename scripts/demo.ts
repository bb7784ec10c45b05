/**
 * `deno task demo`: holdfast against its embedded default upstream. Starts the apiserver simulator
 * (TLS with a client certificate, so the agent's upstream credentials are exercised), writes a
 * kubeconfig for the agent and one for kubectl, runs the agent (`main.ts run`) with a KV file in a
 * temporary folder, and prints commands to try. Ctrl-C stops everything.
 *
 * Options: `--listen HOST:PORT` (default 127.0.0.1:10261), `--admin-listen HOST:PORT`
 * (default 127.0.0.1:10267), `--pods N` (default 300), `--nodes N` (default 3).
 * @module
 */
import { parseArgs } from "node:util";
import { startSimulator } from "./apiserver-sim/mod.ts";
import { kubeconfigYaml } from "./apiserver-sim/kubeconfig.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    listen: { type: "string", default: "127.0.0.1:10261" },
    "admin-listen": { type: "string", default: "127.0.0.1:10267" },
    pods: { type: "string", default: "300" },
    nodes: { type: "string", default: "3" },
  },
});
const nodeName = "node-0";

const dir = await Deno.makeTempDir({ prefix: "holdfast-demo-" });
const sim = await startSimulator({
  port: 0,
  controlPort: 0,
  tls: true,
  nodeName,
  scale: { pods: Number(values.pods), nodes: Number(values.nodes) },
});
const upstreamKubeconfig = `${dir}/upstream.kubeconfig`;
const clientKubeconfig = `${dir}/kubeconfig`;
await sim.writeKubeconfig(upstreamKubeconfig, { credentials: "certificate" });
await Deno.writeTextFile(clientKubeconfig, kubeconfigYaml({ server: `http://${values.listen}` }));

const agent = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "-A",
    new URL("../main.ts", import.meta.url).pathname,
    "run",
    "--kubeconfig",
    upstreamKubeconfig,
    "--node-name",
    nodeName,
    "--listen",
    values.listen,
    "--admin-listen",
    values["admin-listen"],
    "--cache-path",
    `${dir}/cache.kv`,
    "--cache-agents",
    "*",
    // kubectl brings no credential: let it act as the node from loopback, as the kubelet would.
    "--node-identity-components",
    "*",
    "--health-interval",
    "2s",
    "--health-timeout",
    "1s",
  ],
  stdin: "null",
}).spawn();

console.log(`
holdfast demo
  upstream (simulator): ${sim.url}  (control API ${sim.controlUrl})
  holdfast proxy:       http://${values.listen}
  holdfast admin:       http://${values["admin-listen"]}
  KV file:              ${dir}/cache.kv

Try:
  kubectl --kubeconfig ${clientKubeconfig} get pods -A
  kubectl --kubeconfig ${clientKubeconfig} get pods -A --field-selector spec.nodeName=${nodeName} -w
  deno run -A main.ts status --admin http://${values["admin-listen"]}

Cut the cloud link, then ask again (answered from the cache):
  curl -X POST ${sim.controlUrl}/link/down
  kubectl --kubeconfig ${clientKubeconfig} get pods -A
  curl -X POST ${sim.controlUrl}/link/up

Ctrl-C stops the demo.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  try {
    agent.kill("SIGTERM");
  } catch { /* already gone */ }
  await agent.status;
  await sim.close();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", stop);
Deno.addSignalListener("SIGTERM", stop);
const status = await agent.status;
if (!stopping) {
  console.error(`holdfast exited with code ${status.code}`);
  await sim.close();
  Deno.exit(status.code || 1);
}
