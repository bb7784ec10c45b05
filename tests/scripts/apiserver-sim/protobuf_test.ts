/**
 * The simulator's Kubernetes protobuf: objects derived from the k8s-api-testdata fixtures,
 * lists, watch frames, Status errors and content negotiation, read back with holdfast's own
 * protobuf codec.
 */
import assert from "node:assert/strict";
import {
  decodeList,
  decodeStatus,
  decodeStatusMessage,
  protobufCodec,
  readObjectMetaDetails,
  setString,
} from "../../../src/kube/protobuf/mod.ts";
import { findBytes } from "../../../src/kube/protobuf/message.ts";
import { selectableFieldsOf } from "../../../src/kube/selectable_fields.ts";
import type { ListPart, RawObject, WatchEvent } from "../../../src/kube/types.ts";
import { loadFixtures } from "../../../scripts/apiserver-sim/fixtures.ts";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import {
  DEFAULT_TESTDATA_DIR,
  loadTemplates,
  protobufServingCodec,
  templateFile,
} from "../../../scripts/apiserver-sim/protobuf.ts";
import { POD_BODY } from "../../../scripts/apiserver-sim/pod_schema.ts";
import { decodeProtobufBody, readMessage } from "../../../scripts/apiserver-sim/protobuf_body.ts";
import { buildRegistry, type ResourceType } from "../../../scripts/apiserver-sim/resources.ts";
import { Entry } from "../../../scripts/apiserver-sim/store.ts";
import { type Json, request } from "./helpers.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const KUBELET_ACCEPT = `${PROTOBUF},application/json`;
const scale = { pods: 20, nodes: 2, namespaces: 1, services: 2 };
const CUSTOM = "/apis/k8s-openapi-tests-custom-resource-definition.com/v1/foobars";

/** The kinds of k8s-api-testdata the simulator serves, as `apiVersion/kind`. */
const FIXTURE_KINDS = [
  "v1/ConfigMap",
  "v1/Endpoints",
  "v1/Event",
  "v1/Namespace",
  "v1/Node",
  "v1/PersistentVolumeClaim",
  "v1/Pod",
  "v1/Secret",
  "v1/Service",
  "v1/ServiceAccount",
  "apps/v1/Deployment",
  "coordination.k8s.io/v1/Lease",
  "discovery.k8s.io/v1/EndpointSlice",
  "events.k8s.io/v1/Event",
  "node.k8s.io/v1/RuntimeClass",
  "storage.k8s.io/v1/CSIDriver",
].sort();

async function registry() {
  const fixtures = await loadFixtures();
  return buildRegistry(fixtures.coreResources, fixtures.aggregatedGroups, [fixtures.crd]);
}

const kindKey = (type: ResourceType) => `${type.groupVersion}/${type.kind}`;

async function getBytes(url: string, accept: string) {
  const response = await fetch(url, { headers: { accept } });
  return {
    status: response.status,
    contentType: response.headers.get("content-type"),
    body: new Uint8Array(await response.arrayBuffer()),
  };
}

function items(parts: ListPart[]): RawObject[] {
  return parts.flatMap((part) => part.type === "item" ? [part.object] : []);
}

/** JSON metadata as `readObjectMetaDetails` renders it (managedFields are not read). */
function metadataView(object: Json): Json {
  const { managedFields: _managed, ...rest } = object.metadata;
  return rest;
}

/** Reads protobuf watch events from an open watch response. */
function watchEvents(response: Response) {
  const reader = response.body!.pipeThrough(protobufCodec.watchDecoder("")).getReader();
  return {
    async until(done: (event: WatchEvent) => boolean): Promise<WatchEvent[]> {
      const events: WatchEvent[] = [];
      for (;;) {
        const { done: ended, value } = await reader.read();
        if (ended) return events;
        events.push(value);
        if (done(value)) return events;
      }
    },
    close: () => reader.cancel().catch(() => {}),
  };
}

