import assert from "node:assert/strict";
import { putDocument } from "../../../src/cache/documents.ts";
import { openHarness } from "./harness.ts";

const fixture = (name: string) =>
  Deno.readFile(new URL(`../../../../shared/fixtures/captured/${name}`, import.meta.url));

const AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
const CLIENT_GO_ACCEPT =
  `${AGGREGATED},application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json`;
const AGGREGATED_KEY = "as=APIGroupDiscoveryList;g=apidiscovery.k8s.io;v=v2";

Deno.test("offline discovery: /version is answered from the stored document", async () => {
  await using h = await openHarness();
  const version = new TextEncoder().encode('{"major":"1","minor":"36","gitVersion":"v1.36.0"}');
  await putDocument(h.store.kv, { path: "/version", transform: "" }, "application/json", version);
  const response = await h.fetch("/version");
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), version);
});

Deno.test("offline discovery: /apis with client-go's Accept gets aggregated discovery", async () => {
  await using h = await openHarness();
  const plain = await fixture("kubernetes.discovery.api.APIVersions.json");
  const aggregated = await fixture("kubernetes.discovery.aggregated-v2.APIGroupDiscoveryList.json");
  await putDocument(h.store.kv, { path: "/apis", transform: "" }, "application/json", plain);
  await putDocument(
    h.store.kv,
    { path: "/apis", transform: AGGREGATED_KEY },
    AGGREGATED,
    aggregated,
  );
  const response = await h.fetch("/apis", { headers: { accept: CLIENT_GO_ACCEPT } });
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), AGGREGATED);
  assert.deepEqual(new Uint8Array(await response.arrayBuffer()), aggregated);
  const legacy = await h.fetch("/apis/", { headers: { accept: "application/json" } });
  assert.deepEqual(new Uint8Array(await legacy.arrayBuffer()), plain);
});

Deno.test("offline discovery: only the plain document stored → client-go gets it as fallback", async () => {
  await using h = await openHarness();
  const plain = await fixture("kubernetes.discovery.api-v1.APIResourceList.json");
  await putDocument(h.store.kv, { path: "/api/v1", transform: "" }, "application/json", plain);
  const response = await h.fetch("/api/v1", { headers: { accept: CLIENT_GO_ACCEPT } });
  assert.deepEqual(response.status, 200);
  assert.deepEqual(response.headers.get("content-type"), "application/json");
  await response.body?.cancel();
});

Deno.test("offline discovery: aggregated-only Accept and only the plain document → 406", async () => {
  await using h = await openHarness();
  const plain = await fixture("kubernetes.discovery.api.APIVersions.json");
  await putDocument(h.store.kv, { path: "/api", transform: "" }, "application/json", plain);
  const response = await h.fetch("/api", { headers: { accept: AGGREGATED } });
  assert.deepEqual(response.status, 406);
  await response.body?.cancel();
});

Deno.test("offline discovery: a document never stored → 503 with Retry-After", async () => {
  await using h = await openHarness();
  const response = await h.fetch("/apis/apps/v1");
  assert.deepEqual(response.status, 503);
  assert.deepEqual(response.headers.get("retry-after"), "3");
  await response.body?.cancel();
});
