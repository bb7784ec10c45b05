import assert from "node:assert/strict";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import {
  readObjectMeta,
  readObjectMetaDetails,
  readTime,
} from "../../../src/kube/protobuf/object_meta.ts";

const LD = WireType.LengthDelimited;

function objectWithMeta(build: (w: BinaryWriter) => void): Uint8Array {
  const w = new BinaryWriter().tag(1, LD).fork();
  build(w);
  return w.join().tag(2, LD).string("spec").finish();
}

function label(w: BinaryWriter, key: string, value: string) {
  w.tag(11, LD).fork().tag(1, LD).string(key).tag(2, LD).string(value).join();
}

Deno.test("object meta: reads name, namespace, uid, resourceVersion and every label", () => {
  const object = objectWithMeta((w) => {
    w.tag(1, LD).string("n").tag(3, LD).string("ns").tag(5, LD).string("u")
      .tag(6, LD).string("9");
    label(w, "a", "1");
    label(w, "b", "2");
  });
  assert.deepEqual(readObjectMeta(object), {
    name: "n",
    namespace: "ns",
    uid: "u",
    resourceVersion: "9",
    labels: { a: "1", b: "2" },
  });
});

Deno.test("object meta: an object without metadata reads as empty", () => {
  const object = new BinaryWriter().tag(2, LD).string("spec").finish();
  assert.deepEqual(readObjectMeta(object), {
    name: "",
    namespace: "",
    uid: "",
    resourceVersion: "",
    labels: {},
  });
});

Deno.test("object meta: unknown metadata fields are skipped", () => {
  const object = objectWithMeta((w) => {
    w.tag(99, WireType.Varint).int64(1).tag(98, LD).string("x").tag(1, LD).string("n");
  });
  assert.equal(readObjectMeta(object).name, "n");
});

Deno.test("object meta: a __proto__ label key becomes an own property", () => {
  const object = objectWithMeta((w) => label(w, "__proto__", "x"));
  const { labels } = readObjectMeta(object);
  assert.equal(Object.getPrototypeOf(labels), Object.prototype);
  assert.deepEqual(Object.entries(labels), [["__proto__", "x"]]);
});

Deno.test("object meta: details leave empty fields out, zero creationTimestamp is null", () => {
  const object = objectWithMeta((w) => {
    w.tag(1, LD).string("n").tag(2, LD).string("").tag(7, WireType.Varint).int64(0)
      .tag(8, LD).bytes(new Uint8Array(0));
  });
  assert.deepEqual(readObjectMetaDetails(object), { name: "n", creationTimestamp: null });
});

Deno.test("object meta: Time renders RFC 3339 seconds, nanos dropped", () => {
  const time = new BinaryWriter().tag(1, WireType.Varint).int64(1199149261)
    .tag(2, WireType.Varint).int32(5).finish();
  assert.equal(readTime(time), "2008-01-01T01:01:01Z");
});
