/**
 * The agent end to end with a real client: kubectl through holdfast against the simulator
 * (upstream over TLS with a client certificate).
 */
import { assert, assertEquals } from "./assert.ts";
import { startStack } from "./harness.ts";
import { CacheStore } from "../src/cache/store.ts";
import { EventQueue } from "../src/node/event_queue.ts";
import { formatStatus } from "../src/cli/status_format.ts";
import { testWith } from "./requirements.ts";

/** The tests here that drive kubectl: skipped, saying so, where it is missing. */
const test = testWith("kubectl");

test("agent: kubectl lists, gets, creates, patches and deletes through holdfast", async () => {
  await using stack = await startStack();
  const pods = JSON.parse(await stack.kubectl("get", "pods", "-A", "-o", "json"));
  assertEquals(pods.kind, "List");
  assertEquals(pods.items.length, stack.sim.objects.list("pods").length);

  const node = JSON.parse(await stack.kubectl("get", "node", "node-0", "-o", "json"));
  assertEquals(node.metadata.name, "node-0");

  const manifest = `${stack.dir}/cm.json`;
  await Deno.writeTextFile(
    manifest,
    JSON.stringify({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "through-holdfast", namespace: "default" },
      data: { a: "1" },
    }),
  );
  await stack.kubectl("apply", "-f", manifest);
  assertEquals(stack.sim.objects.get("configmaps", "through-holdfast", "default")?.data, {
    a: "1",
  });

  await stack.kubectl(
    "patch",
    "configmap",
    "through-holdfast",
    "-n",
    "default",
    "--type",
    "merge",
    "-p",
    '{"data":{"b":"2"}}',
  );
  assertEquals(stack.sim.objects.get("configmaps", "through-holdfast", "default")?.data, {
    a: "1",
    b: "2",
  });

  await stack.kubectl("delete", "configmap", "through-holdfast", "-n", "default");
  assertEquals(stack.sim.objects.get("configmaps", "through-holdfast", "default"), undefined);
});

test("agent: kubectl get -w sees changes made upstream, through holdfast", async () => {
  await using stack = await startStack();
  const watch = new Deno.Command("kubectl", {
    args: [
      `--kubeconfig=${stack.kubeconfig}`,
      `--cache-dir=${stack.dir}/kubectl-cache`,
      "get",
      "configmaps",
      "-n",
      "default",
      "-w",
      "-o",
      "name",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const lines = watch.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const waitFor = async (text: string) => {
    while (!seen.includes(text)) {
      const { value, done } = await lines.read();
      if (done) throw new Error(`watch ended before ${text}: ${seen}`);
      seen += value;
    }
  };
  // Create the object only once kubectl's watch is open upstream, so the event comes by watch.
  while (stack.sim.watchCount === 0) await new Promise((r) => setTimeout(r, 20));
  stack.sim.objects.create("configmaps", {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "watched-one", namespace: "default" },
  });
  await waitFor("configmap/watched-one");
  watch.kill("SIGTERM");
  await lines.cancel();
  await watch.status;
  assert(seen.includes("configmap/watched-one"));
});

Deno.test("agent: a query with a selector longer than a KV key is cached, and so is the next", async () => {
  await using stack = await startStack();
  const headers = { "user-agent": "kubelet/v1.30.0" };
  const selector = Array.from({ length: 150 }, (_, i) => `label-key-number-${i}!=value-${i}`).join(
    ",",
  );
  const hostile = await fetch(
    `${stack.proxyUrl}/api/v1/pods?labelSelector=${encodeURIComponent(selector)}`,
    { headers },
  );
  assertEquals(hostile.status, 200);
  assertEquals((await hostile.json()).kind, "PodList");
  const normal = await fetch(`${stack.proxyUrl}/api/v1/namespaces/kube-system/pods`, { headers });
  await normal.body?.cancel();
  await stack.stopAgent();
  await using store = await CacheStore.open(stack.config.cachePath, { readOnly: true });
  const records = await store.queries("kubelet", { group: "", version: "v1", resource: "pods" });
  const complete = records.filter((r) => r.complete);
  assertEquals(complete.length, 2);
  assertEquals(complete.find((r) => r.labelSelector !== "")?.labelSelector.length, selector.length);
  assert(complete.some((r) => r.namespace === "kube-system"));
});

Deno.test("agent: an event queued while online is delivered without waiting for an outage", async () => {
  await using stack = await startStack();
  const online = async () => (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode;
  while (await online() !== "online") await new Promise((r) => setTimeout(r, 50));
  // As a local answer queues it when its forward failed before the health checks noticed.
  using kv = await Deno.openKv(stack.config.cachePath);
  const event = {
    kind: "Event",
    apiVersion: "v1",
    metadata: { name: "queued-online", namespace: "default" },
    involvedObject: { kind: "Node", name: "node-0" },
    reason: "Test",
  };
  await new EventQueue(kv).enqueue({
    path: "/api/v1/namespaces/default/events",
    contentType: "application/json",
    userAgent: "kubelet/v1.30.0",
    body: new TextEncoder().encode(JSON.stringify(event)),
    queuedAt: Date.now(),
  });
  const deadline = Date.now() + 20_000;
  while (!stack.sim.objects.get("events", "queued-online", "default")) {
    assert(Date.now() < deadline, "the queued event never reached the apiserver");
    await new Promise((r) => setTimeout(r, 50));
  }
});

test("agent: status shows what cache ls shows after kubectl's lists (the demo's flow)", async () => {
  await using stack = await startStack({ config: { cacheAgents: ["*"] } });
  await stack.kubectl("get", "pods", "-A");
  await stack.kubectl("get", "configmaps", "-n", "default");
  const admin = async (path: string) => await (await fetch(`${stack.adminUrl}${path}`)).json();
  let status = await admin("/v1/status");
  const deadline = Date.now() + 10_000;
  while (!status.documents.some((d: { kind: string }) => d.kind === "table")) {
    assert(Date.now() < deadline, `kubectl's tables never showed: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 50));
    status = await admin("/v1/status");
  }
  const ls = await admin("/v1/cache/ls");
  assertEquals(status.documents, ls.documents);
  assertEquals(
    status.cache.map((c: { component: string; resource: string }) => [c.component, c.resource]),
    ls.resources.map((r: { component: string; resource: string }) => [r.component, r.resource]),
  );
  assertEquals(status.queries, ls.queries);
  assertEquals(status.events.queued, 0);
  const tables = status.documents.find((d: { component: string }) => d.component === "kubectl");
  assertEquals([tables.kind, tables.documents], ["table", 2]);
  assert(!formatStatus(status).includes("cache: empty"), formatStatus(status));
});