Deno.test("protobuf: exactly the served kinds with a k8s-api-testdata fixture have a protobuf form", async () => {
  const templates = await loadTemplates(await registry());
  assert.deepEqual([...templates.keys()].map(kindKey).sort(), FIXTURE_KINDS);
});

Deno.test("protobuf: a fixture's own JSON derives to the fixture's bytes, envelope included (a Pod: to its content)", async () => {
  const templates = await loadTemplates(await registry());
  const codec = protobufServingCodec(templates);
  for (const type of templates.keys()) {
    const file = new URL(templateFile(type), DEFAULT_TESTDATA_DIR);
    const json = JSON.parse(await Deno.readTextFile(new URL(file.href.replace(/pb$/, "json"))));
    const expected: Uint8Array = await Deno.readFile(file);
    const derived = codec.object(new Entry(type, json, 1));
    if (type.kind !== "Pod") {
      assert.deepEqual(derived, expected, kindKey(type));
      continue;
    }
    // A Pod is encoded from its JSON by pod_schema.ts, leaving out the empty values Go writes and
    // the fields the schema leaves out: its metadata is the fixture's, and its spec and status
    // read back as the fixture's do. The fixture's podIP ("podIPValue") disagrees with
    // podIPs[0] ("ipValue"); the derivation writes the selectable value (podIP, authoritative
    // as in kube-apiserver) on both paths.
    const fixture = protobufCodec.decodeObject(expected, "pods").bytes;
    const served = protobufCodec.decodeObject(derived, "pods").bytes;
    assert.deepEqual(findBytes(served, 1), findBytes(fixture, 1));
    assert.deepEqual(
      readMessage(served, POD_BODY),
      readMessage(setString(fixture, [3, 12, 1], "podIPValue"), POD_BODY),
    );
  }
});

Deno.test("protobuf: every fixture kind's served objects decode to their JSON view's metadata and selectable fields", async () => {
  await using sim = await startSimulator({ scale });
  sim.objects.create("persistentvolumeclaims", {
    metadata: { name: "data", namespace: "default", labels: { app: "db" } },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  });
  sim.objects.create("events.events.k8s.io", {
    metadata: { name: "node-0.1", namespace: "default" },
    eventTime: "2026-01-01T00:00:00.000000Z",
    reportingController: "kube-proxy",
    reportingInstance: "kube-proxy-node-0",
    action: "StartKubeProxy",
    reason: "Starting",
    regarding: { kind: "Node", name: "node-0", apiVersion: "v1" },
    deprecatedSource: { component: "kube-proxy" },
    type: "Normal",
  });
  sim.objects.create("runtimeclasses", { metadata: { name: "runc" }, handler: "runc" });
  sim.objects.create("csidrivers", { metadata: { name: "csi.example.com" }, spec: {} });
  const types = [...(await loadTemplates(await registry())).keys()];
  for (const type of types) {
    const path = `${type.group ? `/apis/${type.groupVersion}` : "/api/v1"}/${type.resource}`;
    const { body: jsonList } = await request(`${sim.url}${path}`);
    const pb = await getBytes(`${sim.url}${path}`, KUBELET_ACCEPT);
    assert.equal(pb.contentType, PROTOBUF, path);
    const parts = decodeList(pb.body);
    assert.ok(jsonList.items.length > 0, `${path} has objects`);
    assert.equal(parts.length, jsonList.items.length + 1, path);
    items(parts).forEach((item, i) => {
      const json = jsonList.items[i];
      assert.deepEqual(item.typeMeta, { apiVersion: type.groupVersion, kind: type.kind });
      assert.deepEqual(readObjectMetaDetails(item.bytes), metadataView(json), path);
      const jsonFields = selectableFieldsOf(json, type.resource);
      for (const [field, value] of Object.entries(item.fields)) {
        assert.equal(value, jsonFields[field], `${path} ${json.metadata.name} ${field}`);
      }
    });
  }
});

