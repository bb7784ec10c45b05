import assert from "node:assert/strict";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import type { WatchEvent } from "../../../src/kube/types.ts";
import { listBody, openHarness, pod, rawJson, readEvents, seedList, seedWatch } from "./harness.ts";

type Meta = { name?: string; resourceVersion: string; annotations?: Record<string, string> };
const metaOf = (event: { object: Record<string, unknown> }) => event.object.metadata as Meta;

const PODS = [
  pod("a", { rv: "11", nodeName: "edge-1" }),
  pod("b", { rv: "12", nodeName: "edge-2" }),
  pod("c", { rv: "13", nodeName: "edge-1" }),
];
/** Ends offline watches after `ms` by bringing the cloud back. */
function cloudBackAfter(h: { setOnline(online: boolean): void }, ms = 100): void {
  setTimeout(() => h.setOnline(true), ms);
}

const WATCH_LIST =
  "watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true";

Deno.test("offline watch-list: ADDED for each object, then the initial-events-end bookmark", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch(`/api/v1/pods?${WATCH_LIST}&resourceVersion=`);
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  const events = await readEvents(response, 4);
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "ADDED", "ADDED", "BOOKMARK"]);
  assert.deepEqual(events.slice(0, 3).map((e) => metaOf(e).name), ["a", "b", "c"]);
  assert.deepEqual(events[3].object.kind, "Pod");
  assert.deepEqual(metaOf(events[3]).resourceVersion, "40");
  assert.deepEqual(metaOf(events[3]).annotations, { "k8s.io/initial-events-end": "true" });
});

Deno.test("offline watch-list: selectors apply to the initial events", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch(`/api/v1/pods?${WATCH_LIST}&fieldSelector=spec.nodeName%3Dedge-1`);
  const events = await readEvents(response, 3);
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "ADDED", "BOOKMARK"]);
  assert.deepEqual(events.slice(0, 2).map((e) => metaOf(e).name), ["a", "c"]);
});

Deno.test("offline watch: resourceVersion 0 gets synthetic ADDED and no end marker", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=0");
  cloudBackAfter(h);
  const events = await readEvents(response);
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "ADDED", "ADDED"]);
});

Deno.test("offline watch: the stream ends cleanly at timeoutSeconds", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=40&timeoutSeconds=1");
  assert.deepEqual(await response.text(), "");
});

Deno.test("offline watch: bookmarks at the list's resourceVersion when allowed", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch(
    "/api/v1/pods?watch=1&resourceVersion=40&allowWatchBookmarks=true",
  );
  const events = await readEvents(response, 2);
  assert.deepEqual(events.map((e) => e.type), ["BOOKMARK", "BOOKMARK"]);
  assert.deepEqual(metaOf(events[0]).resourceVersion, "40");
  assert.deepEqual(metaOf(events[0]).annotations, undefined);
});

Deno.test("offline watch: no bookmarks unless allowed", async () => {
  await using h = await openHarness({ bookmarkIntervalMs: 10 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=40");
  cloudBackAfter(h);
  assert.deepEqual(await response.text(), "");
});

Deno.test("offline watch: resuming from an older version replays changes and deletions", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  await seedWatch(h.store, "/api/v1/pods", [
    { type: "MODIFIED", object: rawJson(pod("a", { rv: "41" })) },
    { type: "DELETED", object: rawJson(pod("b", { rv: "42", nodeName: "edge-2" })) },
    { type: "ADDED", object: rawJson(pod("d", { rv: "43" })) },
    {
      type: "BOOKMARK",
      object: rawJson({ kind: "Pod", apiVersion: "v1", metadata: { resourceVersion: "44" } }),
    },
  ]);
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=40");
  const events = await readEvents(response, 3);
  assert.deepEqual(events.map((e) => [e.type, metaOf(e).name, metaOf(e).resourceVersion]), [
    ["MODIFIED", "a", "41"],
    ["DELETED", "b", "42"],
    ["MODIFIED", "d", "43"],
  ]);
});

Deno.test("offline watch: resuming from the cache's version sends nothing missed", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  await seedWatch(h.store, "/api/v1/pods", [
    { type: "DELETED", object: rawJson(pod("b", { rv: "42" })) },
  ]);
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=42");
  cloudBackAfter(h);
  assert.deepEqual(await response.text(), "");
});

