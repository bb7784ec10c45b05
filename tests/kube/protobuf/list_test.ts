import assert from "node:assert/strict";
import { TruncatedBody } from "../../../src/streams/ordered_transform.ts";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import type { ListMeta, ListPart, RawObject } from "../../../src/kube/types.ts";
import { decodeEnvelope } from "../../../src/kube/protobuf/envelope.ts";
import {
  decodeList,
  ListParser,
  protobufListDecoder,
} from "../../../src/kube/protobuf/list_decoder.ts";
import { encodeListChunks } from "../../../src/kube/protobuf/list_encoder.ts";
import { setName } from "../../../src/kube/protobuf/rewrite.ts";
import { ProtobufError } from "../../../src/kube/protobuf/wire.ts";
import { PB_FIXTURES, readJson, readPb } from "./fixtures.ts";

const LD = WireType.LengthDelimited;

interface GoListOptions {
  apiVersion: string;
  kind: string;
  resourceVersion: string;
  continue: string;
  remainingItemCount?: number;
  items: Uint8Array[];
  /** Extra bytes appended inside the list and after the envelope fields (unknown fields). */
  extraInList?: Uint8Array;
  extraInEnvelope?: Uint8Array;
  contentEncoding?: string;
}

/** A list laid out as Go's generated marshaller writes it, built independently with fork/join. */
function goList(o: GoListOptions): Uint8Array {
  const w = new BinaryWriter().raw(Uint8Array.of(0x6b, 0x38, 0x73, 0x00));
  w.tag(1, LD).fork().tag(1, LD).string(o.apiVersion).tag(2, LD).string(o.kind).join();
  w.tag(2, LD).fork();
  w.tag(1, LD).fork().tag(1, LD).string("").tag(2, LD).string(o.resourceVersion)
    .tag(3, LD).string(o.continue);
  if (o.remainingItemCount !== undefined) w.tag(4, WireType.Varint).int64(o.remainingItemCount);
  w.join();
  for (const item of o.items) w.tag(2, LD).bytes(item);
  if (o.extraInList) w.raw(o.extraInList);
  w.join();
  w.tag(3, LD).string(o.contentEncoding ?? "").tag(4, LD).string("");
  if (o.extraInEnvelope) w.raw(o.extraInEnvelope);
  return w.finish();
}

