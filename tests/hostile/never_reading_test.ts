/**
 * Hostile input, a client that never reads: a watch client stops reading while the upstream
 * pushes events as fast as it can. The agent (a subprocess, so its memory is its own) holds the
 * upstream back instead of buffering: the upstream's writes stall within a few tens of MB, the
 * agent's resident memory stays within a generous bound, other clients are served, and once the
 * client goes the agent lets go of the upstream stream.
 * @module
 */
import { assert } from "../assert.ts";
import { waitFor } from "../harness.ts";
import { startFaultyUpstream } from "./faulty_upstream.ts";
import { assertServed, CONFIGMAPS, KUBELET, rssMiB, startAgentProcess } from "./helpers.ts";

const encoder = new TextEncoder();
const WATCH = `${CONFIGMAPS}?watch=true`;
/** The most the upstream pushes: reaching it means nothing held it back. */
const MOST = 512 * 1024 * 1024;

function configMap(resourceVersion: string, size: number) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "flood", namespace: "default", uid: "uid-flood", resourceVersion },
    data: { blob: "x".repeat(size) },
  };
}

Deno.test("hostile clients: a watch client that never reads holds the upstream back; memory stays bounded", async () => {
  await using upstream = startFaultyUpstream();
  const list = {
    apiVersion: "v1",
    kind: "ConfigMapList",
    metadata: { resourceVersion: "5" },
    items: [configMap("5", 10)],
  };
  upstream.answers.set(CONFIGMAPS, { body: encoder.encode(JSON.stringify(list)) });
  const event = (type: string) =>
    encoder.encode(JSON.stringify({ type, object: configMap("6", 64 * 1024) }) + "\n");
  upstream.answers.set(WATCH, {
    body: event("ADDED"),
    endless: event("MODIFIED"),
    endlessBytes: MOST,
  });
  await using agent = await startAgentProcess(upstream.url);
  const { proxy } = agent;
  const before = await rssMiB(agent.pid);

  const client = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(proxy).port) });
  try {
    const head = `GET ${WATCH} HTTP/1.1\r\nHost: proxy\r\nUser-Agent: ${
      KUBELET["user-agent"]
    }\r\n\r\n`;
    await client.write(encoder.encode(head)); // and never reads
    await waitFor("the upstream's writes to stall", () => {
      assert(upstream.pushed.bytes < MOST, "nothing held the upstream back");
      const since = upstream.pushed.blockedSince;
      return since !== undefined && Date.now() - since > 1000;
    }, 60_000);
    const pushed = upstream.pushed.bytes / 1024 / 1024;
    const grown = (await rssMiB(agent.pid)) - before;
    assert(pushed < 128, `the upstream pushed ${pushed.toFixed(0)} MiB before it stalled`);
    assert(grown < 200, `the agent grew by ${grown.toFixed(0)} MiB`);
    await assertServed(proxy);
  } finally {
    client.close();
  }
  await waitFor(
    "the agent to let go of the upstream stream",
    () => upstream.pushed.streams === 0,
  );
  await assertServed(proxy);
});
