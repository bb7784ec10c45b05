import assert from "node:assert/strict";
import { protobufCodec } from "../../../src/kube/protobuf/codec.ts";
import { setName, setNamespace, setResourceVersion } from "../../../src/kube/protobuf/rewrite.ts";
import { nextResourceVersion } from "../../../src/proxy/local/leases.ts";
import { json, openHarness, queryOf, rawJson } from "./harness.ts";

const LEASES = "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases";

function lease(rv?: string, renewTime = "2026-01-01T00:00:00.000000Z") {
  return {
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    metadata: {
      name: "edge-1",
      namespace: "kube-node-lease",
      ...(rv ? { resourceVersion: rv } : {}),
    },
    spec: { holderIdentity: "edge-1", leaseDurationSeconds: 40, renewTime },
  };
}

const put = (body: unknown) => ({
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});
const rvOf = async (response: Response) =>
  ((await json(response)).metadata as { resourceVersion: string }).resourceVersion;

Deno.test("offline lease: GET of an unknown lease → 404, so kubelet creates it", async () => {
  await using h = await openHarness();
  const response = await h.fetch(`${LEASES}/edge-1`);
  assert.deepEqual(response.status, 404);
  assert.deepEqual((await json(response)).details, {
    name: "edge-1",
    group: "coordination.k8s.io",
    kind: "leases",
  });
});

Deno.test("offline lease: create, GET, and an update loop count the resourceVersion up", async () => {
  await using h = await openHarness();
  const created = await h.fetch(LEASES, { ...put(lease()), method: "POST" });
  assert.deepEqual(created.status, 201);
  let rv = await rvOf(created);
  assert.deepEqual(rv, "1");
  for (let i = 0; i < 3; i++) {
    const got = await h.fetch(`${LEASES}/edge-1`);
    assert.deepEqual(await rvOf(got), rv);
    const updated = await h.fetch(
      `${LEASES}/edge-1`,
      put(lease(rv, `2026-01-01T00:00:0${i}.000000Z`)),
    );
    assert.deepEqual(updated.status, 200);
    const next = await rvOf(updated);
    assert.deepEqual(next, String(Number(rv) + 1));
    rv = next;
  }
  const last = await json(await h.fetch(`${LEASES}/edge-1`));
  assert.deepEqual((last.spec as { renewTime: string }).renewTime, "2026-01-01T00:00:02.000000Z");
});

Deno.test("offline lease: an update with a stale resourceVersion → 409 Conflict", async () => {
  await using h = await openHarness();
  await (await h.fetch(LEASES, { ...put(lease()), method: "POST" })).body?.cancel();
  await (await h.fetch(`${LEASES}/edge-1`, put(lease("1")))).body?.cancel();
  const stale = await h.fetch(`${LEASES}/edge-1`, put(lease("1")));
  assert.deepEqual(stale.status, 409);
  assert.deepEqual((await json(stale)).reason, "Conflict");
});

Deno.test("offline lease: a create of an existing lease → 409 AlreadyExists", async () => {
  await using h = await openHarness();
  await (await h.fetch(LEASES, { ...put(lease()), method: "POST" })).body?.cancel();
  const again = await h.fetch(LEASES, { ...put(lease()), method: "POST" });
  assert.deepEqual(again.status, 409);
  assert.deepEqual((await json(again)).reason, "AlreadyExists");
});

Deno.test("offline lease: an update without a resourceVersion → 422; of a missing lease → 404", async () => {
  await using h = await openHarness();
  const missing = await h.fetch(`${LEASES}/edge-1`, put(lease("3")));
  assert.deepEqual(missing.status, 404);
  await missing.body?.cancel();
  await (await h.fetch(LEASES, { ...put(lease()), method: "POST" })).body?.cancel();
  const unconditional = await h.fetch(`${LEASES}/edge-1`, put(lease()));
  assert.deepEqual(unconditional.status, 422);
  await unconditional.body?.cancel();
});

Deno.test("offline lease: the lease cached from the cloud seeds the first update", async () => {
  await using h = await openHarness();
  await h.store.putObject(
    queryOf(`${LEASES}/edge-1`),
    "application/json",
    rawJson(lease("500"), "leases"),
  );
  await h.store.flush();
  assert.deepEqual(await rvOf(await h.fetch(`${LEASES}/edge-1`)), "500");
  const updated = await h.fetch(`${LEASES}/edge-1`, put(lease("500")));
  assert.deepEqual(updated.status, 200);
  assert.deepEqual(await rvOf(updated), "501");
});

Deno.test("offline lease: a protobuf update gets a protobuf answer with the next resourceVersion", async () => {
  await using h = await openHarness();
  const fixture = await Deno.readFile(
    new URL(
      "../../../../shared/fixtures/k8s-api-testdata/coordination.k8s.io.v1.Lease.pb",
      import.meta.url,
    ),
  );
  const base = protobufCodec.decodeObject(fixture, "leases");
  const named = setNamespace(setName(base.bytes, "edge-1"), "kube-node-lease");
  const body = (rv: string) =>
    protobufCodec.encodeObject({ ...base, bytes: setResourceVersion(named, rv) });
  const pb = "application/vnd.kubernetes.protobuf";
  const headers = { "content-type": pb, accept: `${pb}, */*` };
  const created = await h.fetch(LEASES, { method: "POST", headers, body: body("") as BodyInit });
  assert.deepEqual(created.status, 201);
  assert.deepEqual(created.headers.get("content-type"), pb);
  const first = protobufCodec.decodeObject(new Uint8Array(await created.arrayBuffer()), "leases");
  assert.deepEqual(first.meta.resourceVersion, "1");
  assert.deepEqual(first.typeMeta, { apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
  const updated = await h.fetch(`${LEASES}/edge-1`, {
    method: "PUT",
    headers,
    body: body("1") as BodyInit,
  });
  assert.deepEqual(updated.status, 200);
  const second = protobufCodec.decodeObject(new Uint8Array(await updated.arrayBuffer()), "leases");
  assert.deepEqual(second.meta.resourceVersion, "2");
  assert.deepEqual(second.meta.name, "edge-1");
});

Deno.test("offline lease: a lease written offline survives a restart", async () => {
  const path = await Deno.makeTempFile({ suffix: ".kv" });
  try {
    {
      await using h = await openHarness({}, path);
      await (await h.fetch(LEASES, { ...put(lease()), method: "POST" })).body?.cancel();
    }
    await using h = await openHarness({}, path);
    const response = await h.fetch(`${LEASES}/edge-1`);
    assert.deepEqual(response.status, 200);
    assert.deepEqual(await rvOf(response), "1");
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("lease resourceVersions count up numerically and restart at 1 otherwise", () => {
  assert.deepEqual(nextResourceVersion("9"), "10");
  assert.deepEqual(nextResourceVersion("18446744073709551615"), "18446744073709551616");
  assert.deepEqual(nextResourceVersion("abc"), "1");
  assert.deepEqual(nextResourceVersion(undefined), "1");
});
