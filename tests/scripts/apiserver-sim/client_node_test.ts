/**
 * `@kubernetes/client-node`'s informer (ListWatch) with a field selector, over TLS with a client
 * certificate: it syncs, then sees ADDED, MODIFIED and DELETED made through the handle.
 * @module
 */
import assert from "node:assert/strict";
import * as k8s from "@kubernetes/client-node";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";

Deno.test("client-node: a field-selected informer syncs and follows changes", async () => {
  await using sim = await startSimulator({ scale: { pods: 30, nodes: 3 }, tls: true });
  const config = new k8s.KubeConfig();
  config.loadFromString(sim.kubeconfig());
  const api = config.makeApiClient(k8s.CoreV1Api);
  const selector = "spec.nodeName=node-1";
  const informer = new k8s.ListWatch<k8s.V1Pod>(
    "/api/v1/pods",
    new k8s.Watch(config),
    () => api.listPodForAllNamespaces({ fieldSelector: selector }),
    false,
    undefined,
    selector,
  );
  const seen: string[] = [];
  let notify = () => {};
  for (const verb of ["add", "update", "delete"] as const) {
    informer.on(verb, (pod) => {
      seen.push(`${verb} ${pod.metadata?.name}`);
      notify();
    });
  }
  try {
    await informer.start();
    const expected = sim.objects.list("pods").filter((p) =>
      (p.spec as { nodeName?: string }).nodeName === "node-1"
    );
    assert.equal(informer.list().length, expected.length);
    for (let i = 0; i < 100 && sim.watchCount === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    seen.length = 0;
    const done = new Promise<void>((resolve) => (notify = () => seen.length >= 3 && resolve()));
    sim.objects.create("pods", {
      metadata: { name: "informed", namespace: "ns-0" },
      spec: { nodeName: "node-1", containers: [{ name: "c", image: "busybox" }] },
    });
    sim.objects.create("pods", {
      metadata: { name: "elsewhere", namespace: "ns-0" },
      spec: { nodeName: "node-2", containers: [{ name: "c", image: "busybox" }] },
    });
    sim.objects.patch("pods", "informed", { metadata: { labels: { changed: "yes" } } }, {
      namespace: "ns-0",
    });
    sim.objects.delete("pods", "informed", "ns-0");
    await done;
    assert.deepEqual(seen, ["add informed", "update informed", "delete informed"]);
    assert.equal(
      sim.requests.recent({ path: "/api/v1/pods" }).at(-1)!.identity,
      "cert:system:node:node-0",
    );
  } finally {
    await informer.stop();
  }
});
