/**
 * `deno task realcluster`: a real etcd + kube-apiserver on loopback. Builds the binaries on first
 * use (cached under `~/.cache/holdfast/realcluster/`), starts both with a fresh PKI in a temporary
 * folder, waits for `/readyz`, prints the kubeconfigs and the commands to try, and on Ctrl-C (or
 * SIGTERM) stops both and removes the folder.
 *
 * Options: `--port N` (kube-apiserver, default a free port), `--etcd-port N`, `--node-name NAME`
 * (default `node-0`), `--jobs N` (`go build -p`, default 1), `--json` (print one JSON line instead
 * of the text), `--build-only` (build or reuse the binaries, the client-go `nodeclient` too, print
 * their paths and build commands, and exit).
 * @module
 */
import { parseArgs } from "node:util";
import {
  describeBuild,
  ensureBinary,
  ETCD,
  KUBE_APISERVER,
  NODECLIENT,
  planBinary,
} from "./binaries.ts";
import { startRealCluster } from "./cluster.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    port: { type: "string", default: "0" },
    "etcd-port": { type: "string", default: "0" },
    "node-name": { type: "string", default: "node-0" },
    jobs: { type: "string", default: "1" },
    json: { type: "boolean", default: false },
    "build-only": { type: "boolean", default: false },
  },
});

function count(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`realcluster: --${name} must be an integer ≥ ${min}, got "${text}"`);
    Deno.exit(2);
  }
  return value;
}

const jobs = count("jobs", values.jobs, 1);
const log = (line: string) => console.error(`realcluster: ${line}`);

if (values["build-only"]) {
  for (const binary of [ETCD, KUBE_APISERVER, NODECLIENT]) {
    const plan = await planBinary(binary, jobs);
    const ensured = await ensureBinary(plan, log);
    const how = ensured.builtSeconds === undefined
      ? "cached"
      : `built in ${ensured.builtSeconds.toFixed(0)} s`;
    console.log(`${binary.name} ${plan.version}: ${plan.path} (${how})\n  ${describeBuild(plan)}`);
  }
  Deno.exit(0);
}

const cluster = await startRealCluster({
  port: count("port", values.port, 0),
  etcdPort: count("etcd-port", values["etcd-port"], 0),
  nodeName: values["node-name"],
  jobs,
  log,
});

const { url, dir, kubeconfigs, versions } = cluster;
if (values.json) {
  console.log(
    JSON.stringify({ url, dir, kubeconfigs, versions, startSeconds: cluster.startSeconds }),
  );
} else {
  const holdfast = new URL("../../main.ts", import.meta.url).pathname;
  console.log(`
real control plane: kube-apiserver ${versions.kubeApiserver}, etcd ${versions.etcd}
  kube-apiserver  ${url}  (ready ${cluster.startSeconds.toFixed(1)} s after etcd started)
  admin           ${kubeconfigs.admin}  (holdfast-admin, system:masters, client certificate)
  node            ${kubeconfigs.node}  (system:node:${values["node-name"]}, client certificate)
  kube-proxy      ${kubeconfigs.kubeProxy}  (system:kube-proxy, token)
  logs            ${dir}/kube-apiserver.log, ${dir}/etcd.log

Try:
  kubectl --kubeconfig ${kubeconfigs.admin} get namespaces

Through holdfast (listens on http://127.0.0.1:10261):
  deno run -A ${holdfast} run --server ${url} --kubeconfig ${kubeconfigs.admin} --cache-path ${dir}/holdfast.kv
  kubectl --server http://127.0.0.1:10261 get namespaces

Ctrl-C stops both and removes ${dir}.
`);
}

let stopping = false;
const stop = async (code: number) => {
  if (stopping) return;
  stopping = true;
  await cluster.close();
  Deno.exit(code);
};
Deno.addSignalListener("SIGINT", () => stop(0));
Deno.addSignalListener("SIGTERM", () => stop(0));
const name = await cluster.exited;
if (!stopping) {
  const tail = (await Deno.readTextFile(`${dir}/${name}.log`).catch(() => "")).trimEnd()
    .split("\n").slice(-25).join("\n");
  log(`${name} exited on its own; the end of its log:\n${tail}`);
  await stop(1);
}
