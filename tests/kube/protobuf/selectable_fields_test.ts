import assert from "node:assert/strict";
import { WireType } from "@bufbuild/protobuf/wire";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { decodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { readObjectMeta } from "../../../src/kube/protobuf/object_meta.ts";
import { replaceField, setString } from "../../../src/kube/protobuf/rewrite.ts";
import { FIELD_RULES, readSelectableFields } from "../../../src/kube/protobuf/selectable_fields.ts";
import { selectableFieldPaths } from "../../../src/kube/selectable_fields.ts";
import { readJson, readPb } from "./fixtures.ts";
import { BinaryWriter } from "@bufbuild/protobuf/wire";

/** Where each field lives in the fixture's .json twin (first non-empty path wins). */
const JSON_PATHS: Record<string, Record<string, string[]>> = {
  "core.v1.Pod": {
    "spec.nodeName": ["spec.nodeName"],
    "spec.restartPolicy": ["spec.restartPolicy"],
    "spec.schedulerName": ["spec.schedulerName"],
    "spec.serviceAccountName": ["spec.serviceAccountName"],
    "spec.hostNetwork": ["spec.hostNetwork"],
    "status.phase": ["status.phase"],
    "status.podIP": ["status.podIP", "status.podIPs.0.ip"],
    "status.nominatedNodeName": ["status.nominatedNodeName"],
  },
  "core.v1.Node": { "spec.unschedulable": ["spec.unschedulable"] },
  "core.v1.Service": { "spec.clusterIP": ["spec.clusterIP"], "spec.type": ["spec.type"] },
  "core.v1.Namespace": { "status.phase": ["status.phase"], "name": ["metadata.name"] },
  "core.v1.Secret": { "type": ["type"] },
  "core.v1.Event": {
    ...Object.fromEntries(
      ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]
        .map((f) => [`involvedObject.${f}`, [`involvedObject.${f}`]]),
    ),
    "reason": ["reason"],
    "reportingComponent": ["reportingComponent"],
    "source": ["source.component", "reportingComponent"],
    "type": ["type"],
  },
  "events.k8s.io.v1.Event": {
    ...Object.fromEntries(
      ["kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath"]
        .map((f) => [`involvedObject.${f}`, [`regarding.${f}`]]),
    ),
    "reason": ["reason"],
    "reportingComponent": ["reportingController"],
    "source": ["deprecatedSource.component", "reportingController"],
    "type": ["type"],
  },
};

// deno-lint-ignore no-explicit-any
function jsonValue(json: any, paths: string[]): string {
  for (const path of paths) {
    // deno-lint-ignore no-explicit-any
    const value = path.split(".").reduce((v: any, key) => v?.[key], json);
    if (value !== undefined && value !== "") return String(value);
  }
  return "";
}

for (const [fixture, paths] of Object.entries(JSON_PATHS)) {
  Deno.test(`selectable fields: ${fixture} field-number paths read the .json values`, () => {
    const json = readJson(fixture);
    const { fields } = protobufCodec.decodeObject(readPb(fixture), "");
    const expected: Record<string, string> = {
      "metadata.name": json.metadata.name,
      "metadata.namespace": json.metadata.namespace,
    };
    for (const [field, jsonPaths] of Object.entries(paths)) {
      expected[field] = jsonValue(json, jsonPaths);
      // Filler values prove the path hit a real field, not a default.
      assert.match(expected[field], /Value$|^true$/, `${fixture} ${field}`);
    }
    assert.deepEqual(fields, expected);
  });
}

Deno.test("selectable fields: every rule with a fixture is covered above", () => {
  const covered = new Set(
    Object.keys(JSON_PATHS).map((name) => {
      const { apiVersion, kind } = decodeEnvelope(readPb(name));
      return `${apiVersion}/${kind}`;
    }),
  );
  const withoutFixture = ["v1/ReplicationController", "apps/v1/ReplicaSet", "batch/v1/Job"];
  assert.deepEqual(
    Object.keys(FIELD_RULES).sort(),
    [...covered, ...withoutFixture].sort(),
  );
});