Deno.test("protobuf: a GET is one enveloped object whose metadata equals the JSON GET", async () => {
  await using sim = await startSimulator({ scale });
  const path = "/api/v1/namespaces/kube-system/services/kube-dns";
  const { body: json } = await request(`${sim.url}${path}`);
  const pb = await getBytes(`${sim.url}${path}`, KUBELET_ACCEPT);
  const object = protobufCodec.decodeObject(pb.body, "services");
  assert.deepEqual(object.typeMeta, { apiVersion: "v1", kind: "Service" });
  assert.deepEqual(readObjectMetaDetails(object.bytes), metadataView(json));
  assert.deepEqual(
    [object.fields["spec.clusterIP"], object.fields["spec.type"]],
    ["10.96.0.10", "ClusterIP"],
  );
});

Deno.test("protobuf: a field-selected pod list selects the same pods, with nodeName and phase from JSON", async () => {
  await using sim = await startSimulator({ scale });
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-1";
  const { body: json } = await request(`${sim.url}${path}`);
  const pods = items(decodeList((await getBytes(`${sim.url}${path}`, PROTOBUF)).body));
  assert.deepEqual(
    pods.map((p) => [p.meta.name, p.fields["spec.nodeName"], p.fields["status.phase"]]),
    json.items.map((p: Json) => [p.metadata.name, "node-1", p.status.phase]),
  );
});

Deno.test("protobuf: a limited list carries the JSON list's resourceVersion, continue and remainingItemCount", async () => {
  await using sim = await startSimulator({ scale });
  const path = "/api/v1/pods?limit=5";
  const { body: json } = await request(`${sim.url}${path}`);
  const [meta, ...rest] = decodeList((await getBytes(`${sim.url}${path}`, PROTOBUF)).body);
  assert.deepEqual(meta, {
    type: "meta",
    meta: {
      apiVersion: "v1",
      kind: "PodList",
      resourceVersion: json.metadata.resourceVersion,
      continue: json.metadata.continue,
      remainingItemCount: json.metadata.remainingItemCount,
    },
  });
  assert.equal(rest.length, 5);
});

Deno.test("protobuf: a watch streams ADDED, MODIFIED, DELETED and BOOKMARK frames the codec decodes", async () => {
  await using sim = await startSimulator({ scale, bookmarkIntervalMs: 20 });
  const rv = sim.resourceVersion;
  const response = await fetch(
    `${sim.url}/api/v1/namespaces/ns-0/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=true`,
    { headers: { accept: KUBELET_ACCEPT } },
  );
  assert.equal(response.headers.get("content-type"), `${PROTOBUF};stream=watch`);
  const watch = watchEvents(response);
  sim.objects.create("configmaps", { metadata: { name: "w", namespace: "ns-0" } });
  sim.objects.patch("configmaps", "w", { metadata: { labels: { a: "1" } } }, { namespace: "ns-0" });
  sim.objects.delete("configmaps", "w", "ns-0");
  const last = String(rv + 3);
  const events = await watch.until((e) =>
    e.type === "BOOKMARK" && e.object.meta.resourceVersion === last
  );
  await watch.close();
  // A bookmark comes every 20 ms: on a slow machine some arrive before the changes, at `rv`.
  const early = events.slice(0, -1).filter((e) => e.type === "BOOKMARK");
  assert.ok(early.every((e) => e.object.meta.resourceVersion === String(rv)));
  const changes = events.filter((e) => e.type !== "BOOKMARK");
  assert.deepEqual(changes.map((e) => e.type), ["ADDED", "MODIFIED", "DELETED"]);
  assert.deepEqual(changes.map((e) => e.object.meta.resourceVersion), [
    String(rv + 1),
    String(rv + 2),
    last,
  ]);
  assert.deepEqual(changes[1].object.meta.labels, { a: "1" });
  assert.deepEqual(events.at(-1)!.object.typeMeta, { apiVersion: "v1", kind: "ConfigMap" });
});

