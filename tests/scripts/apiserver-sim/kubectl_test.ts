/**
 * kubectl (/usr/bin/kubectl) against the simulator over TLS, through a kubeconfig with the CA,
 * a client certificate and a bearer token.
 * @module
 */
import assert from "node:assert/strict";
import { type Simulator, startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import type { Json } from "./helpers.ts";
import { testWith } from "../../requirements.ts";

/** The tests here that drive kubectl: skipped, saying so, where it is missing. */
const test = testWith("kubectl");

const scale = { pods: 30, nodes: 3, namespaces: 2, services: 3 };

async function withKubectl(
  fn: (
    kubectl: (...args: string[]) => Promise<string>,
    sim: Simulator,
    dir: string,
  ) => Promise<void>,
) {
  await using sim = await startSimulator({ scale, tls: true, token: true });
  const dir = await Deno.makeTempDir({ prefix: "sim-kubectl-" });
  try {
    await sim.writeKubeconfig(`${dir}/kubeconfig`);
    const kubectl = async (...args: string[]) => {
      const out = await new Deno.Command("kubectl", {
        args: [`--kubeconfig=${dir}/kubeconfig`, `--cache-dir=${dir}/cache`, ...args],
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      if (!out.success) {
        throw new Error(`kubectl ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
      }
      return text;
    };
    await fn(kubectl, sim, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

test("kubectl: get prints the server's table", async () => {
  await withKubectl(async (kubectl) => {
    const out = await kubectl("get", "pods", "-n", "kube-system");
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE/);
    assert.match(out, /coredns-589f44dc88-4fpns\s+1\/1\s+Running/);
  });
});

test("kubectl: get -o json with a label selector", async () => {
  await withKubectl(async (kubectl, sim) => {
    const list = JSON.parse(
      await kubectl("get", "pods", "-A", "-l", "tier in (cache),env!=staging", "-o", "json"),
    );
    const expected = (sim.objects.list("pods") as Json[])
      .filter((p) => p.metadata.labels?.tier === "cache" && p.metadata.labels?.env !== "staging")
      .map((p) => p.metadata.name).sort();
    assert.ok(expected.length > 0);
    assert.deepEqual(list.items.map((p: Json) => p.metadata.name).sort(), expected);
  });
});

test("kubectl: get with a field selector", async () => {
  await withKubectl(async (kubectl) => {
    const out = await kubectl(
      "get",
      "pods",
      "-A",
      "--field-selector",
      "spec.nodeName=node-2",
      "-o",
      "jsonpath={.items[*].spec.nodeName}",
    );
    const nodes = out.trim().split(" ");
    assert.ok(nodes.length > 0);
    assert.ok(nodes.every((n) => n === "node-2"));
  });
});

test("kubectl: get --raw returns the object's JSON", async () => {
  await withKubectl(async (kubectl) => {
    const service = JSON.parse(
      await kubectl("get", "--raw", "/api/v1/namespaces/default/services/kubernetes"),
    );
    assert.deepEqual([service.kind, service.spec.clusterIP], ["Service", "10.96.0.1"]);
  });
});

test("kubectl: apply creates, then updates with a patch", async () => {
  await withKubectl(async (kubectl, sim, dir) => {
    const manifest = (value: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: ns-0\ndata:\n  key: ${value}\n`;
    await Deno.writeTextFile(`${dir}/cm.yaml`, manifest("one"));
    assert.match(await kubectl("apply", "-f", `${dir}/cm.yaml`), /configmap\/applied created/);
    await Deno.writeTextFile(`${dir}/cm.yaml`, manifest("two"));
    assert.match(await kubectl("apply", "-f", `${dir}/cm.yaml`), /configmap\/applied configured/);
    const stored = sim.objects.get("configmaps", "applied", "ns-0") as Json;
    assert.equal(stored.data.key, "two");
    assert.ok(stored.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
  });
});

test("kubectl: patch (merge and json) and delete", async () => {
  await withKubectl(async (kubectl, sim) => {
    await kubectl(
      "patch",
      "configmap",
      "config-0",
      "-n",
      "ns-0",
      "-p",
      '{"data":{"merged":"yes"}}',
    );
    await kubectl(
      "patch",
      "configmap",
      "config-0",
      "-n",
      "ns-0",
      "--type=json",
      "-p",
      '[{"op":"remove","path":"/data/index"}]',
    );
    const patched = sim.objects.get("configmaps", "config-0", "ns-0") as Json;
    assert.equal(patched.data.merged, "yes");
    assert.equal(patched.data.index, undefined);
    assert.match(await kubectl("delete", "configmap", "config-0", "-n", "ns-0"), /deleted/);
    assert.equal(sim.objects.get("configmaps", "config-0", "ns-0"), undefined);
  });
});

test("kubectl: get -w prints a change made while watching", async () => {
  await withKubectl(async (_kubectl, sim, dir) => {
    const child = new Deno.Command("kubectl", {
      args: [
        `--kubeconfig=${dir}/kubeconfig`,
        `--cache-dir=${dir}/cache`,
        "get",
        "configmaps",
        "-n",
        "ns-0",
        "-w",
        "--output-watch-events",
      ],
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    let patched = false;
    try {
      while (!/MODIFIED\s+config-0/.test(seen)) {
        const { done, value } = await lines.read();
        if (done) break;
        seen += value;
        if (!patched && /kube-root-ca\.crt/.test(seen)) {
          patched = true;
          for (let i = 0; i < 200 && sim.watchCount === 0; i++) {
            await new Promise((r) => setTimeout(r, 10));
          }
          sim.objects.patch("configmaps", "config-0", { data: { w: "1" } }, { namespace: "ns-0" });
        }
      }
    } finally {
      child.kill();
      await lines.cancel();
      await child.status;
    }
    assert.match(seen, /ADDED\s+config-0/);
    assert.match(seen, /MODIFIED\s+config-0/);
  });
});
