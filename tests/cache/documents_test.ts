import assert from "node:assert/strict";
import { getDocument, MAX_DOCUMENT_BYTES, putDocument } from "../../src/cache/documents.ts";

const fixture = (name: string) =>
  Deno.readFile(new URL(`../../../shared/fixtures/captured/${name}`, import.meta.url));

Deno.test("documents: a stored document reads back with its content type", async () => {
  using kv = await Deno.openKv(":memory:");
  const bytes = new TextEncoder().encode('{"major":"1","minor":"36"}');
  await putDocument(kv, { path: "/version", transform: "" }, "application/json", bytes);
  const doc = await getDocument(kv, { path: "/version", transform: "" });
  assert.deepEqual(doc?.contentType, "application/json");
  assert.deepEqual(doc?.bytes, bytes);
});

Deno.test("documents: the transform is part of the key", async () => {
  using kv = await Deno.openKv(":memory:");
  const plain = new TextEncoder().encode('{"kind":"APIGroupList"}');
  const aggregated = new TextEncoder().encode('{"kind":"APIGroupDiscoveryList"}');
  const transform = "as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2";
  await putDocument(kv, { path: "/apis", transform: "" }, "application/json", plain);
  await putDocument(kv, { path: "/apis", transform }, "application/json", aggregated);
  assert.deepEqual((await getDocument(kv, { path: "/apis", transform: "" }))?.bytes, plain);
  assert.deepEqual((await getDocument(kv, { path: "/apis", transform }))?.bytes, aggregated);
});

Deno.test("documents: a missing document is null", async () => {
  using kv = await Deno.openKv(":memory:");
  assert.deepEqual(await getDocument(kv, { path: "/api", transform: "" }), null);
});

Deno.test("documents: a document larger than one KV value (aggregated discovery ×20) round-trips", async () => {
  using kv = await Deno.openKv(":memory:");
  const one = await fixture("kubernetes.discovery.aggregated-v2.APIGroupDiscoveryList.json");
  const big = new Uint8Array(one.byteLength * 20);
  for (let i = 0; i < 20; i++) big.set(one, i * one.byteLength);
  await putDocument(kv, { path: "/apis", transform: "" }, "application/json", big);
  const doc = await getDocument(kv, { path: "/apis", transform: "" });
  assert.deepEqual(doc?.bytes.byteLength, big.byteLength);
  assert.deepEqual(doc?.bytes, big);
});

Deno.test("documents: replacing a document deletes the old chunks", async () => {
  using kv = await Deno.openKv(":memory:");
  const key = { path: "/api/v1", transform: "" };
  await putDocument(kv, key, "application/json", new Uint8Array(200_000).fill(1));
  await putDocument(kv, key, "application/json", new Uint8Array(10).fill(2));
  let chunks = 0;
  for await (const _ of kv.list({ prefix: ["documents", "chunk"] })) chunks++;
  assert.deepEqual(chunks, 1);
  assert.deepEqual((await getDocument(kv, key))?.bytes, new Uint8Array(10).fill(2));
});

Deno.test("documents: an empty document round-trips", async () => {
  using kv = await Deno.openKv(":memory:");
  await putDocument(kv, { path: "/x", transform: "" }, "text/plain", new Uint8Array());
  const doc = await getDocument(kv, { path: "/x", transform: "" });
  assert.ok(doc);
  assert.deepEqual(doc.bytes.byteLength, 0);
});

Deno.test("documents: a document over the size cap is refused", async () => {
  using kv = await Deno.openKv(":memory:");
  await assert.rejects(
    () =>
      putDocument(
        kv,
        { path: "/apis", transform: "" },
        "application/json",
        new Uint8Array(MAX_DOCUMENT_BYTES + 1),
      ),
    RangeError,
  );
});
