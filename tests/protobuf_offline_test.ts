/**
 * Protobuf end to end: a kubelet-like client lists and watches its node's pods in protobuf
 * through holdfast while the simulator is reachable, then the link is cut and the same LIST,
 * WATCH and watch-list through holdfast answer from the cache with the very object bytes the
 * simulator sent.
 */
import { assert, assertEquals } from "./assert.ts";
import { type Stack, startStack } from "./harness.ts";
import { decodeList, protobufCodec } from "../src/kube/protobuf/mod.ts";
import type { RawObject, WatchEvent } from "../src/kube/types.ts";
import type { QueryView } from "../src/cache/inspect.ts";

const KUBELET = {
  "user-agent": "kubelet/v1.30.0 (linux/amd64) kubernetes/abc",
  accept: "application/vnd.kubernetes.protobuf,application/json",
};
const PODS = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
const WATCH_LIST =
  "&watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";

async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const keyOf = (object: RawObject) => `${object.meta.namespace}/${object.meta.name}`;

/** Object bytes by namespace/name. */
function byKey(objects: RawObject[]): Map<string, Uint8Array> {
  return new Map(objects.map((object) => [keyOf(object), object.bytes]));
}

/** A protobuf LIST: the list's resourceVersion and its items. */
async function list(url: string, client?: Deno.HttpClient) {
  const response = await fetch(url, { headers: KUBELET, client });
  assertEquals(response.headers.get("content-type"), "application/vnd.kubernetes.protobuf");
  const [meta, ...items] = decodeList(new Uint8Array(await response.arrayBuffer()));
  assert(meta.type === "meta");
  return {
    resourceVersion: meta.meta.resourceVersion,
    items: items.flatMap((part) => part.type === "item" ? [part.object] : []),
  };
}

/** Opens a protobuf watch; `until` reads events up to the first satisfying `done`. */
async function watch(url: string) {
  const response = await fetch(url, { headers: KUBELET });
  assertEquals(
    [response.status, response.headers.get("content-type")],
    [200, "application/vnd.kubernetes.protobuf;stream=watch"],
  );
  const reader = response.body!.pipeThrough(protobufCodec.watchDecoder("pods")).getReader();
  return {
    async until(done: (event: WatchEvent, seen: WatchEvent[]) => boolean) {
      const events: WatchEvent[] = [];
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) throw new Error(`watch ended after ${events.length} events`);
        events.push(value);
        if (done(value, events)) return events;
      }
    },
    close: () => reader.cancel(),
  };
}

/** Waits until holdfast's kubelet pod query is complete at `resourceVersion`. */
function cachedAt(stack: Stack, resourceVersion: string) {
  return waitFor(`the cache at resourceVersion ${resourceVersion}`, async () => {
    const ls = await (await fetch(`${stack.adminUrl}/v1/cache/ls`)).json();
    return ls.queries.some((q: QueryView) =>
      q.component === "kubelet" && q.resource.startsWith("pods.") &&
      q.fieldSelector === "spec.nodeName=node-0" && q.complete && !q.stale &&
      q.mediaType === "application/vnd.kubernetes.protobuf" &&
      q.resourceVersion === resourceVersion
    );
  });
}

async function mode(stack: Stack): Promise<string> {
  return (await (await fetch(`${stack.adminUrl}/v1/status`)).json()).mode;
}

Deno.test("protobuf offline: a kubelet's pod LIST, WATCH and watch-list offline return the bytes the simulator sent online", async () => {
  await using stack = await startStack();
  const { sim } = stack;
  const proxied = `${stack.proxyUrl}${PODS}`;

  // Online LIST through holdfast; the same list straight from the simulator has the same bytes.
  const online = await list(proxied);
  const pki = sim.tls!;
  const direct = Deno.createHttpClient({
    caCerts: [pki.caCert],
    cert: pki.clientCert,
    key: pki.clientKey,
  });
  try {
    const fromSim = await list(`${sim.url}${PODS}`, direct);
    assertEquals(fromSim.resourceVersion, online.resourceVersion);
    assertEquals(byKey(fromSim.items), byKey(online.items));
  } finally {
    direct.close();
  }
  const sent = byKey(online.items);
  assert(sent.size > 1);
  await cachedAt(stack, online.resourceVersion);

  // Online WATCH from the list: a pod on node-0 changes and its new bytes arrive.
  const changes = await watch(`${proxied}&watch=true&resourceVersion=${online.resourceVersion}`);
  const [pod] = online.items;
  sim.objects.patch("pods", pod.meta.name, { metadata: { labels: { edited: "yes" } } }, {
    namespace: pod.meta.namespace,
  });
  const [modified] = await changes.until((event) => event.type === "MODIFIED");
  await changes.close();
  assertEquals(modified.object.meta.labels.edited, "yes");
  sent.set(keyOf(modified.object), modified.object.bytes);
  await cachedAt(stack, modified.object.meta.resourceVersion);

  // Online watch-list: every pod as ADDED (the state the simulator sent), then the end marker.
  const watchList = await watch(`${proxied}${WATCH_LIST}`);
  const initial = await watchList.until((event) => event.type === "BOOKMARK");
  await watchList.close();
  const bookmark = initial.pop()!;
  assertEquals(byKey(initial.map((event) => event.object)), sent);
  await cachedAt(stack, bookmark.object.meta.resourceVersion);

  await sim.faults.linkDown();
  await waitFor("offline mode", async () => (await mode(stack)) === "offline");

  // Offline LIST: the cached items, byte for byte.
  const offline = await list(proxied);
  assertEquals(offline.resourceVersion, bookmark.object.meta.resourceVersion);
  assertEquals(byKey(offline.items), sent);

  // Offline WATCH without a resourceVersion: an ADDED per cached pod, byte for byte.
  const offlineWatch = await watch(`${proxied}&watch=true`);
  const added = await offlineWatch.until((_, seen) => seen.length === sent.size);
  await offlineWatch.close();
  assert(added.every((event) => event.type === "ADDED"));
  assertEquals(byKey(added.map((event) => event.object)), sent);

  // Offline watch-list: ADDED per cached pod, then the initial-events-end bookmark.
  const offlineList = await watch(`${proxied}${WATCH_LIST}`);
  const replayed = await offlineList.until((event) => event.type === "BOOKMARK");
  await offlineList.close();
  const end = replayed.pop()!;
  assertEquals(byKey(replayed.map((event) => event.object)), sent);
  assertEquals(end.object.meta.resourceVersion, bookmark.object.meta.resourceVersion);
  assert(new TextDecoder().decode(end.object.bytes).includes("k8s.io/initial-events-end"));
});
