/**
 * Hostile input, from the upstream: lists cut short of their Content-Length, garbage protobuf, a
 * Content-Length the body never reaches (the connection held open), a 10 MB object, and watches
 * that end inside an event or send garbage, from a stand-in apiserver that sends exact bytes. The
 * client gets the bytes as sent (and an error when they stop short); nothing already cached is
 * lost: offline, every previous snapshot answers (a query a garbage watch made stale, once
 * listed again).
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startAgent } from "../../src/agent.ts";
import { createLogger } from "../../src/log/logger.ts";
import { startSimulator } from "../../scripts/apiserver-sim/mod.ts";
import { testAgentConfig, waitFor } from "../harness.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import { startFaultyUpstream } from "./faulty_upstream.ts";
import { agentStatus, assertServed, CONFIGMAPS, KUBELET } from "./helpers.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const JSON_PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
const PROTOBUF_PODS = "/api/v1/pods";
const BIG = "/api/v1/namespaces/default/configmaps/big";
const BIG_LIST = "/api/v1/namespaces/big/configmaps";

/** Real list bodies, as the simulator sends them. */
async function captureLists() {
  await using sim = await startSimulator({ scale: { pods: 20, nodes: 1 } });
  const get = async (path: string, accept: string) =>
    new Uint8Array(await (await fetch(`${sim.url}${path}`, { headers: { accept } })).arrayBuffer());
  return {
    configmaps: await get(CONFIGMAPS, "application/json"),
    pods: await get(JSON_PODS, "application/json"),
    protobufPods: await get(PROTOBUF_PODS, PROTOBUF),
  };
}

function bigConfigMap(size: number, namespace: string) {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "big", namespace, uid: `uid-big-${namespace}`, resourceVersion: "900" },
    data: { blob: "x".repeat(size) },
  };
}

function names(list: { items: { metadata: { name: string } }[] }): string[] {
  return list.items.map((i) => i.metadata.name);
}

