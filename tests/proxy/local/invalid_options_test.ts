/**
 * Offline answers to requests kube-apiserver refuses: a field selector on a field the resource
 * does not support (400 BadRequest, worded per resource) and a resourceVersion that is not a
 * uint64 (the storage layer's unconverted error: 500, no reason). Online, the apiserver decides.
 */
import assert from "node:assert/strict";
import { json, listBody, openHarness, pod, seedList } from "./harness.ts";
import { PATIENT_HEALTH, startStack } from "../../harness.ts";

const LISTED = [
  ["/api/v1/pods", "PodList"],
  ["/api/v1/configmaps", "ConfigMapList"],
] as const;

async function seeded() {
  const h = await openHarness();
  for (const [path, kind] of LISTED) {
    await seedList(h.store, path, listBody(kind, [pod("a")], "20"));
  }
  return h;
}

for (
  const [path, message] of [
    [
      "/api/v1/pods?fieldSelector=status.hostIP%3D10.0.0.1",
      "field label not supported: status.hostIP",
    ],
    [
      "/api/v1/pods?fieldSelector=spec.nodeName%3Dx,foo%3Dbar&watch=true",
      "field label not supported: foo",
    ],
    [
      "/api/v1/configmaps?fieldSelector=data.x%3D1",
      '"data.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
    ],
  ] as const
) {
  Deno.test(`offline: unsupported field selector ${path} → 400 BadRequest`, async () => {
    await using h = await seeded();
    const response = await h.fetch(path);
    assert.deepEqual(response.status, 400);
    const status = await json(response);
    assert.deepEqual([status.kind, status.reason, status.message], [
      "Status",
      "BadRequest",
      message,
    ]);
  });
}

Deno.test("offline: supported field selectors and unknown resources' fields are still answered", async () => {
  await using h = await seeded();
  for (
    const path of [
      "/api/v1/pods?fieldSelector=status.podIP%3D",
      "/api/v1/configmaps?fieldSelector=metadata.name%3Da",
    ]
  ) {
    const response = await h.fetch(path);
    assert.deepEqual(response.status, 200, path);
    await response.body?.cancel();
  }
});

for (
  const [path, value, problem] of [
    ["/api/v1/pods?resourceVersion=abc", "abc", "invalid syntax"],
    ["/api/v1/pods?resourceVersion=-1&watch=true", "-1", "invalid syntax"],
    ["/api/v1/namespaces/default/pods/a?resourceVersion=1.5", "1.5", "invalid syntax"],
    [
      "/api/v1/pods?resourceVersion=18446744073709551616",
      "18446744073709551616",
      "value out of range",
    ],
  ] as const
) {
  Deno.test(`offline: ${path} → kube-apiserver's invalid resourceVersion Status`, async () => {
    await using h = await seeded();
    const response = await h.fetch(path);
    assert.deepEqual(response.status, 500);
    const status = await json(response);
    assert.deepEqual(
      status.message,
      `resourceVersion: Invalid value: "${value}": strconv.ParseUint: parsing "${value}": ${problem}`,
    );
    assert.deepEqual([status.kind, status.code, "reason" in status], ["Status", 500, false]);
  });
}

Deno.test("offline: the largest uint64 resourceVersion is valid (answered as too large)", async () => {
  await using h = await seeded();
  const response = await h.fetch("/api/v1/pods?resourceVersion=18446744073709551615");
  assert.deepEqual(response.status, 504);
  await response.body?.cancel();
});

Deno.test("online: invalid resourceVersion and field selectors are forwarded to the apiserver", async () => {
  await using stack = await startStack({ config: { health: PATIENT_HEALTH } });
  const userAgent = "kubelet/v1.30";
  for (
    const path of [
      "/api/v1/pods?resourceVersion=abc",
      "/api/v1/configmaps?fieldSelector=data.x%3D1",
    ]
  ) {
    const before = stack.sim.requests.count({ userAgent });
    const response = await fetch(`${stack.proxyUrl}${path}`, {
      headers: { "user-agent": userAgent },
    });
    await response.body?.cancel();
    assert.deepEqual(stack.sim.requests.count({ userAgent }), before + 1, path);
  }
});
