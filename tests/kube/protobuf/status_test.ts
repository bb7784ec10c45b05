import assert from "node:assert/strict";
import * as statuses from "../../../src/kube/status.ts";
import { decodeEnvelope, encodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { replaceField } from "../../../src/kube/protobuf/rewrite.ts";
import { decodeStatus, encodeStatus } from "../../../src/kube/protobuf/status.ts";
import { messageField } from "../../../src/kube/protobuf/wire.ts";
import { readJson, readPb } from "./fixtures.ts";

Deno.test("status: encodes like the fixture, field for field, with an empty ListMeta", () => {
  const fixture = readPb("core.v1.Status");
  const { raw } = decodeEnvelope(fixture);
  // Go writes an empty ListMeta as selfLink "", resourceVersion "", continue "".
  const emptyListMeta = Uint8Array.of(0x0a, 0x00, 0x12, 0x00, 0x1a, 0x00);
  const expectedRaw = replaceField(raw, [1], [messageField(1, emptyListMeta)]);
  const expected = encodeEnvelope({ apiVersion: "v1", kind: "Status" }, expectedRaw);
  assert.deepEqual(encodeStatus(decodeStatus(fixture)), expected);
});

Deno.test("status: the envelope says apiVersion v1, kind Status", () => {
  const envelope = decodeEnvelope(encodeStatus(statuses.notFound("", "pods", "x")));
  assert.deepEqual([envelope.apiVersion, envelope.kind], ["v1", "Status"]);
});

const builders: [string, statuses.Status][] = [
  ["notFound", statuses.notFound("apps", "deployments", "web")],
  ["serviceUnavailable", statuses.serviceUnavailable("offline", 5)],
  ["expired", statuses.expired("too old resource version")],
  ["invalid", statuses.invalid("bad", "spec.replicas")],
  ["internalError", statuses.internalError("boom")],
];

for (const [name, status] of builders) {
  Deno.test(`status: ${name} round-trips through protobuf`, () => {
    assert.deepEqual(decodeStatus(encodeStatus(status)), JSON.parse(JSON.stringify(status)));
  });
}

Deno.test("status: details without causes or retry stay minimal when decoded", () => {
  const decoded = decodeStatus(encodeStatus(statuses.notFound("", "pods", "p")));
  assert.deepEqual(decoded.details, { name: "p", kind: "pods" });
  assert.equal(decoded.code, 404);
});

Deno.test("status: the fixture decodes to its .json (metadata aside)", () => {
  assert.deepEqual(decodeStatus(readPb("core.v1.Status")), {
    ...readJson("core.v1.Status"),
    metadata: {},
  });
});

Deno.test("status: a non-Status body is rejected", () => {
  assert.throws(() => decodeStatus(readPb("core.v1.ConfigMap")), /expected a Status/);
});
