import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, openWatch, request } from "./helpers.ts";

const scale = { pods: 20, nodes: 2, namespaces: 1, services: 2 };
const ns0 = "/api/v1/namespaces/ns-0/configmaps";

Deno.test("watch: from a resourceVersion sends ADDED, MODIFIED and DELETED in order", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  const watch = await openWatch(`${sim.url}${ns0}?watch=true&resourceVersion=${rv}`);
  sim.objects.create("configmaps", { metadata: { name: "w", namespace: "ns-0" }, data: {} });
  sim.objects.patch("configmaps", "w", { data: { a: "1" } }, { namespace: "ns-0" });
  sim.objects.delete("configmaps", "w", "ns-0");
  const events = await watch.take(3);
  await watch.close();
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
  assert.deepEqual(events.map((e) => e.object.kind), ["ConfigMap", "ConfigMap", "ConfigMap"]);
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.deepEqual(rvs, [rv + 1, rv + 2, rv + 3]);
});

Deno.test("watch: the /watch/ path form watches the same collection", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  const watch = await openWatch(
    `${sim.url}/api/v1/watch/namespaces/ns-0/configmaps?resourceVersion=${rv}`,
  );
  sim.objects.create("configmaps", { metadata: { name: "w", namespace: "ns-0" } });
  const [event] = await watch.take(1);
  await watch.close();
  assert.deepEqual([event.type, event.object.metadata.name], ["ADDED", "w"]);
});

Deno.test("watch: the /watch/ path form with a name watches only that object", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  const watch = await openWatch(
    `${sim.url}/api/v1/watch/namespaces/ns-0/configmaps/config-0?resourceVersion=${rv}`,
  );
  sim.objects.patch("configmaps", "kube-root-ca.crt", { data: { x: "1" } }, { namespace: "ns-0" });
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  const [event] = await watch.take(1);
  await watch.close();
  assert.equal(event.object.metadata.name, "config-0");
});

Deno.test("watch: replays changes made after the resourceVersion before live ones", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  const watch = await openWatch(`${sim.url}${ns0}?watch=1&resourceVersion=${rv}`);
  sim.objects.patch("configmaps", "config-0", { data: { x: "2" } }, { namespace: "ns-0" });
  const events = await watch.take(2);
  await watch.close();
  assert.deepEqual(events.map((e) => e.object.data.x), ["1", "2"]);
});

Deno.test("watch: without a resourceVersion starts with ADDED for every object", async () => {
  await using sim = await startSimulator({ scale });
  const { body: list } = await request(`${sim.url}${ns0}`);
  const watch = await openWatch(`${sim.url}${ns0}?watch=true`);
  const events = await watch.take(list.items.length);
  await watch.close();
  assert.ok(events.every((e) => e.type === "ADDED"));
  assert.deepEqual(
    events.map((e) => e.object.metadata.name).sort(),
    list.items.map((i: Json) => i.metadata.name).sort(),
  );
});

Deno.test("watch: a resourceVersion older than the window is one ERROR event with 410 Expired", async () => {
  await using sim = await startSimulator({ scale });
  const old = sim.resourceVersion;
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  sim.compact();
  const response = await fetch(`${sim.url}${ns0}?watch=true&resourceVersion=${old}`);
  assert.equal(response.status, 200);
  const lines = (await response.text()).trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 1);
  assert.equal(lines[0].type, "ERROR");
  assert.deepEqual([lines[0].object.code, lines[0].object.reason], [410, "Expired"]);
});

Deno.test("watch: a history of N changes keeps exactly the last N resumable", async () => {
  await using sim = await startSimulator({ scale, historySize: 3 });
  const start = sim.resourceVersion;
  for (let i = 0; i < 4; i++) {
    sim.objects.patch("configmaps", "config-0", { data: { x: String(i) } }, { namespace: "ns-0" });
  }
  const tooOld = await (await fetch(`${sim.url}${ns0}?watch=1&resourceVersion=${start}`)).text();
  assert.match(tooOld, /"ERROR"/);
  const watch = await openWatch(`${sim.url}${ns0}?watch=1&resourceVersion=${start + 1}`);
  const events = await watch.take(3);
  await watch.close();
  assert.deepEqual(events.map((e) => e.object.data.x), ["1", "2", "3"]);
});

Deno.test("watch: a resourceVersion newer than the store is 504 before the stream", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(
    `${sim.url}${ns0}?watch=true&resourceVersion=${sim.resourceVersion + 5}`,
  );
  assert.deepEqual([status, body.reason], [504, "Timeout"]);
});

Deno.test("watch: headers arrive before any event", async () => {
  await using sim = await startSimulator({ scale });
  const response = await fetch(`${sim.url}${ns0}?watch=1&resourceVersion=${sim.resourceVersion}`);
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/json");
  await response.body!.cancel();
});

