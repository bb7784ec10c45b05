import assert from "node:assert/strict";
import { decodeEnvelope, encodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import { readListMeta } from "../../../src/kube/protobuf/list_meta.ts";
import { findBytes } from "../../../src/kube/protobuf/message.ts";
import { readObjectMeta, readObjectMetaDetails } from "../../../src/kube/protobuf/object_meta.ts";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { decodeStatus } from "../../../src/kube/protobuf/status.ts";
import { parseWatchEvent } from "../../../src/kube/protobuf/watch.ts";
import { PB_FIXTURES, readJson, readPb } from "./fixtures.ts";

/** Fixtures whose message has no ObjectMeta at field 1, and what they hold instead. */
const SPECIAL: Record<string, string> = {
  "core.v1.Status": "ListMeta at field 1",
  "core.v1.WatchEvent": "a WatchEvent whose object.raw is JSON",
  "core.v1.DeleteOptions": "options, no metadata",
  "core.v1.ListOptions": "options, no metadata",
};

Deno.test("fixtures: all 21 documented .pb files are found", () => {
  assert.equal(PB_FIXTURES.length, 21);
  for (const name of Object.keys(SPECIAL)) assert.ok(PB_FIXTURES.includes(name), name);
});

for (const name of PB_FIXTURES) {
  Deno.test(`fixtures: ${name} envelope typeMeta equals the .json apiVersion/kind`, () => {
    const envelope = decodeEnvelope(readPb(name));
    const json = readJson(name);
    assert.deepEqual(
      { apiVersion: envelope.apiVersion, kind: envelope.kind },
      { apiVersion: json.apiVersion ?? "", kind: json.kind ?? "" },
    );
    assert.equal(envelope.contentEncoding, "");
    assert.equal(envelope.contentType, "");
  });

  Deno.test(`fixtures: ${name} envelope re-encodes byte for byte`, () => {
    const body = readPb(name);
    const e = decodeEnvelope(body);
    assert.deepEqual(encodeEnvelope(e, e.raw, e.contentEncoding, e.contentType), body);
  });

  if (name in SPECIAL) continue;

  Deno.test(`fixtures: ${name} metadata equals the .json metadata`, () => {
    const { raw } = decodeEnvelope(readPb(name));
    const { managedFields: _, ...expected } = readJson(name).metadata;
    assert.ok(_ !== undefined, "fixture has managedFields (skipped in the comparison)");
    assert.deepEqual(readObjectMetaDetails(raw), expected);
  });

  Deno.test(`fixtures: ${name} codec decodeObject meta and typeMeta match the .json`, () => {
    const json = readJson(name);
    const object = protobufCodec.decodeObject(readPb(name), "");
    assert.deepEqual(object.meta, {
      name: json.metadata.name,
      namespace: json.metadata.namespace,
      resourceVersion: json.metadata.resourceVersion,
      uid: json.metadata.uid,
      labels: json.metadata.labels,
    });
    assert.deepEqual(object.typeMeta, { apiVersion: json.apiVersion, kind: json.kind });
    assert.deepEqual(readObjectMeta(object.bytes), object.meta);
  });

  Deno.test(`fixtures: ${name} codec re-encodes an unmodified object byte for byte`, () => {
    const body = readPb(name);
    assert.deepEqual(protobufCodec.encodeObject(protobufCodec.decodeObject(body, "")), body);
  });
}

Deno.test("fixtures: core.v1.Status ListMeta at field 1 equals the .json metadata", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.Status"));
  const { resourceVersion, continue: cont, remainingItemCount } = readJson("core.v1.Status")
    .metadata;
  assert.deepEqual(readListMeta(findBytes(raw, 1)!), {
    resourceVersion,
    continue: cont,
    remainingItemCount,
  });
});

Deno.test("fixtures: core.v1.Status decodes to the .json Status (metadata aside)", () => {
  const json = readJson("core.v1.Status");
  assert.deepEqual(decodeStatus(readPb("core.v1.Status")), { ...json, metadata: {} });
});

Deno.test("fixtures: core.v1.Status codec decodeObject has empty meta, bytes kept", () => {
  const body = readPb("core.v1.Status");
  const object = protobufCodec.decodeObject(body, "");
  assert.equal(object.meta.name, "");
  assert.deepEqual(object.typeMeta, { apiVersion: "v1", kind: "Status" });
  assert.deepEqual(protobufCodec.encodeObject(object), body);
});

Deno.test("fixtures: core.v1.WatchEvent raw is a WatchEvent with the .json type and object", () => {
  const { raw } = decodeEnvelope(readPb("core.v1.WatchEvent"));
  const json = readJson("core.v1.WatchEvent");
  const event = parseWatchEvent(raw);
  assert.equal(event.type, json.type);
  assert.deepEqual(JSON.parse(new TextDecoder().decode(event.raw)), json.object);
});

for (const name of ["core.v1.DeleteOptions", "core.v1.ListOptions"]) {
  Deno.test(`fixtures: ${name} has no metadata in .json, nor ObjectMeta read from .pb`, () => {
    assert.equal(readJson(name).metadata, undefined);
    const { raw } = decodeEnvelope(readPb(name));
    const first = findBytes(raw, 1);
    // DeleteOptions field 1 is a varint; ListOptions field 1 is the labelSelector string.
    if (first !== undefined) assert.equal(new TextDecoder().decode(first), "labelSelectorValue");
  });
}
