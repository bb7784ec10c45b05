/**
 * `src/kube/protobuf/binary.ts` against `@bufbuild/protobuf/wire`, which it replaces in the
 * agent: the same bytes written, the same values read, the same inputs refused.
 */
import assert from "node:assert/strict";
import * as reference from "@bufbuild/protobuf/wire";
import { BinaryReader, BinaryWriter, WireType } from "../../../src/kube/protobuf/binary.ts";

const INTEGERS = [
  0,
  1,
  127,
  128,
  300,
  16_383,
  16_384,
  2 ** 21,
  2 ** 28 - 1,
  2 ** 28,
  2 ** 31 - 1,
  -1,
  -300,
  -(2 ** 31),
];
const BIG = [0n, 1n, 2n ** 35n, 2n ** 53n + 1n, 2n ** 63n - 1n, -1n, -(2n ** 63n), -(2n ** 40n)];
const STRINGS = ["", "a", "pods", "x".repeat(32), "y".repeat(33), "grüße", "🙂".repeat(40)];

/** Writes the same fields with both writers; they must give the same bytes. */
function both(write: (writer: BinaryWriter | reference.BinaryWriter) => void): Uint8Array {
  const ours = new BinaryWriter();
  const theirs = new reference.BinaryWriter();
  write(ours);
  write(theirs);
  const bytes = ours.finish();
  assert.deepEqual(bytes, theirs.finish());
  return bytes;
}

Deno.test("binary: the writer gives @bufbuild/protobuf's bytes", () => {
  both((w) => {
    for (const [i, value] of INTEGERS.entries()) {
      w.tag(i + 1, WireType.Varint).int32(value);
      if (value >= 0) w.tag(i + 1, WireType.Varint).uint32(value);
      w.tag(i + 1, WireType.Varint).int64(value);
    }
    for (const value of BIG) w.tag(20, WireType.Varint).int64(value);
    for (const text of STRINGS) w.tag(536_870_911, WireType.LengthDelimited).string(text);
    w.tag(3, WireType.LengthDelimited).bytes(new Uint8Array(200).fill(7));
  });
});

Deno.test("binary: fork and join, nested and long enough to need a wider length prefix", () => {
  both((w) => {
    w.tag(1, WireType.LengthDelimited).fork().tag(2, WireType.LengthDelimited).string("a");
    w.tag(3, WireType.LengthDelimited).fork().string("z".repeat(20_000)).join();
    w.tag(4, WireType.Varint).int32(-5).join().tag(5, WireType.LengthDelimited).string("end");
  });
  const writer = new BinaryWriter();
  assert.throws(() => writer.join(), /fork stack empty/);
});

Deno.test("binary: the reader reads what either writer wrote", () => {
  const bytes = both((w) => {
    for (const value of INTEGERS) w.tag(1, WireType.Varint).int32(value);
    for (const value of BIG) w.tag(2, WireType.Varint).int64(value);
    for (const text of STRINGS) w.tag(3, WireType.LengthDelimited).string(text);
    w.tag(4, WireType.Varint).uint32(2 ** 32 - 1).tag(5, WireType.Varint).int32(0);
    w.tag(6, WireType.Varint).int32(1);
  });
  const ours = new BinaryReader(bytes);
  const theirs = new reference.BinaryReader(bytes);
  const read = <T>(f: (r: BinaryReader | reference.BinaryReader) => T) => {
    const value = f(ours);
    assert.deepEqual(value, f(theirs));
    return value;
  };
  for (const value of INTEGERS) {
    assert.deepEqual(read((r) => r.tag()), [1, WireType.Varint]);
    assert.equal(read((r) => r.int32()), value);
  }
  for (const value of BIG) {
    read((r) => r.tag());
    assert.equal(read((r) => r.int64()), value);
  }
  for (const text of STRINGS) {
    read((r) => r.tag());
    assert.equal(read((r) => r.string()), text);
  }
  read((r) => r.tag());
  assert.equal(read((r) => r.uint32()), 2 ** 32 - 1);
  read((r) => r.tag());
  assert.equal(read((r) => r.bool()), false);
  read((r) => r.tag());
  assert.equal(read((r) => r.bool()), true);
  assert.equal(ours.pos, ours.len);
});

Deno.test("binary: skip returns each wire type's bytes, groups included", () => {
  const bytes = both((w) => {
    w.tag(1, WireType.Varint).int64(-1n);
    w.tag(2, WireType.LengthDelimited).bytes(Uint8Array.of(1, 2, 3));
    w.tag(3, WireType.StartGroup).tag(4, WireType.Varint).uint32(9).tag(3, WireType.EndGroup);
  });
  const withFixed = Uint8Array.of(...bytes, 0x2d, 1, 2, 3, 4, 0x31, 1, 2, 3, 4, 5, 6, 7, 8);
  const ours = new BinaryReader(withFixed);
  const theirs = new reference.BinaryReader(withFixed);
  while (ours.pos < ours.len) {
    const [no, type] = ours.tag();
    theirs.tag();
    assert.deepEqual(ours.skip(type, no), theirs.skip(type, no));
    assert.equal(ours.pos, theirs.pos);
  }
});

Deno.test("binary: the reader refuses what @bufbuild/protobuf refuses, with its messages", () => {
  const cases: [string, Uint8Array, (r: BinaryReader | reference.BinaryReader) => unknown][] = [
    ["a truncated varint", Uint8Array.of(0x80), (r) => r.uint32()],
    ["a truncated int64", Uint8Array.of(0xff, 0xff), (r) => r.int64()],
    ["an overlong varint", new Uint8Array(11).fill(0xff), (r) => r.uint32()],
    ["an overlong int64", new Uint8Array(11).fill(0xff), (r) => r.int64()],
    ["a truncated string", Uint8Array.of(5, 0x61), (r) => r.string()],
    ["truncated bytes", Uint8Array.of(0x80, 0x01), (r) => r.bytes()],
    ["field number 0", Uint8Array.of(0x02), (r) => r.tag()],
    ["wire type 7", Uint8Array.of(0x0f), (r) => r.tag()],
    ["an overflowing tag", Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x1f), (r) => r.tag()],
    ["a skipped varint cut", Uint8Array.of(0x80), (r) => r.skip(WireType.Varint)],
    ["a skipped fixed64 cut", Uint8Array.of(1, 2), (r) => r.skip(WireType.Bit64)],
    ["an end group", Uint8Array.of(), (r) => r.skip(WireType.EndGroup)],
    ["a bad group end", Uint8Array.of(0x2c), (r) => r.skip(WireType.StartGroup, 3)],
  ];
  for (const [what, bytes, read] of cases) {
    const message = (reader: BinaryReader | reference.BinaryReader) => {
      try {
        read(reader);
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
      return "no error";
    };
    const expected = message(new reference.BinaryReader(bytes));
    assert.notEqual(expected, "no error", what);
    assert.equal(message(new BinaryReader(bytes)), expected, what);
  }
});

Deno.test("binary: the writer refuses integers out of range", () => {
  const writer = new BinaryWriter();
  assert.throws(() => writer.uint32(-1), /invalid uint32/);
  assert.throws(() => writer.uint32(2 ** 32), /invalid uint32/);
  assert.throws(() => writer.int32(2 ** 31), /invalid int32/);
  assert.throws(() => writer.int32(1.5), /invalid int32/);
});