Deno.test("protobuf: a watch-list sends every pod as ADDED, then a BOOKMARK annotated initial-events-end", async () => {
  await using sim = await startSimulator({ scale });
  const path = "/api/v1/pods?fieldSelector=spec.nodeName%3Dnode-0";
  const { body: json } = await request(`${sim.url}${path}`);
  const response = await fetch(
    `${sim.url}${path}&watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`,
    // A gzip watch-list comes one member per flush, and fetch decodes only the first member.
    { headers: { accept: KUBELET_ACCEPT, "accept-encoding": "identity" } },
  );
  const watch = watchEvents(response);
  const events = await watch.until((e) => e.type === "BOOKMARK");
  await watch.close();
  const bookmark = events.pop()!;
  assert.deepEqual(
    events.map((e) => [e.type, e.object.meta.name]),
    json.items.map((p: Json) => ["ADDED", p.metadata.name]),
  );
  assert.deepEqual(readObjectMetaDetails(bookmark.object.bytes), {
    resourceVersion: String(sim.resourceVersion),
    creationTimestamp: null,
    annotations: { "k8s.io/initial-events-end": "true" },
  });
});

Deno.test("protobuf: a pod leaving a watch's selection is a DELETED with its last state at the new resourceVersion", async () => {
  await using sim = await startSimulator({ scale });
  const pod = sim.objects.list("pods", "kube-system")[0];
  const { name, namespace } = pod.metadata as Json;
  const response = await fetch(
    `${sim.url}/api/v1/pods?watch=true&fieldSelector=status.phase%3DRunning&resourceVersion=${sim.resourceVersion}`,
    { headers: { accept: PROTOBUF } },
  );
  const watch = watchEvents(response);
  sim.objects.patch("pods", name, { status: { phase: "Succeeded" } }, {
    namespace,
    subresource: "status",
  });
  const [event] = await watch.until(() => true);
  await watch.close();
  assert.deepEqual(
    [event.type, event.object.meta.name, event.object.fields["status.phase"]],
    ["DELETED", name, "Running"],
  );
  assert.equal(event.object.meta.resourceVersion, String(sim.resourceVersion));
});

Deno.test("protobuf: a too-old watch resourceVersion is one ERROR frame with a 410 Expired Status", async () => {
  await using sim = await startSimulator({ scale });
  const old = sim.resourceVersion;
  sim.objects.create("configmaps", { metadata: { name: "w", namespace: "ns-0" } });
  sim.compact();
  const response = await fetch(`${sim.url}/api/v1/configmaps?watch=true&resourceVersion=${old}`, {
    headers: { accept: PROTOBUF },
  });
  assert.equal(response.status, 200);
  const events = await watchEvents(response).until(() => false);
  assert.deepEqual(events.map((e) => [e.type, e.object.typeMeta.kind]), [["ERROR", "Status"]]);
  const status = decodeStatusMessage(events[0].object.bytes);
  assert.deepEqual([status.code, status.reason], [410, "Expired"]);
});

Deno.test("protobuf: an error for a protobuf client is a protobuf Status with the HTTP code", async () => {
  await using sim = await startSimulator({ scale });
  const pb = await getBytes(`${sim.url}/api/v1/namespaces/default/pods/missing`, KUBELET_ACCEPT);
  assert.deepEqual([pb.status, pb.contentType], [404, PROTOBUF]);
  const status = decodeStatus(pb.body);
  assert.deepEqual([status.code, status.reason, status.details?.name], [
    404,
    "NotFound",
    "missing",
  ]);
});

Deno.test("protobuf: Accept is taken in order — JSON first is JSON, protobuf first is protobuf, */* is JSON", async () => {
  await using sim = await startSimulator({ scale });
  const url = `${sim.url}/api/v1/nodes`;
  const answered = async (accept: string) => (await getBytes(url, accept)).contentType;
  assert.equal(await answered(`application/json,${PROTOBUF}`), "application/json");
  assert.equal(await answered(`${PROTOBUF},application/json`), PROTOBUF);
  assert.equal(await answered("*/*"), "application/json");
  assert.equal(await answered("application/*"), "application/json");
});

