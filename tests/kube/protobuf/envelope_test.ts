import assert from "node:assert/strict";
import {
  decodeEnvelope,
  decodeTypeMeta,
  encodeEnvelope,
  hasMagic,
  requirePlain,
} from "../../../src/kube/protobuf/envelope.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { readPb } from "./fixtures.ts";

const text = (s: string) => new TextEncoder().encode(s);

Deno.test("envelope: the ConfigMap fixture starts as the README describes", () => {
  const body = readPb("core.v1.ConfigMap");
  const expected = [
    0x6b,
    0x38,
    0x73,
    0x00,
    0x0a,
    0x0f,
    0x0a,
    0x02,
    ...text("v1"),
    0x12,
    0x09,
    ...text("ConfigMap"),
    0x12,
    0x8f,
    0x03,
  ];
  assert.deepEqual([...body.subarray(0, expected.length)], expected);
  const envelope = decodeEnvelope(body);
  assert.equal(envelope.apiVersion, "v1");
  assert.equal(envelope.kind, "ConfigMap");
  assert.equal(envelope.raw.length, 399);
});

Deno.test("envelope: runtime.TypeMeta is apiVersion = 1, kind = 2 (not meta.v1 order)", () => {
  assert.deepEqual(decodeTypeMeta(Uint8Array.of(0x0a, 0x01, 0x61, 0x12, 0x01, 0x62)), {
    apiVersion: "a",
    kind: "b",
  });
});

Deno.test("envelope: encoding writes empty contentEncoding and contentType", () => {
  const body = encodeEnvelope({ apiVersion: "v1", kind: "X" }, Uint8Array.of(1, 2));
  assert.deepEqual([...body.subarray(-8)], [0x12, 0x02, 1, 2, 0x1a, 0x00, 0x22, 0x00]);
});

Deno.test("envelope: an empty typeMeta is still written (as in the WatchEvent fixture)", () => {
  const body = encodeEnvelope({ apiVersion: "", kind: "" }, new Uint8Array(0));
  assert.deepEqual([...body.subarray(4, 10)], [0x0a, 0x04, 0x0a, 0x00, 0x12, 0x00]);
});

Deno.test("envelope: a JSON body is rejected for lacking the magic", () => {
  assert.throws(() => decodeEnvelope(text('{"kind":"Pod"}')), /magic prefix is missing/);
});

Deno.test("envelope: bodies shorter than the magic or with another style byte are rejected", () => {
  assert.equal(hasMagic(Uint8Array.of(0x6b, 0x38, 0x73)), false);
  assert.equal(hasMagic(Uint8Array.of(0x6b, 0x38, 0x73, 0x01)), false);
  assert.throws(() => decodeEnvelope(new Uint8Array(0)), ProtobufError);
});

Deno.test("envelope: a truncated Unknown fails with ProtobufError", () => {
  const body = readPb("core.v1.ConfigMap");
  assert.throws(() => decodeEnvelope(body.subarray(0, 30)), ProtobufError);
});

Deno.test("envelope: an Unknown without raw is rejected", () => {
  const body = Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x0a, 0x00);
  assert.throws(() => decodeEnvelope(body), /no raw object/);
});

Deno.test("envelope: unknown envelope fields are skipped", () => {
  const body = Uint8Array.of(0x6b, 0x38, 0x73, 0x00, 0x28, 0x05, 0x12, 0x01, 0x07);
  assert.deepEqual(decodeEnvelope(body).raw, Uint8Array.of(0x07));
});

Deno.test("envelope: requirePlain refuses a contentEncoding", () => {
  const body = encodeEnvelope({ apiVersion: "v1", kind: "X" }, Uint8Array.of(1), "gzip");
  assert.throws(() => requirePlain(decodeEnvelope(body)), /encoding "gzip"/);
});
