/**
 * Offline autonomy end to end: kubectl through holdfast while the simulator's link is cut, across
 * an agent restart, and after the link comes back.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Stack, startStack } from "./harness.ts";
import { testWith } from "./requirements.ts";

/** The tests here that drive kubectl: skipped, saying so, where it is missing. */
const test = testWith("kubectl");

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function mode(stack: Stack): Promise<string> {
  const response = await fetch(`${stack.adminUrl}/v1/status`);
  return (await response.json()).mode;
}

const podNames = (list: { items: { metadata: { name: string } }[] }) =>
  list.items.map((p) => p.metadata.name).sort();

test("offline: kubectl keeps reading through a cut link, a restart, and a reconnect", async () => {
  await using stack = await startStack();
  const online = JSON.parse(await stack.kubectl("get", "pods", "-A", "-o", "json"));
  await stack.kubectl("get", "pod", "-n", "kube-system", "coredns-589f44dc88-4fpns", "-o", "json");
  await stack.agent.shutdown().then(() => stack.restartAgent()); // the cache survives a restart
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");

  const offline = JSON.parse(await stack.kubectl("get", "pods", "-A", "-o", "json"));
  assertEquals(podNames(offline), podNames(online));
  const one = JSON.parse(
    await stack.kubectl(
      "get",
      "pod",
      "-n",
      "kube-system",
      "coredns-589f44dc88-4fpns",
      "-o",
      "json",
    ),
  );
  assertEquals(one.metadata.name, "coredns-589f44dc88-4fpns");
  const selected = JSON.parse(
    await stack.kubectl(
      "get",
      "pods",
      "-A",
      "--field-selector",
      "spec.nodeName=node-1",
      "-o",
      "json",
    ),
  );
  assert(selected.items.length > 0);
  assert(selected.items.every((p: { spec: { nodeName: string } }) => p.spec.nodeName === "node-1"));

  await stack.stopAgent();
  const restarted = performance.now();
  await stack.restartAgent();
  const again = JSON.parse(await stack.kubectl("get", "pods", "-A", "-o", "json"));
  assertEquals(podNames(again), podNames(online));
  console.log(`restart to first offline LIST: ${Math.round(performance.now() - restarted)} ms`);

  const created = stack.sim.objects.create("pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "made-while-offline", namespace: "default" },
    spec: { nodeName: "node-0", containers: [{ name: "c", image: "busybox" }] },
  });
  assert(created);
  await stack.sim.faults.linkUp();
  await waitFor("online mode", async () => (await mode(stack)) === "online");
  const back = JSON.parse(await stack.kubectl("get", "pods", "-A", "-o", "json"));
  assert(podNames(back).includes("made-while-offline"));
});

Deno.test("offline: a never-listed query is a 503 Status with Retry-After", async () => {
  await using stack = await startStack();
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
  const response = await fetch(`${stack.proxyUrl}/api/v1/namespaces/default/configmaps`, {
    headers: { "user-agent": "kubelet/v1.30" },
  });
  assertEquals(response.status, 503);
  const status = await response.json();
  assertEquals([status.kind, status.reason], ["Status", "ServiceUnavailable"]);
  assert(response.headers.get("retry-after"));
});

test("offline: kubectl's table output works offline, from the Table kept for that request", async () => {
  await using stack = await startStack();
  const online = await stack.kubectl("get", "pods", "-A");
  assert(online.includes("coredns-589f44dc88-4fpns"));
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
  const offline = await stack.kubectl("get", "pods", "-A");
  assertEquals(offline, online);
});

test("offline: a Table request with no kept Table is answered with the plain cached list", async () => {
  await using stack = await startStack();
  await stack.kubectl("get", "pods", "-n", "kube-system", "-o", "json");
  await stack.sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");
  const printed = await stack.kubectl("get", "pods", "-n", "kube-system");
  assert(printed.includes("coredns-589f44dc88-4fpns"), printed);
});
