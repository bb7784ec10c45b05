/**
 * A link that goes silent (packets dropped, nothing refused): a watch proxied before it went
 * silent must not stall until its timeout once the agent is offline; it ends, so that its client
 * re-watches and is answered from the cache.
 */
import { assertEquals } from "./assert.ts";
import { startStack, waitFor } from "./harness.ts";

const PODS = "/api/v1/namespaces/default/pods";
const KUBELET = { "user-agent": "kubelet/v1.31.0 (linux/amd64) kubernetes/test" };

async function mode(adminUrl: string): Promise<string> {
  return (await (await fetch(`${adminUrl}/v1/status`)).json()).mode;
}

Deno.test("offline: a proxied watch on a link gone silent ends when the agent goes offline", async () => {
  await using stack = await startStack({
    // Probes that time out make the agent offline in a few seconds; a refused one is not needed.
    config: {
      health: {
        path: "/readyz",
        intervalMs: 200,
        timeoutMs: 1_000,
        unhealthyThreshold: 2,
        healthyThreshold: 1,
      },
    },
  });
  const list = await (await fetch(stack.proxyUrl + PODS, { headers: KUBELET })).json();
  const watchUrl =
    `${PODS}?watch=true&timeoutSeconds=600&resourceVersion=${list.metadata.resourceVersion}`;
  const watch = await fetch(stack.proxyUrl + watchUrl, { headers: KUBELET });
  assertEquals(watch.status, 200);
  const proxied = stack.sim.requests.recent({ path: PODS })
    .filter((r) => r.query.includes("watch=true"));
  assertEquals(proxied.length, 1, "the watch went upstream");
  const reader = watch.body!.getReader();
  const ended = (async () => {
    while (!(await reader.read()).done);
    return "ended";
  })().catch(() => "ended with an error");

  // The link goes silent for new requests (health probes hang); the open watch just stays quiet.
  const hang = stack.sim.faults.add({ kind: "hang", match: { path: "/readyz" } });
  await waitFor("offline", async () => (await mode(stack.adminUrl)) === "offline", 30_000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const outcome = await Promise.race([
    ended,
    new Promise<string>((resolve) => timer = setTimeout(() => resolve("still open"), 15_000)),
  ]);
  clearTimeout(timer);
  assertEquals(outcome === "still open", false, "the watch was still open 15 s after offline");
  await reader.cancel().catch(() => undefined);
  stack.sim.faults.clear(hang);
});
