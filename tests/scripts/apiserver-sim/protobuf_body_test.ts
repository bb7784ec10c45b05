/**
 * Protobuf request bodies (client-go's clientsets write protobuf: kubelet's Node and Events,
 * lease renewals): each kind's fixture decodes to the fixture's own JSON, and a write in protobuf
 * is stored.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { DEFAULT_TESTDATA_DIR } from "../../../scripts/apiserver-sim/protobuf.ts";
import { decodeProtobufBody } from "../../../scripts/apiserver-sim/protobuf_body.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const scale = { pods: 4, nodes: 2, namespaces: 1, services: 1 };
const fixture = (name: string) => new URL(name, DEFAULT_TESTDATA_DIR);

/** Fixture JSON paths the body schemas leave out (see `protobuf_schema.ts`). */
const UNREAD: Record<string, string[][]> = {
  "core.v1.Node": [
    ["spec", "configSource"],
    ["spec", "podPreemptionPolicy"],
    ["status", "config"],
    ["status", "runtimeHandlers"],
    ["status", "features"],
    ["status", "declaredFeatures"],
    ["status", "nodeInfo", "swap"],
    ["status", "nodeInfo", "runningInUserNamespace"],
  ],
};

for (
  const name of [
    "coordination.k8s.io.v1.Lease",
    "core.v1.ConfigMap",
    "core.v1.Secret",
    "core.v1.Node",
    "core.v1.Event",
    "events.k8s.io.v1.Event",
  ]
) {
  Deno.test(`protobuf body: the ${name} fixture decodes to its JSON (managedFields aside)`, async () => {
    const decoded = decodeProtobufBody(await Deno.readFile(fixture(`${name}.pb`)));
    const json = JSON.parse(await Deno.readTextFile(fixture(`${name}.json`)));
    delete json.metadata.managedFields;
    for (const path of UNREAD[name] ?? []) {
      const parent = path.slice(0, -1).reduce((o, key) => o[key], json);
      delete parent[path.at(-1)!];
    }
    assert.deepEqual(decoded, json);
  });
}

Deno.test("protobuf body: other kinds are not read; a body that is not protobuf throws", async () => {
  const body = await Deno.readFile(fixture("core.v1.Pod.pb"));
  assert.equal(decodeProtobufBody(body), undefined);
  assert.throws(() => decodeProtobufBody(new TextEncoder().encode("{}")), /magic/);
});

Deno.test("protobuf body: a Lease PUT in protobuf is stored", async () => {
  await using sim = await startSimulator({ scale });
  const leases = `${sim.url}/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases`;
  const current = await fetch(`${leases}/node-0`, { headers: { accept: PROTOBUF } });
  assert.equal(current.status, 200);
  // The simulator's protobuf Lease carries the live metadata and the fixture's spec.
  const renewed = await fetch(`${leases}/node-0`, {
    method: "PUT",
    headers: { accept: "application/json", "content-type": PROTOBUF },
    body: await current.arrayBuffer(),
  });
  const answer = await renewed.json();
  assert.equal(renewed.status, 200, JSON.stringify(answer));
  assert.equal(answer.spec.renewTime, "2004-01-01T01:01:01.000004Z");
  const stored = sim.objects.get("leases", "node-0", "kube-node-lease") as {
    spec: Record<string, unknown>;
  };
  assert.equal(stored.spec.holderIdentity, "holderIdentityValue");
});

Deno.test("protobuf body: a Node, an Event and a ConfigMap created in protobuf are stored", async () => {
  await using sim = await startSimulator({ scale });
  sim.objects.create("namespaces", { metadata: { name: "namespaceValue" } });
  const create = async (path: string, name: string) => {
    const response = await fetch(`${sim.url}${path}`, {
      method: "POST",
      headers: { accept: "application/json", "content-type": PROTOBUF },
      body: await Deno.readFile(fixture(name)),
    });
    const answer = await response.json();
    assert.equal(response.status, 201, JSON.stringify(answer));
    return answer;
  };
  const node = await create("/api/v1/nodes", "core.v1.Node.pb");
  assert.equal(node.status.nodeInfo.kubeletVersion, "kubeletVersionValue");
  assert.equal(sim.objects.get("nodes", "nameValue")?.kind, "Node");
  const event = await create("/api/v1/namespaces/namespaceValue/events", "core.v1.Event.pb");
  assert.equal(event.involvedObject.fieldPath, "fieldPathValue");
  const configMap = await create(
    "/api/v1/namespaces/namespaceValue/configmaps",
    "core.v1.ConfigMap.pb",
  );
  assert.deepEqual(
    sim.objects.get("configmaps", configMap.metadata.name, "namespaceValue")?.data,
    { dataKey: "dataValue" },
  );
});
