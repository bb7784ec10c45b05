import assert from "node:assert/strict";
import { editConfigMapData } from "../../../src/kube/protobuf/config_map.ts";
import { keepEndpoints } from "../../../src/kube/protobuf/endpoint_slice.ts";
import { decodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { findBytes, findVarint } from "../../../src/kube/protobuf/message.ts";
import { mapRepeated, readStringField } from "../../../src/kube/protobuf/repeated.ts";
import { setString } from "../../../src/kube/protobuf/rewrite.ts";
import { readServiceType, setServiceAddress } from "../../../src/kube/protobuf/service.ts";
import { concat } from "../../../src/streams/concat.ts";
import { messageField } from "../../../src/kube/protobuf/wire.ts";
import { elements } from "./elements.ts";
import { readPb } from "./fixtures.ts";

const service = decodeEnvelope(readPb("core.v1.Service")).raw;
const slice = decodeEnvelope(readPb("discovery.k8s.io.v1.EndpointSlice")).raw;
const configMap = decodeEnvelope(readPb("core.v1.ConfigMap")).raw;

const without = (message: Uint8Array, changed: number[]) =>
  elements(message).filter(([no]) => !changed.includes(no));

Deno.test("mapRepeated: keeping every element returns undefined; drops and replacements splice", () => {
  assert.equal(mapRepeated(configMap, 2, () => undefined), undefined);
  const dropped = mapRepeated(configMap, 1, () => null)!;
  assert.deepEqual(elements(dropped), without(configMap, [1]));
});

Deno.test("setServiceAddress: only clusterIP, clusterIPs and the named port's number change", () => {
  const named = setString(service, [2, 1, 1], "https");
  const pointed = setServiceAddress(named, "169.254.2.1", "https", 10268);
  assert.deepEqual(without(pointed, [2]), without(named, [2]));
  const before = findBytes(named, 2)!;
  const after = findBytes(pointed, 2)!;
  assert.deepEqual(without(after, [1, 3, 18]), without(before, [1, 3, 18]));
  assert.equal(readStringField(after, 3), "169.254.2.1");
  assert.equal(readStringField(after, 18), "169.254.2.1");
  const port = findBytes(after, 1)!;
  assert.equal(findVarint(port, 3), 10268n);
  assert.deepEqual(without(port, [3]), without(findBytes(before, 1)!, [3]));
  assert.equal(readServiceType(pointed), "typeValue");
});

Deno.test("setServiceAddress: a Service without a port of that name keeps its ports", () => {
  const pointed = setServiceAddress(service, "10.0.0.9", "https", 443);
  assert.deepEqual(findBytes(findBytes(pointed, 2)!, 1), findBytes(findBytes(service, 2)!, 1));
});

Deno.test("keepEndpoints: drops endpoints by node name, keeping the others' bytes", () => {
  const onB = messageField(2, setString(findBytes(slice, 2)!, [6], "node-b"));
  const both = concat([slice, onB]);
  assert.equal(keepEndpoints(both, () => true), undefined);
  const kept = keepEndpoints(both, (node) => node === "node-b")!;
  assert.deepEqual(elements(kept).filter(([no]) => no === 2).map(([, e]) => e), [onB]);
  assert.deepEqual(without(kept, [2]), without(both, [2]));
  const none = keepEndpoints(both, (node) => node === undefined)!;
  assert.deepEqual(without(none, []), without(both, [2]));
});

Deno.test("editConfigMapData: edits only the named entry", () => {
  assert.equal(editConfigMapData(configMap, "missing", () => "x"), undefined);
  const edited = editConfigMapData(configMap, "dataKey", (v) => v.toUpperCase())!;
  assert.deepEqual(without(edited, [2]), without(configMap, [2]));
  assert.equal(readStringField(findBytes(edited, 2)!, 2), "DATAVALUE");
});
