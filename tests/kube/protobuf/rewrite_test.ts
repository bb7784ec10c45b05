import assert from "node:assert/strict";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { decodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { findBytes, findBytesAt } from "../../../src/kube/protobuf/message.ts";
import { readObjectMeta, readObjectMetaDetails } from "../../../src/kube/protobuf/object_meta.ts";
import {
  replaceField,
  setLabels,
  setName,
  setNamespace,
  setResourceVersion,
  setString,
} from "../../../src/kube/protobuf/rewrite.ts";
import { elements } from "./elements.ts";
import { readPb } from "./fixtures.ts";

const pod = decodeEnvelope(readPb("core.v1.Pod")).raw;

/** Asserts that `after` differs from `before` only in the metadata field `changed`. */
function assertOnlyMetadataFieldChanged(before: Uint8Array, after: Uint8Array, changed: number) {
  const outerBefore = elements(before);
  const outerAfter = elements(after);
  assert.equal(outerAfter.length, outerBefore.length);
  for (let i = 1; i < outerBefore.length; i++) assert.deepEqual(outerAfter[i], outerBefore[i]);
  const metaBefore = elements(findBytes(before, 1)!).filter(([no]) => no !== changed);
  const metaAfter = elements(findBytes(after, 1)!).filter(([no]) => no !== changed);
  assert.deepEqual(metaAfter, metaBefore);
}

Deno.test("rewrite: setName changes the name and no other byte of the object", () => {
  const renamed = setName(pod, "pod-0001");
  assert.equal(readObjectMeta(renamed).name, "pod-0001");
  assertOnlyMetadataFieldChanged(pod, renamed, 1);
});

Deno.test("rewrite: setting the original value back restores the exact bytes", () => {
  const there = setName(setNamespace(setResourceVersion(pod, "42"), "ns"), "a-much-longer-name");
  const back = setName(
    setNamespace(setResourceVersion(there, "resourceVersionValue"), "namespaceValue"),
    "nameValue",
  );
  assert.deepEqual(back, pod);
});

Deno.test("rewrite: setNamespace and setResourceVersion touch only their field", () => {
  const moved = setNamespace(pod, "kube-system");
  assert.equal(readObjectMeta(moved).namespace, "kube-system");
  assertOnlyMetadataFieldChanged(pod, moved, 3);
  const bumped = setResourceVersion(pod, "123456");
  assert.equal(readObjectMeta(bumped).resourceVersion, "123456");
  assertOnlyMetadataFieldChanged(pod, bumped, 6);
});

Deno.test("rewrite: a length prefix growing past 127 bytes is re-encoded correctly", () => {
  const long = "x".repeat(300);
  const renamed = setName(pod, long);
  assert.equal(readObjectMeta(renamed).name, long);
  assert.equal(readObjectMetaDetails(renamed).uid, "uidValue");
});

Deno.test("rewrite: setLabels replaces all entries, sorted by key as Go writes maps", () => {
  const relabelled = setLabels(pod, { zone: "b", app: "web", tier: "" });
  assert.deepEqual(readObjectMeta(relabelled).labels, { app: "web", tier: "", zone: "b" });
  const keys = elements(findBytes(relabelled, 1)!)
    .filter(([no]) => no === 11)
    .map(([, element]) => new TextDecoder().decode(findBytes(findBytes(element, 11)!, 1)));
  assert.deepEqual(keys, ["app", "tier", "zone"]);
  assertOnlyMetadataFieldChanged(pod, relabelled, 11);
});

Deno.test("rewrite: setLabels with no labels removes the field", () => {
  const bare = setLabels(pod, {});
  assert.deepEqual(readObjectMeta(bare).labels, {});
  assert.equal(elements(findBytes(bare, 1)!).some(([no]) => no === 11), false);
});

Deno.test("rewrite: setString rewrites a nested field (Pod spec.nodeName 2→10)", () => {
  const placed = setString(pod, [2, 10], "node-7");
  assert.equal(new TextDecoder().decode(findBytesAt(placed, [2, 10])), "node-7");
  assert.deepEqual(findBytes(placed, 1), findBytes(pod, 1));
  assert.deepEqual(findBytes(placed, 3), findBytes(pod, 3));
});

Deno.test("rewrite: an absent field is inserted before the next higher field number", () => {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork()
    .tag(1, WireType.LengthDelimited).string("n")
    .tag(7, WireType.Varint).int64(3)
    .join();
  const object = writer.finish();
  const withNamespace = setNamespace(object, "ns");
  const fieldNumbers = elements(findBytes(withNamespace, 1)!).map(([no]) => no);
  assert.deepEqual(fieldNumbers, [1, 3, 7]);
  assert.equal(readObjectMeta(withNamespace).namespace, "ns");
});

Deno.test("rewrite: an absent parent message is created", () => {
  const named = setName(new Uint8Array(0), "created");
  assert.equal(readObjectMeta(named).name, "created");
});

Deno.test("rewrite: unknown fields inside and beside metadata are preserved byte for byte", () => {
  const unknownInner = new BinaryWriter().tag(99, WireType.LengthDelimited).string("keep").finish();
  const unknownOuter = new BinaryWriter().tag(77, WireType.Bit32).fixed32(5).finish();
  const meta = new Uint8Array([...findBytes(pod, 1)!, ...unknownInner]);
  const object = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(meta).raw(unknownOuter)
    .finish();
  const renamed = setName(object, "other");
  const innerAfter = elements(findBytes(renamed, 1)!);
  assert.deepEqual(innerAfter[innerAfter.length - 1], [99, unknownInner]);
  const outerAfter = elements(renamed);
  assert.deepEqual(outerAfter[1], [77, unknownOuter]);
});

Deno.test("rewrite: replaceField rejects an empty path", () => {
  assert.throws(() => replaceField(pod, [], []), RangeError);
});
