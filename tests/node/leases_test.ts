import assert from "node:assert/strict";
import { type LocalLease, readLocalLease, writeLocalLease } from "../../src/node/leases.ts";

function lease(rv: string): LocalLease {
  return {
    meta: {
      name: "edge-1",
      namespace: "kube-node-lease",
      resourceVersion: rv,
      uid: "u",
      labels: {},
    },
    fields: {},
    typeMeta: { apiVersion: "coordination.k8s.io/v1", kind: "Lease" },
    bytes: new TextEncoder().encode(`{"metadata":{"resourceVersion":"${rv}"}}`),
    mediaType: "application/json",
    storedAt: 1,
  };
}

Deno.test("leases: an unwritten lease reads as empty", async () => {
  using kv = await Deno.openKv(":memory:");
  const slot = await readLocalLease(kv, "kube-node-lease", "edge-1");
  assert.deepEqual(slot, { lease: null, versionstamp: null });
});

Deno.test("leases: a written lease reads back", async () => {
  using kv = await Deno.openKv(":memory:");
  const empty = await readLocalLease(kv, "kube-node-lease", "edge-1");
  assert.ok(await writeLocalLease(kv, "kube-node-lease", "edge-1", empty, lease("5")));
  const slot = await readLocalLease(kv, "kube-node-lease", "edge-1");
  assert.deepEqual(slot.lease, lease("5"));
});

Deno.test("leases: a write against an outdated read fails", async () => {
  using kv = await Deno.openKv(":memory:");
  const empty = await readLocalLease(kv, "kube-node-lease", "edge-1");
  assert.ok(await writeLocalLease(kv, "kube-node-lease", "edge-1", empty, lease("5")));
  assert.deepEqual(
    await writeLocalLease(kv, "kube-node-lease", "edge-1", empty, lease("6")),
    false,
  );
  const current = await readLocalLease(kv, "kube-node-lease", "edge-1");
  assert.deepEqual(current.lease?.meta.resourceVersion, "5");
  assert.ok(await writeLocalLease(kv, "kube-node-lease", "edge-1", current, lease("6")));
});

Deno.test("leases: leases of different nodes are separate", async () => {
  using kv = await Deno.openKv(":memory:");
  const empty = await readLocalLease(kv, "kube-node-lease", "edge-1");
  await writeLocalLease(kv, "kube-node-lease", "edge-1", empty, lease("5"));
  assert.deepEqual((await readLocalLease(kv, "kube-node-lease", "edge-2")).lease, null);
});