function concat(chunks: Iterable<Uint8Array>): Uint8Array {
  const list = [...chunks];
  const out = new Uint8Array(list.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of list) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

const configMap = decodeEnvelope(readPb("core.v1.ConfigMap")).raw;
const configMaps = ["a", "b", "c"].map((name) => setName(configMap, name));
const listMeta = { resourceVersion: "1234", continue: "token", remainingItemCount: 9 };
const listTypeMeta = { apiVersion: "v1", kind: "ConfigMapList" };
const expectedBody = goList({ ...listTypeMeta, ...listMeta, items: configMaps });

function items(parts: ListPart[]): RawObject[] {
  return parts.flatMap((part) => part.type === "item" ? [part.object] : []);
}

Deno.test("list: encodeListChunks writes the list exactly as Go's marshaller does", () => {
  assert.deepEqual(concat(encodeListChunks(listTypeMeta, listMeta, configMaps)), expectedBody);
});

Deno.test("list: remainingItemCount is written only when set", () => {
  const { remainingItemCount: _, ...withoutCount } = listMeta;
  assert.deepEqual(
    concat(encodeListChunks(listTypeMeta, withoutCount, configMaps)),
    goList({ ...listTypeMeta, ...withoutCount, items: configMaps }),
  );
});

Deno.test("list: chunks are full-size except the last, items larger than a chunk split", () => {
  const pod = decodeEnvelope(readPb("core.v1.Pod")).raw;
  const pods = [pod, setName(pod, "p2")];
  const chunks = [...encodeListChunks({ apiVersion: "v1", kind: "PodList" }, listMeta, pods, 4096)];
  for (const chunk of chunks.slice(0, -1)) assert.equal(chunk.length, 4096);
  assert.ok(chunks[chunks.length - 1].length <= 4096);
  assert.deepEqual(
    concat(chunks),
    goList({ apiVersion: "v1", kind: "PodList", ...listMeta, items: pods }),
  );
});

Deno.test("list: decodeList yields the meta part first, then items as views of the body", () => {
  const parts = decodeList(expectedBody);
  assert.deepEqual(parts[0], { type: "meta", meta: { ...listTypeMeta, ...listMeta } });
  const decoded = items(parts);
  assert.equal(decoded.length, 3);
  decoded.forEach((object, i) => {
    assert.deepEqual(object.bytes, configMaps[i]);
    assert.equal(object.bytes.buffer, expectedBody.buffer, "not copied");
    assert.deepEqual(object.typeMeta, { apiVersion: "v1", kind: "ConfigMap" });
    assert.equal(object.meta.name, ["a", "b", "c"][i]);
  });
});

Deno.test("list: an empty list yields only its meta part", () => {
  const body = goList({ ...listTypeMeta, resourceVersion: "7", continue: "", items: [] });
  assert.deepEqual(decodeList(body), [{
    type: "meta",
    meta: { ...listTypeMeta, resourceVersion: "7", continue: "" },
  }]);
});

for (const name of PB_FIXTURES) {
  if (readJson(name).metadata === undefined || name === "core.v1.Status") continue;
  Deno.test(`list: a ${name} list re-splits to the same items and re-encodes identically`, () => {
    const envelope = decodeEnvelope(readPb(name));
    const typeMeta = { apiVersion: envelope.apiVersion, kind: `${envelope.kind}List` };
    const originals = [envelope.raw, setName(envelope.raw, "second")];
    const body = concat(encodeListChunks(typeMeta, listMeta, originals, 1000));
    const parts = decodeList(body);
    const meta = (parts[0] as { meta: ListMeta }).meta;
    const objects = items(parts);
    assert.deepEqual(objects.map((o) => o.bytes), originals);
    assert.deepEqual(concat(encodeListChunks(meta, meta, objects.map((o) => o.bytes))), body);
  });
}

async function streamParts(chunks: Uint8Array[]): Promise<ListPart[]> {
  const parts: ListPart[] = [];
  const stream = ReadableStream.from(chunks).pipeThrough(protobufListDecoder());
  for await (const part of stream) parts.push(part);
  return parts;
}

Deno.test("list: the stream decoder gives the same parts at every two-chunk split", async () => {
  const whole = decodeList(expectedBody);
  for (let cut = 0; cut <= expectedBody.length; cut++) {
    const parts = await streamParts([expectedBody.subarray(0, cut), expectedBody.subarray(cut)]);
    assert.deepEqual(parts, whole, `cut at ${cut}`);
  }
});

Deno.test("list: the stream decoder handles one-byte chunks", async () => {
  const chunks = Array.from(expectedBody, (byte) => Uint8Array.of(byte));
  assert.deepEqual(await streamParts(chunks), decodeList(expectedBody));
});

Deno.test("list: a body cut short anywhere but between envelope fields fails cleanly", () => {
  // Cutting right before contentEncoding or contentType leaves a valid body (both optional).
  const valid = [expectedBody.length - 4, expectedBody.length - 2];
  for (const cut of valid) assert.equal(decodeList(expectedBody.subarray(0, cut)).length, 4);
  for (let cut = 0; cut < expectedBody.length; cut++) {
    if (valid.includes(cut)) continue;
    assert.throws(() => decodeList(expectedBody.subarray(0, cut)), ProtobufError, `cut ${cut}`);
  }
});

Deno.test("list: a truncated stream errors the stream", async () => {
  await assert.rejects(
    streamParts([expectedBody.subarray(0, 500)]),
    (error) => error instanceof TruncatedBody && error.cause instanceof ProtobufError,
  );
});

Deno.test("list: a body without the k8s magic (JSON) is rejected", () => {
  const json = new TextEncoder().encode('{"kind":"ConfigMapList","items":[]}');
  assert.throws(() => decodeList(json), /magic prefix is missing/);
});

Deno.test("list: unknown fields in the list and the envelope are skipped", () => {
  const unknown = new BinaryWriter()
    .tag(9, WireType.Varint).int64(5)
    .tag(15, LD).bytes(new Uint8Array(300))
    .tag(16, WireType.Bit64).fixed64(1)
    .finish();
  const body = goList({
    ...listTypeMeta,
    ...listMeta,
    items: configMaps,
    extraInList: unknown,
    extraInEnvelope: unknown,
  });
  assert.deepEqual(decodeList(body), decodeList(expectedBody));
});

Deno.test("list: a non-list kind is rejected", () => {
  const body = goList({ apiVersion: "v1", kind: "ConfigMap", ...listMeta, items: [] });
  assert.throws(() => decodeList(body), /expected a protobuf list/);
});

Deno.test("list: an item over maxElementBytes fails before it is buffered", () => {
  const parser = new ListParser({ maxElementBytes: 100 });
  assert.throws(() => parser.push(expectedBody, () => {}), /exceeds the 100 byte limit/);
});

Deno.test("list: items before the ListMeta are rejected", () => {
  const w = new BinaryWriter().raw(Uint8Array.of(0x6b, 0x38, 0x73, 0x00));
  w.tag(1, LD).fork().tag(1, LD).string("v1").tag(2, LD).string("ConfigMapList").join();
  w.tag(2, LD).fork().tag(2, LD).bytes(configMap).join();
  assert.throws(() => decodeList(w.finish()), /items precede the ListMeta/);
});

Deno.test("list: a compressed (contentEncoding) list is rejected", () => {
  const body = goList({ ...listTypeMeta, ...listMeta, items: [], contentEncoding: "gzip" });
  assert.throws(() => decodeList(body), /contentEncoding/);
});

Deno.test("list: a field overrunning the list length is rejected", () => {
  const broken = expectedBody.slice();
  // The envelope's raw length is the 2-byte varint after the typeMeta; shrink it.
  const rawLengthAt = 4 + 2 + 17 + 1;
  broken[rawLengthAt] -= 1;
  assert.throws(() => decodeList(broken), ProtobufError);
});

Deno.test("list: generated item sizes and chunk sizes encode as Go's marshaller does", () => {
  let seed = 0x5eed;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  // Lengths around the varint steps (1, 2 and 3 bytes) and empty items.
  const sizes = [0, 1, 127, 128, 129, 16383, 16384, 16385, 70000];
  for (let round = 0; round < 60; round++) {
    const count = Math.floor(random() * 12);
    const pods = Array.from({ length: count }, () => {
      const length = random() < 0.5
        ? sizes[Math.floor(random() * sizes.length)]
        : Math.floor(random() * 400);
      return Uint8Array.from({ length }, (_, i) => (i * 31 + length) & 0xff);
    });
    const chunkBytes = 1 + Math.floor(random() * (random() < 0.3 ? 16 : 5000));
    const meta = {
      resourceVersion: String(round),
      continue: round % 2 ? "" : "next",
      ...(round % 3 ? {} : { remainingItemCount: round }),
    };
    const typeMeta = { apiVersion: "v1", kind: "PodList" };
    const chunks = [...encodeListChunks(typeMeta, meta, pods, chunkBytes)];
    for (const chunk of chunks.slice(0, -1)) assert.equal(chunk.length, chunkBytes);
    for (const chunk of chunks) assert.ok(pods.every((pod) => pod.buffer !== chunk.buffer));
    assert.deepEqual(concat(chunks), goList({ ...typeMeta, ...meta, items: pods }), `${round}`);
  }
});