Deno.test("selectable fields: named paths yield the fixture strings", () => {
  const pod = protobufCodec.decodeObject(readPb("core.v1.Pod"), "").fields;
  assert.equal(pod["spec.nodeName"], "nodeNameValue");
  assert.equal(pod["status.phase"], "phaseValue");
  const service = protobufCodec.decodeObject(readPb("core.v1.Service"), "").fields;
  assert.equal(service["spec.clusterIP"], "clusterIPValue");
  assert.equal(service["spec.type"], "typeValue");
});

const RESOURCES: Record<string, string> = {
  pods: "v1/Pod",
  nodes: "v1/Node",
  services: "v1/Service",
  namespaces: "v1/Namespace",
  secrets: "v1/Secret",
  events: "v1/Event",
  replicationcontrollers: "v1/ReplicationController",
  replicasets: "apps/v1/ReplicaSet",
  jobs: "batch/v1/Job",
};

for (const [resource, key] of Object.entries(RESOURCES)) {
  Deno.test(`selectable fields: ${key} names equal selectableFieldPaths("${resource}")`, () => {
    const names = ["metadata.name", "metadata.namespace", ...Object.keys(FIELD_RULES[key])];
    assert.deepEqual(names.sort(), [...selectableFieldPaths(resource)].sort());
  });
}

Deno.test("selectable fields: events.k8s.io Event has the same names as core Event", () => {
  assert.deepEqual(
    Object.keys(FIELD_RULES["events.k8s.io/v1/Event"]).sort(),
    Object.keys(FIELD_RULES["v1/Event"]).sort(),
  );
});

function podFields(raw: Uint8Array): Record<string, string> {
  return readSelectableFields({ apiVersion: "v1", kind: "Pod" }, raw, readObjectMeta(raw));
}

Deno.test("selectable fields: status.podIP falls back to podIPs[0] when podIP is empty", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.Pod"));
  assert.equal(podFields(setString(raw, [3, 6], ""))["status.podIP"], "ipValue");
});

Deno.test("selectable fields: absent strings read as empty, absent bools as false", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.Pod"));
  const withoutSpec = replaceField(raw, [2], []);
  const fields = podFields(withoutSpec);
  assert.equal(fields["spec.nodeName"], "");
  assert.equal(fields["spec.hostNetwork"], "false");
  assert.equal(fields["status.phase"], "phaseValue");
});

Deno.test("selectable fields: Event source falls back to reportingComponent", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.Event"));
  const typeMeta = { apiVersion: "v1", kind: "Event" };
  const stripped = setString(raw, [5, 1], "");
  const fields = readSelectableFields(typeMeta, stripped, readObjectMeta(stripped));
  assert.equal(fields.source, "reportingComponentValue");
});

Deno.test("selectable fields: int fields render decimal, absent ones 0", () => {
  const status = new BinaryWriter().tag(1, WireType.Varint).int32(3).finish();
  const replicaSet = new BinaryWriter().tag(3, WireType.LengthDelimited).bytes(status).finish();
  const typeMeta = { apiVersion: "apps/v1", kind: "ReplicaSet" };
  const meta = readObjectMeta(replicaSet);
  assert.equal(readSelectableFields(typeMeta, replicaSet, meta)["status.replicas"], "3");
  const empty = new Uint8Array(0);
  assert.equal(readSelectableFields(typeMeta, empty, meta)["status.replicas"], "0");
});

Deno.test("selectable fields: an unknown kind gets metadata fields only", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.ConfigMap"));
  const fields = readSelectableFields(
    { apiVersion: "v1", kind: "ConfigMap" },
    raw,
    readObjectMeta(raw),
  );
  assert.deepEqual(fields, {
    "metadata.name": "nameValue",
    "metadata.namespace": "namespaceValue",
  });
});