Deno.test("protobuf: Table and custom resources fall back to a later JSON clause", async () => {
  await using sim = await startSimulator({ scale });
  const table = await request(`${sim.url}/api/v1/pods`, {
    headers: { accept: `${PROTOBUF};as=Table;v=v1;g=meta.k8s.io,application/json` },
  });
  assert.deepEqual([table.headers.get("content-type"), table.body.kind], [
    "application/json",
    "PodList",
  ]);
  const custom = await request(`${sim.url}${CUSTOM}`, { headers: { accept: KUBELET_ACCEPT } });
  assert.equal(custom.body.kind, "FooBarList");
});

Deno.test("protobuf: 406 NotAcceptable (in JSON) when Accept has nothing the simulator produces", async () => {
  await using sim = await startSimulator({ scale });
  for (
    const [path, accept] of [
      ["/api/v1/pods", "application/yaml"],
      ["/api/v1/pods", `${PROTOBUF};as=Table;v=v1;g=meta.k8s.io`],
      [CUSTOM, PROTOBUF],
    ]
  ) {
    const { status, headers, body } = await request(`${sim.url}${path}`, { headers: { accept } });
    assert.deepEqual([status, headers.get("content-type"), body.reason], [
      406,
      "application/json",
      "NotAcceptable",
    ], `${path} ${accept}`);
  }
});

Deno.test("protobuf: a JSON write with a protobuf Accept answers protobuf, a delete a protobuf Success Status", async () => {
  await using sim = await startSimulator({ scale });
  const url = `${sim.url}/api/v1/namespaces/default/configmaps`;
  const created = await fetch(url, {
    method: "POST",
    headers: { accept: KUBELET_ACCEPT, "content-type": "application/json" },
    body: JSON.stringify({ metadata: { name: "cm" }, data: { a: "1" } }),
  });
  assert.deepEqual([created.status, created.headers.get("content-type")], [201, PROTOBUF]);
  const object = protobufCodec.decodeObject(new Uint8Array(await created.arrayBuffer()), "");
  assert.deepEqual(
    readObjectMetaDetails(object.bytes),
    metadataView(sim.objects.get("configmaps", "cm")!),
  );
  const deleted = await fetch(`${url}/cm`, { method: "DELETE", headers: { accept: PROTOBUF } });
  const status = decodeStatus(new Uint8Array(await deleted.arrayBuffer()));
  assert.deepEqual([deleted.status, status.status, status.details?.name], [200, "Success", "cm"]);
});

Deno.test("protobuf: a protobuf body of a kind without a schema is 415 UnsupportedMediaType, as a protobuf Status", async () => {
  await using sim = await startSimulator({ scale });
  // Pods have no body schema (protobuf_schema.ts).
  const body = await Deno.readFile(new URL("core.v1.Pod.pb", DEFAULT_TESTDATA_DIR));
  const response = await fetch(`${sim.url}/api/v1/namespaces/default/pods`, {
    method: "POST",
    headers: { accept: KUBELET_ACCEPT, "content-type": PROTOBUF },
    body,
  });
  const status = decodeStatus(new Uint8Array(await response.arrayBuffer()));
  assert.deepEqual([response.status, status.reason], [415, "UnsupportedMediaType"]);
  assert.equal(sim.objects.get("pods", "nameValue", "default"), undefined);
});

Deno.test("protobuf: a ConfigMap is encoded whole, its data as stored (not the fixture's)", async () => {
  await using sim = await startSimulator({ scale });
  sim.objects.create("configmaps", {
    metadata: { name: "settings", namespace: "default" },
    data: { b: "2", a: "1" },
    binaryData: { bin: btoa("\u0000\u0001") },
    immutable: true,
  });
  const response = await fetch(`${sim.url}/api/v1/namespaces/default/configmaps/settings`, {
    headers: { accept: PROTOBUF },
  });
  const decoded = decodeProtobufBody(new Uint8Array(await response.arrayBuffer()))!;
  assert.deepEqual([decoded.data, decoded.binaryData, decoded.immutable], [
    { a: "1", b: "2" },
    { bin: btoa("\u0000\u0001") },
    true,
  ]);
});