Deno.test("watch: allowWatchBookmarks gets periodic bookmarks at the current version", async () => {
  await using sim = await startSimulator({ scale, bookmarkIntervalMs: 20 });
  const watch = await openWatch(
    `${sim.url}${ns0}?watch=1&allowWatchBookmarks=true&resourceVersion=${sim.resourceVersion}`,
  );
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  const events = await watch.until((e) => e.type === "BOOKMARK");
  await watch.close();
  const bookmark = events.at(-1)!;
  assert.deepEqual(bookmark.object.kind, "ConfigMap");
  assert.equal(bookmark.object.metadata.resourceVersion, String(sim.resourceVersion));
  assert.equal(bookmark.object.metadata.annotations, undefined);
});

Deno.test("watch: no bookmarks unless the client allows them", async () => {
  await using sim = await startSimulator({ scale, bookmarkIntervalMs: 10 });
  const watch = await openWatch(
    `${sim.url}${ns0}?watch=1&timeoutSeconds=1&resourceVersion=${sim.resourceVersion}`,
  );
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  const events = await watch.take(100);
  assert.deepEqual(events.map((e) => e.type), ["MODIFIED"]);
});

Deno.test("watch: sendInitialEvents sends ADDED for the state, then the initial-events-end bookmark", async () => {
  await using sim = await startSimulator({ scale });
  const { body: list } = await request(`${sim.url}${ns0}`);
  const watch = await openWatch(
    `${sim.url}${ns0}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan` +
      "&allowWatchBookmarks=true&resourceVersion=",
    // A gzip watch-list comes one member per flush, and fetch decodes only the first member.
    { headers: { "accept-encoding": "identity" } },
  );
  const events = await watch.until((e) => e.type === "BOOKMARK");
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  const [live] = await watch.take(1);
  await watch.close();
  const added = events.slice(0, -1);
  assert.ok(added.every((e) => e.type === "ADDED"));
  assert.equal(added.length, list.items.length);
  const end = events.at(-1)!.object.metadata;
  assert.deepEqual(end.annotations, { "k8s.io/initial-events-end": "true" });
  assert.equal(end.resourceVersion, list.metadata.resourceVersion);
  assert.equal(live.type, "MODIFIED");
});

Deno.test("watch: sendInitialEvents without resourceVersionMatch=NotOlderThan is 422", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(`${sim.url}${ns0}?watch=1&sendInitialEvents=true`);
  assert.deepEqual([status, body.reason], [422, "Invalid"]);
});

Deno.test("watch: timeoutSeconds ends the stream cleanly", async () => {
  await using sim = await startSimulator({ scale });
  const response = await fetch(
    `${sim.url}${ns0}?watch=1&timeoutSeconds=1&resourceVersion=${sim.resourceVersion}`,
  );
  assert.equal(await response.text(), "");
  assert.equal(sim.watchCount, 0);
});

Deno.test("watch: an object leaving the label selection is DELETED, one entering it ADDED", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(
    `${sim.url}${ns0}?watch=1&labelSelector=watched%3Dyes&resourceVersion=${sim.resourceVersion}`,
  );
  const patch = (value: string | null) =>
    sim.objects.patch("configmaps", "config-0", { metadata: { labels: { watched: value } } }, {
      namespace: "ns-0",
    });
  patch("yes");
  patch(null);
  const events = await watch.take(2);
  await watch.close();
  assert.deepEqual(events.map((e) => e.type), ["ADDED", "DELETED"]);
  assert.equal(events[1].object.metadata.labels.watched, "yes");
  assert.equal(events[1].object.metadata.resourceVersion, String(sim.resourceVersion));
});

Deno.test("watch: field-selected pod watch sees only its node", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(
    `${sim.url}/api/v1/pods?watch=1&fieldSelector=spec.nodeName%3Dnode-1&resourceVersion=${sim.resourceVersion}`,
  );
  const pods = sim.objects.list("pods") as Json[];
  for (const pod of pods.slice(-4)) {
    sim.objects.patch("pods", pod.metadata.name, { metadata: { labels: { touched: "1" } } }, {
      namespace: pod.metadata.namespace,
    });
  }
  const expected = pods.slice(-4).filter((p) => p.spec.nodeName === "node-1").length;
  assert.ok(expected > 0);
  const events = await watch.take(expected);
  await watch.close();
  assert.ok(events.every((e) => e.object.spec.nodeName === "node-1"));
});

Deno.test("watch: closing the client removes the watcher", async () => {
  await using sim = await startSimulator({ scale });
  const watch = await openWatch(`${sim.url}${ns0}?watch=1&resourceVersion=${sim.resourceVersion}`);
  assert.equal(sim.watchCount, 1);
  await watch.close();
  for (let i = 0; i < 50 && sim.watchCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(sim.watchCount, 0);
});

Deno.test("watch: a watcher that falls too far behind is ended", async () => {
  await using sim = await startSimulator({ scale, maxQueuedEvents: 5 });
  const response = await fetch(`${sim.url}${ns0}?watch=1&resourceVersion=${sim.resourceVersion}`);
  for (let i = 0; i < 10; i++) {
    sim.objects.patch("configmaps", "config-0", { data: { x: String(i) } }, { namespace: "ns-0" });
  }
  assert.equal(await response.text(), "");
});
