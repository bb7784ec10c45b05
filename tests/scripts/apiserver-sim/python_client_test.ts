/**
 * Debian's python3-kubernetes client (run with /usr/bin/python3) against the simulator over TLS
 * with a client certificate: lists with label and field selectors, and a watch.
 * @module
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import type { Json } from "./helpers.ts";
import { testWith } from "../../requirements.ts";

/** The tests here that drive python3-kubernetes: skipped, saying so, where it is missing. */
const test = testWith("python3-kubernetes");

const script = new URL("./python_client.py", import.meta.url).pathname;

test("python client: selector lists and a watch from a resourceVersion", async () => {
  await using sim = await startSimulator({
    scale: { pods: 40, nodes: 3, namespaces: 2 },
    tls: true,
  });
  const dir = await Deno.makeTempDir({ prefix: "sim-python-" });
  try {
    await sim.writeKubeconfig(`${dir}/kubeconfig`);
    const rv = sim.resourceVersion;
    sim.objects.create("configmaps", { metadata: { name: "py", namespace: "ns-0" }, data: {} });
    sim.objects.patch("configmaps", "py", { data: { a: "1" } }, { namespace: "ns-0" });
    sim.objects.delete("configmaps", "py", "ns-0");
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [script, `${dir}/kubeconfig`, String(rv), "3"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const result = JSON.parse(new TextDecoder().decode(out.stdout));
    const pods = sim.objects.list("pods") as Json[];
    const byLabel = pods.filter((p) =>
      p.metadata.labels?.tier === "cache" && p.metadata.labels?.env !== "staging"
    ).map((p) => p.metadata.name).sort();
    const byField = pods.filter((p) => p.spec.nodeName === "node-1" && p.status.phase === "Running")
      .map((p) => p.metadata.name).sort();
    assert.ok(byLabel.length > 0 && byField.length > 0);
    assert.deepEqual(result.byLabel, byLabel);
    assert.deepEqual(result.byField, byField);
    assert.equal(result.listVersion, String(sim.resourceVersion));
    assert.deepEqual(result.events, [["ADDED", "py"], ["MODIFIED", "py"], ["DELETED", "py"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
