import { assertEquals } from "../assert.ts";
import { selectableFieldPaths, selectableFieldsOf } from "../../src/kube/selectable_fields.ts";

const FIXTURES = new URL("../../../shared/fixtures/", import.meta.url);

async function fixture(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await Deno.readTextFile(new URL(path, FIXTURES)));
}

Deno.test("fields: pods from a captured list, hostNetwork rendered true/false", async () => {
  const list = await fixture("captured/k8s-openapi-v1.36.pod-list.replay.json") as unknown as Array<
    { response_body: string }
  >;
  const pods = JSON.parse(list[0].response_body).items;
  const etcd = pods.find((pod: { metadata: { name: string } }) =>
    pod.metadata.name.startsWith("etcd")
  );
  assertEquals(selectableFieldsOf(etcd, "pods"), {
    "metadata.name": "etcd-v1.36-control-plane",
    "metadata.namespace": "kube-system",
    "spec.nodeName": "v1.36-control-plane",
    "spec.restartPolicy": "Always",
    "spec.schedulerName": "default-scheduler",
    "spec.serviceAccountName": "",
    "spec.hostNetwork": "true",
    "status.phase": "Running",
    "status.podIP": etcd.status.podIPs[0].ip,
    "status.nominatedNodeName": "",
  });
  const coredns = pods[0];
  assertEquals(selectableFieldsOf(coredns, "pods")["spec.hostNetwork"], "false");
});

Deno.test("fields: a pod's podIP is status.podIP (authoritative), else the first of podIPs", () => {
  const both = { status: { podIP: "10.0.0.9", podIPs: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }] } };
  assertEquals(selectableFieldsOf(both, "pods")["status.podIP"], "10.0.0.9");
  assertEquals(
    selectableFieldsOf({ status: { podIPs: [{ ip: "10.0.0.1" }] } }, "pods")["status.podIP"],
    "10.0.0.1",
  );
  assertEquals(selectableFieldsOf({}, "pods")["status.podIP"], "");
});

Deno.test('fields: an empty pod renders Go zero values ("" and false)', () => {
  const fields = selectableFieldsOf({}, "pods");
  assertEquals(fields["spec.nodeName"], "");
  assertEquals(fields["spec.hostNetwork"], "false");
  assertEquals(Object.keys(fields), [...selectableFieldPaths("pods")]);
});

Deno.test("fields: services, secrets, namespaces and nodes", async () => {
  const service = await fixture("k8s-api-testdata/core.v1.Service.json");
  assertEquals(selectableFieldsOf(service, "services"), {
    "metadata.name": "nameValue",
    "metadata.namespace": "namespaceValue",
    "spec.clusterIP": "clusterIPValue",
    "spec.type": "typeValue",
  });
  const secret = await fixture("k8s-api-testdata/core.v1.Secret.json");
  assertEquals(selectableFieldsOf(secret, "secrets")["type"], "typeValue");
  const namespace = await fixture("k8s-api-testdata/core.v1.Namespace.json");
  assertEquals(selectableFieldsOf(namespace, "namespaces")["status.phase"], "phaseValue");
  assertEquals(selectableFieldsOf(namespace, "namespaces")["name"], "nameValue");
  const node = await fixture("captured/k9s.node-minikube.json");
  assertEquals(selectableFieldsOf(node, "nodes"), {
    "metadata.name": "minikube",
    "metadata.namespace": "",
    "spec.unschedulable": "false",
  });
  assertEquals(
    selectableFieldsOf({ spec: { unschedulable: true } }, "nodes")["spec.unschedulable"],
    "true",
  );
});

Deno.test("fields: core/v1 and events.k8s.io/v1 events give the same field set", async () => {
  const expected = {
    "metadata.name": "nameValue",
    "metadata.namespace": "namespaceValue",
    "involvedObject.kind": "kindValue",
    "involvedObject.namespace": "namespaceValue",
    "involvedObject.name": "nameValue",
    "involvedObject.uid": "uidValue",
    "involvedObject.apiVersion": "apiVersionValue",
    "involvedObject.resourceVersion": "resourceVersionValue",
    "involvedObject.fieldPath": "fieldPathValue",
    "reason": "reasonValue",
    "reportingComponent": "reportingComponentValue",
    "source": "componentValue",
    "type": "typeValue",
  };
  assertEquals(
    selectableFieldsOf(await fixture("k8s-api-testdata/core.v1.Event.json"), "events"),
    expected,
  );
  const v1 = selectableFieldsOf(
    await fixture("k8s-api-testdata/events.k8s.io.v1.Event.json"),
    "events",
  );
  assertEquals(v1, { ...expected, reportingComponent: "reportingControllerValue" });
});

Deno.test("fields: replica counts render as integers, 0 when absent", () => {
  assertEquals(
    selectableFieldsOf({ status: { replicas: 3 } }, "replicasets")["status.replicas"],
    "3",
  );
  assertEquals(selectableFieldsOf({}, "replicasets")["status.replicas"], "0");
  assertEquals(selectableFieldsOf({ status: { succeeded: 2 } }, "jobs")["status.successful"], "2");
});

Deno.test("fields: other resources (and custom resources) have only metadata fields", () => {
  assertEquals(selectableFieldPaths("configmaps"), ["metadata.name", "metadata.namespace"]);
  assertEquals(
    selectableFieldsOf({ metadata: { name: "a", namespace: "b" }, spec: {} }, "foobars"),
    {
      "metadata.name": "a",
      "metadata.namespace": "b",
    },
  );
});

Deno.test("fields: paths list the pod fields apiserver supports", () => {
  assertEquals(selectableFieldPaths("pods"), [
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ]);
});

Deno.test("fields: values of the wrong type render as absent", () => {
  const odd = { metadata: { name: 5 }, spec: { nodeName: null, hostNetwork: "true" }, status: [] };
  const fields = selectableFieldsOf(odd, "pods");
  assertEquals(fields["metadata.name"], "");
  assertEquals(fields["spec.nodeName"], "");
  assertEquals(fields["spec.hostNetwork"], "false");
  assertEquals(fields["status.phase"], "");
});

Deno.test("fields: an event's source falls back to its reporting controller", () => {
  const core = { source: {}, reportingComponent: "kubelet" };
  assertEquals(selectableFieldsOf(core, "events")["source"], "kubelet");
  const v1 = { deprecatedSource: { component: "scheduler" }, reportingController: "x" };
  assertEquals(selectableFieldsOf(v1, "events")["source"], "scheduler");
});
