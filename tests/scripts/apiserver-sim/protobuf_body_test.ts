/**
 * Protobuf Lease bodies (kubelet's and YurtHub's lease renewals): decoded to the same JSON as the
 * fixture's own JSON, and accepted by a PUT on the simulator.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { DEFAULT_TESTDATA_DIR } from "../../../scripts/apiserver-sim/protobuf.ts";
import { decodeProtobufBody } from "../../../scripts/apiserver-sim/protobuf_body.ts";

const PROTOBUF = "application/vnd.kubernetes.protobuf";
const scale = { pods: 4, nodes: 2, namespaces: 1, services: 1 };
const fixture = (name: string) => new URL(name, DEFAULT_TESTDATA_DIR);

Deno.test("protobuf body: the Lease fixture decodes to its JSON (managedFields aside)", async () => {
  const decoded = decodeProtobufBody(
    await Deno.readFile(fixture("coordination.k8s.io.v1.Lease.pb")),
  );
  const json = JSON.parse(await Deno.readTextFile(fixture("coordination.k8s.io.v1.Lease.json")));
  delete json.metadata.managedFields;
  assert.deepEqual(decoded, json);
});

Deno.test("protobuf body: other kinds are not read", async () => {
  const body = await Deno.readFile(fixture("core.v1.ConfigMap.pb"));
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
