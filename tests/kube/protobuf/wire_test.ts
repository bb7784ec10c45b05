import assert from "node:assert/strict";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  fieldHeader,
  guard,
  peekElementHeader,
  ProtobufError,
  stringField,
} from "../../../src/kube/protobuf/wire.ts";

Deno.test("wire: fieldHeader writes tag and varint length", () => {
  assert.deepEqual([...fieldHeader(2, 300)], [0x12, 0xac, 0x02]);
});

Deno.test("wire: stringField writes empty strings too", () => {
  assert.deepEqual([...stringField(3, "")], [0x1a, 0x00]);
});

Deno.test("wire: peekElementHeader reads each wire type", () => {
  const bytes = new BinaryWriter().tag(2, WireType.LengthDelimited).uint32(300).finish();
  assert.deepEqual(peekElementHeader(bytes), {
    fieldNo: 2,
    wireType: WireType.LengthDelimited,
    headerLength: 3,
    bodyLength: 300,
  });
  const varint = new BinaryWriter().tag(7, WireType.Varint).int64(-1).finish();
  assert.deepEqual(peekElementHeader(varint), {
    fieldNo: 7,
    wireType: WireType.Varint,
    headerLength: 11,
    bodyLength: 0,
  });
  assert.equal(peekElementHeader(Uint8Array.of(0x0d))?.bodyLength, 4);
  assert.equal(peekElementHeader(Uint8Array.of(0x09))?.bodyLength, 8);
});

Deno.test("wire: peekElementHeader asks for more bytes on a cut header", () => {
  assert.equal(peekElementHeader(new Uint8Array(0)), undefined);
  assert.equal(peekElementHeader(Uint8Array.of(0x12, 0xac)), undefined);
  assert.equal(peekElementHeader(Uint8Array.of(0x08, 0xff, 0xff)), undefined);
});

Deno.test("wire: peekElementHeader rejects groups, field 0 and overlong varints", () => {
  assert.throws(() => peekElementHeader(Uint8Array.of(0x0b)), /unsupported wire type 3/);
  assert.throws(() => peekElementHeader(Uint8Array.of(0x02, 0x00)), ProtobufError);
  assert.throws(() => peekElementHeader(new Uint8Array(15).fill(0xff)), ProtobufError);
  const hugeLength = Uint8Array.of(0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01);
  assert.throws(() => peekElementHeader(hugeLength), /overflows uint32/);
});

Deno.test("wire: guard wraps foreign errors and keeps ProtobufError", () => {
  assert.throws(() =>
    guard("reading x", () => {
      throw new RangeError("premature EOF");
    }), (e) => e instanceof ProtobufError && e.message === "reading x: premature EOF");
  const own = new ProtobufError("own");
  assert.throws(() =>
    guard("ctx", () => {
      throw own;
    }), (e) => e === own);
});
