import { assert, assertEquals, assertRejects } from "../assert.ts";
import { encodedKeySize, MAX_KEY_BYTES, queryKey } from "../../src/cache/keys.ts";
import { encodeRecord, MAX_VALUE_BYTES, readHeader, recordObject } from "../../src/cache/record.ts";
import { CacheStore } from "../../src/cache/store.ts";
import { collect, pod, podQuery, recordOf, storeList } from "./helpers.ts";

Deno.test("keys: encodedKeySize matches Deno KV's 2,048-byte key limit (ASCII, UTF-8, NUL)", async () => {
  using kv = await Deno.openKv(":memory:");
  for (const unit of ["k", "é", "€", "😀", "\0"]) {
    let text = "";
    while (encodedKeySize(["c", 7, text + unit]) <= MAX_KEY_BYTES) text += unit;
    await kv.set(["c", 7, text], 1);
    await assertRejects(() => kv.set(["c", 7, text + unit], 1), TypeError, "Key too large");
  }
});

Deno.test("keys: a query too long for a key is keyed by a digest, and still round-trips", async () => {
  const long = podQuery({
    labelSelector: `app in (${Array.from({ length: 300 }, (_, i) => `a${i}`)})`,
  });
  const other = { ...long, labelSelector: long.labelSelector.replace("a1,", "b1,") };
  assert(encodedKeySize(queryKey(long)) <= MAX_KEY_BYTES);
  assert(JSON.stringify(queryKey(long)) !== JSON.stringify(queryKey(other)));
  await using store = await CacheStore.open(":memory:");
  await storeList(store, long, [pod("a", "1")], "10");
  const record = await recordOf(store, long);
  assertEquals(record?.labelSelector, long.labelSelector);
  assertEquals((await collect(store.listObjects(record!))).length, 1);
});

Deno.test("record: a small object is one value with its header and exact bytes", () => {
  const object = pod("a", "42");
  const record = encodeRecord(object, "application/json", 1234);
  assertEquals(record.parts, []);
  const header = readHeader(record.value);
  assertEquals([header.meta, header.mediaType, header.storedAt], [
    object.meta,
    "application/json",
    1234,
  ]);
  const stored = recordObject(record.value, header);
  assertEquals([stored.bytes, stored.fields, stored.typeMeta], [
    object.bytes,
    object.fields,
    object.typeMeta,
  ]);
});

Deno.test("record: an object over 64 KiB is split into parts of at most 65,536 bytes", () => {
  const object = pod("big", "1", { size: 200_000 });
  const record = encodeRecord(object, "application/json", 1);
  const blob = readHeader(record.value).blob!;
  assertEquals([blob.parts, blob.size], [4, object.bytes.byteLength]);
  assert(record.parts.every((part) => part.byteLength <= MAX_VALUE_BYTES));
  assert(record.value.byteLength < 1024);
  const joined = new Uint8Array(blob.size);
  let offset = 0;
  for (const part of record.parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  assertEquals(joined, object.bytes);
});

Deno.test("record: a value that is not a record is refused", () => {
  for (
    const value of [
      new Uint8Array(0),
      new TextEncoder().encode('{"id":1}'),
      new Uint8Array([1, 0, 0, 9, 9]),
    ]
  ) {
    let refused = false;
    try {
      readHeader(value);
    } catch (error) {
      refused = error instanceof TypeError;
    }
    assert(refused, `refused ${value}`);
  }
});