Deno.test("hostile upstream: truncated lists, garbage protobuf, a never-ending body and a 10 MB object lose nothing cached", async () => {
  const lists = await captureLists();
  await using upstream = startFaultyUpstream();
  const big = new TextEncoder().encode(JSON.stringify(bigConfigMap(10_000_000, "default")));
  const bigList = new TextEncoder().encode(JSON.stringify({
    apiVersion: "v1",
    kind: "ConfigMapList",
    metadata: { resourceVersion: "901" },
    items: [bigConfigMap(10_000_000, "big")],
  }));
  const good = new Map([
    [CONFIGMAPS, { body: lists.configmaps }],
    [JSON_PODS, { body: lists.pods }],
    [PROTOBUF_PODS, { body: lists.protobufPods, contentType: PROTOBUF }],
    [BIG, { body: big }],
    [BIG_LIST, { body: bigList }],
  ]);
  for (const [path, answer] of good) upstream.answers.set(path, answer);
  const dir = await Deno.makeTempDir({ prefix: "holdfast-hostile-upstream-" });
  const config = testAgentConfig(new URL(upstream.url), {}, dir);
  const agent = await startAgent(config, createLogger(config.log));
  try {
    const proxy = `http://127.0.0.1:${agent.proxyAddress.port}`;
    const admin = `http://127.0.0.1:${agent.adminAddress.port}`;
    const get = (path: string, accept = "application/json") =>
      fetch(`${proxy}${path}`, { headers: { ...KUBELET, accept } });
    const bytes = async (path: string, accept?: string) =>
      new Uint8Array(await (await get(path, accept)).arrayBuffer());

    // What is cached before the faults: each good answer, read whole by its client.
    for (const [path, answer] of good) {
      assertEquals(await bytes(path, answer.contentType), answer.body, path);
    }
    await waitFor("the good lists stored", async () => {
      const ls = await (await fetch(`${admin}/v1/cache/ls`)).json();
      return ls.queries.filter((q: { complete: boolean }) => q.complete).length === 4;
    }, 30_000);

    const next = seededRandom(3303);
    // Lists cut short of their Content-Length: the client sees the cut.
    for (let i = 0; i < 10; i++) {
      const body = i % 2 ? lists.pods : lists.protobufPods;
      const path = i % 2 ? JSON_PODS : PROTOBUF_PODS;
      const cut = 1 + Math.floor(next() * (body.byteLength - 1));
      upstream.answers.set(path, {
        body: body.subarray(0, cut),
        contentLength: body.byteLength,
        contentType: i % 2 ? "application/json" : PROTOBUF,
      });
      const response = await get(path, i % 2 ? "application/json" : PROTOBUF);
      assertEquals(response.status, 200);
      const read = await response.arrayBuffer().then(() => "read whole", () => "cut");
      assertEquals(read, "cut", `${path} cut at ${cut}`);
    }
    // Garbage protobuf, with and without the k8s magic: passed on as sent.
    for (let i = 0; i < 10; i++) {
      const garbage = Uint8Array.from(
        { length: 1 + Math.floor(next() * 5000) },
        () => Math.floor(next() * 256),
      );
      if (i % 2) garbage.set([0x6b, 0x38, 0x73, 0x00]);
      upstream.answers.set(PROTOBUF_PODS, { body: garbage, contentType: PROTOBUF });
      assertEquals(await bytes(PROTOBUF_PODS, PROTOBUF), garbage, `garbage #${i}`);
    }
    // A Content-Length the body never reaches, the connection held open: the client gets the
    // bytes sent, others are served meanwhile, and once the client gives up the agent lets go.
    const sent = lists.pods.subarray(0, 1000);
    assert(
      lists.pods.byteLength > 1000 &&
        names(JSON.parse(new TextDecoder().decode(lists.pods))).length > 0,
    );
    upstream.answers.set(JSON_PODS, {
      body: sent,
      contentLength: lists.pods.byteLength,
      hold: true,
    });
    const hanging = await get(JSON_PODS);
    const reader = hanging.body!.getReader();
    const received: Uint8Array[] = [];
    let size = 0;
    while (size < sent.byteLength) {
      const { value } = await reader.read();
      received.push(value!);
      size += value!.byteLength;
    }
    assertEquals(new Uint8Array(await new Blob(received as BlobPart[]).arrayBuffer()), sent);
    await waitFor("the upstream holding the body open", () => upstream.held() === 1);
    await assertServed(proxy);
    await reader.cancel();
    await waitFor("the agent to let go of the never-ending body", () => upstream.held() === 0);

    // Watches that end inside an event, or send garbage protobuf: the client gets the bytes as
    // sent and a clean end; the events before the cut are kept.
    const listed = JSON.parse(new TextDecoder().decode(lists.configmaps));
    const changed = structuredClone(listed.items[0]);
    changed.data = { hostile: "kept" };
    changed.metadata.resourceVersion = String(Number(listed.metadata.resourceVersion) + 1000);
    const cutWatch = new TextEncoder().encode(
      JSON.stringify({ type: "MODIFIED", object: changed }) +
        '\n{"type":"ADDED","object":{"metadata":{"na',
    );
    upstream.answers.set(`${CONFIGMAPS}?watch=true`, { body: cutWatch });
    assertEquals(await bytes(`${CONFIGMAPS}?watch=true`), cutWatch);
    const protobufQuery = async () => {
      const ls = await (await fetch(`${admin}/v1/cache/ls`)).json();
      return ls.queries.find((q: { mediaType: string }) => q.mediaType === PROTOBUF);
    };
    const objectsBefore = (await protobufQuery()).objects;
    const garbageWatch = Uint8Array.from({ length: 3000 }, () => Math.floor(next() * 256));
    upstream.answers.set(`${PROTOBUF_PODS}?watch=true`, {
      body: garbageWatch,
      contentType: `${PROTOBUF};stream=watch`,
    });
    assertEquals(await bytes(`${PROTOBUF_PODS}?watch=true`, PROTOBUF), garbageWatch);
    // The cache cannot tell what the garbage held: its query is stale (reported, and `503`
    // offline) but keeps every object until the next LIST, which makes it fresh again.
    await waitFor("the garbage watch's query stale", async () => (await protobufQuery()).stale);
    const stale = await protobufQuery();
    assert(stale.staleReason.includes("ProtobufError"), stale.staleReason);
    assertEquals(stale.objects, objectsBefore);
    upstream.answers.set(PROTOBUF_PODS, { body: lists.protobufPods, contentType: PROTOBUF });
    assertEquals(await bytes(PROTOBUF_PODS, PROTOBUF), lists.protobufPods);
    await waitFor("the relisted query fresh", async () => !(await protobufQuery()).stale);

    // Offline, every snapshot cached before the faults answers.
    await upstream.down();
    await waitFor("the agent offline", async () => (await agentStatus(admin)).mode === "offline");
    await assertServed(proxy);
    const pods = await (await get(JSON_PODS)).json();
    const original = JSON.parse(new TextDecoder().decode(lists.pods));
    assertEquals(pods.metadata.resourceVersion, original.metadata.resourceVersion);
    assertEquals(names(pods), names(original));
    const protobuf = await get(PROTOBUF_PODS, PROTOBUF);
    assertEquals([protobuf.status, protobuf.headers.get("content-type")], [200, PROTOBUF]);
    const protobufText = new TextDecoder("latin1").decode(await protobuf.arrayBuffer());
    for (const name of names(original)) assert(protobufText.includes(name), name);
    await waitFor("the watched change offline", async () => {
      const cached = await (await get(CONFIGMAPS)).json();
      return cached.items?.[0]?.data?.hostile === "kept";
    });
    const cachedBig = await (await get(BIG)).json();
    assertEquals(cachedBig.data.blob.length, 10_000_000);
    const cachedBigList = await (await get(BIG_LIST)).json();
    assertEquals(cachedBigList.items[0].data.blob.length, 10_000_000);
  } finally {
    await agent.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