Deno.test("offline watch: a version older than the tombstone history → ERROR 410, then the end", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=5");
  assert.deepEqual(response.status, 200);
  const events = await readEvents(response);
  assert.deepEqual(events.length, 1);
  assert.deepEqual(events[0].type, "ERROR");
  assert.deepEqual(events[0].object.code, 410);
  assert.deepEqual(events[0].object.reason, "Expired");
});

Deno.test("offline watch: a version newer than the cache → 504 before the stream", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=99");
  assert.deepEqual(response.status, 504);
  await response.body?.cancel();
});

Deno.test("offline watch: never listed → 503", async () => {
  await using h = await openHarness();
  const response = await h.fetch(`/api/v1/pods?${WATCH_LIST}`);
  assert.deepEqual(response.status, 503);
  await response.body?.cancel();
});

Deno.test("offline watch: sendInitialEvents without resourceVersionMatch → 422", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&sendInitialEvents=true");
  assert.deepEqual(response.status, 422);
  await response.body?.cancel();
});

Deno.test("offline watch: the stream ends when the cloud is back", async () => {
  await using h = await openHarness({ bookmarkIntervalMs: 60_000 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=40&allowWatchBookmarks=1");
  const text = response.text();
  h.setOnline(true);
  assert.deepEqual(await text, "");
});

Deno.test("offline watch: answered locally while the pool counts as online, it ends soon", async () => {
  await using h = await openHarness({ onlineRecheckMs: 20 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  h.setOnline(true); // the upstream (a closed port) refuses: the local answer is used anyway
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=40");
  assert.deepEqual(response.status, 200);
  assert.deepEqual(await response.text(), "");
});

Deno.test("offline watch: the client going away ends the stream", async () => {
  await using h = await openHarness({ bookmarkIntervalMs: 60_000 });
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const controller = new AbortController();
  const response = await h.fetch("/api/v1/pods?watch=1&resourceVersion=0", {
    signal: controller.signal,
  });
  const reader = response.body!.getReader();
  assert.ok((await reader.read()).value);
  controller.abort();
  await reader.cancel();
});

Deno.test("offline watch-list in protobuf: framed events and the end bookmark", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const fixture = await Deno.readFile(
    new URL("../../../../shared/fixtures/k8s-api-testdata/core.v1.Pod.pb", import.meta.url),
  );
  const pbPod = protobufCodec.decodeObject(fixture, "pods");
  const chunks = [...protobufCodec.encodeList(
    { kind: "PodList", apiVersion: "v1", resourceVersion: "7", continue: "" },
    [pbPod],
  )];
  await seedList(
    h.store,
    "/api/v1/pods",
    new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer()),
    {
      mediaType: "application/vnd.kubernetes.protobuf",
      userAgent: "kube-proxy/v1.36",
    },
  );
  const response = await h.fetch(`/api/v1/pods?${WATCH_LIST}`, {
    userAgent: "kube-proxy/v1.36",
    headers: { accept: "application/vnd.kubernetes.protobuf, */*" },
  });
  assert.deepEqual(
    response.headers.get("content-type"),
    "application/vnd.kubernetes.protobuf;stream=watch",
  );
  const events: WatchEvent[] = [];
  const reader = response.body!.pipeThrough(protobufCodec.watchDecoder("pods")).getReader();
  while (events.length < 2) events.push((await reader.read()).value!);
  await reader.cancel();
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "BOOKMARK"]);
  assert.deepEqual(events[0].object.meta.name, "nameValue");
  assert.deepEqual(events[1].object.typeMeta, { apiVersion: "v1", kind: "Pod" });
  assert.deepEqual(events[1].object.meta.resourceVersion, "7");
});

Deno.test("offline watch: sendInitialEvents=false sends no initial events", async () => {
  await using h = await openHarness();
  await seedList(h.store, "/api/v1/pods", listBody("PodList", PODS, "40"));
  const response = await h.fetch(
    "/api/v1/pods?watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan",
  );
  cloudBackAfter(h);
  assert.equal(await response.text(), "");
});
