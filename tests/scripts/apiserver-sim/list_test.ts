import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, request } from "./helpers.ts";

const scale = { pods: 60, nodes: 3, namespaces: 2, services: 5 };
const names = (list: Json) => list.items.map((i: Json) => i.metadata.name).sort();

Deno.test("list: the list resourceVersion is the store's and items carry their own", async () => {
  await using sim = await startSimulator({ scale });
  const { body } = await request(`${sim.url}/api/v1/pods`);
  assert.deepEqual(body.kind, "PodList");
  assert.deepEqual(body.metadata.resourceVersion, String(sim.resourceVersion));
  assert.deepEqual(body.items.length, 60);
  assert.ok(
    body.items.every((p: Json) => Number(p.metadata.resourceVersion) <= sim.resourceVersion),
  );
});

Deno.test("list: built-in items have no kind, a GET of one object has kind and apiVersion", async () => {
  await using sim = await startSimulator({ scale });
  const { body: list } = await request(`${sim.url}/api/v1/namespaces/kube-system/pods`);
  assert.deepEqual(list.items[0].kind, undefined);
  const name = list.items[0].metadata.name;
  const { body } = await request(`${sim.url}/api/v1/namespaces/kube-system/pods/${name}`);
  assert.deepEqual([body.kind, body.apiVersion], ["Pod", "v1"]);
});

Deno.test("list: custom resource items keep kind and apiVersion", async () => {
  await using sim = await startSimulator({ scale });
  const group = "k8s-openapi-tests-custom-resource-definition.com";
  const { body } = await request(`${sim.url}/apis/${group}/v1/namespaces/default/foobars`);
  assert.deepEqual(body.kind, "FooBarList");
  assert.deepEqual(names(body), ["fb1", "fb2"]);
  assert.deepEqual(body.items[0].kind, "FooBar");
});

const labelCases: Array<[string, (labels: Json) => boolean]> = [
  ["tier=cache", (l) => l.tier === "cache"],
  ["tier==cache", (l) => l.tier === "cache"],
  ["tier!=cache", (l) => l.tier !== "cache"],
  ["tier in (cache,frontend)", (l) => ["cache", "frontend"].includes(l.tier)],
  ["tier notin (cache,frontend)", (l) => !["cache", "frontend"].includes(l.tier)],
  ["pod-template-hash", (l) => "pod-template-hash" in l],
  ["!pod-template-hash", (l) => !("pod-template-hash" in l)],
  ["env=staging,tier!=backend", (l) => l.env === "staging" && l.tier !== "backend"],
];

for (const [selector, expected] of labelCases) {
  Deno.test(`list: labelSelector ${selector}`, async () => {
    await using sim = await startSimulator({ scale });
    const all = (await request(`${sim.url}/api/v1/pods`)).body;
    const query = encodeURIComponent(selector);
    const { status, body } = await request(`${sim.url}/api/v1/pods?labelSelector=${query}`);
    assert.deepEqual(status, 200);
    const want = all.items.filter((p: Json) => expected(p.metadata.labels ?? {}));
    assert.ok(want.length > 0 && want.length < all.items.length, "selector must split the pods");
    assert.deepEqual(names(body), names({ items: want }));
  });
}

const fieldCases: Array<[string, string, (o: Json) => boolean]> = [
  ["pods", "metadata.name=app-1-5f5648-1", (o) => o.metadata.name === "app-1-5f5648-1"],
  ["pods", "metadata.namespace=kube-system", (o) => o.metadata.namespace === "kube-system"],
  ["pods", "spec.nodeName=node-2", (o) => o.spec.nodeName === "node-2"],
  ["pods", "status.phase!=Running", (o) => o.status.phase !== "Running"],
  [
    "pods",
    "status.phase=Running,spec.nodeName!=node-0",
    (o) => o.status.phase === "Running" && o.spec.nodeName !== "node-0",
  ],
  ["services", "spec.clusterIP!=None", (o) => o.spec.clusterIP !== "None"],
  ["services", "spec.clusterIP=None", (o) => o.spec.clusterIP === "None"],
];

for (const [resource, selector, expected] of fieldCases) {
  Deno.test(`list: fieldSelector ${selector} on ${resource}`, async () => {
    await using sim = await startSimulator({ scale });
    const all = (await request(`${sim.url}/api/v1/${resource}`)).body;
    const query = encodeURIComponent(selector);
    const { body } = await request(`${sim.url}/api/v1/${resource}?fieldSelector=${query}`);
    const want = all.items.filter(expected);
    assert.ok(want.length > 0 && want.length < all.items.length, "selector must split the list");
    assert.deepEqual(names(body), names({ items: want }));
  });
}

Deno.test("list: an unsupported field selector is a 400 BadRequest", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(`${sim.url}/api/v1/pods?fieldSelector=spec.foo%3Dx`);
  assert.deepEqual([status, body.reason], [400, "BadRequest"]);
  assert.deepEqual(body.message, "field label not supported: spec.foo");
});

Deno.test("list: a malformed label selector is a 400 BadRequest", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(`${sim.url}/api/v1/pods?labelSelector=a%20in%20(`);
  assert.deepEqual([status, body.kind, body.reason], [400, "Status", "BadRequest"]);
});

Deno.test("list: limit/continue pages cover every item once, at the first page's version", async () => {
  await using sim = await startSimulator({ scale });
  const seen: string[] = [];
  let token = "";
  let pages = 0;
  let rv = "";
  do {
    const query = `limit=7${token ? `&continue=${encodeURIComponent(token)}` : ""}`;
    const { body } = await request(`${sim.url}/api/v1/pods?${query}`);
    if (pages === 0) {
      rv = body.metadata.resourceVersion;
      assert.deepEqual(body.metadata.remainingItemCount, 60 - 7);
      sim.objects.delete("pods", body.items[0].metadata.name, body.items[0].metadata.namespace);
    } else assert.deepEqual(body.metadata.resourceVersion, rv);
    seen.push(...body.items.map((p: Json) => `${p.metadata.namespace}/${p.metadata.name}`));
    token = body.metadata.continue ?? "";
    pages++;
  } while (token);
  assert.deepEqual(pages, 9);
  assert.deepEqual(new Set(seen).size, 60);
});

Deno.test("list: a continue token older than the history window is 410 Expired", async () => {
  await using sim = await startSimulator({ scale });
  const first = (await request(`${sim.url}/api/v1/pods?limit=5`)).body;
  sim.objects.patch("pods", "app-1-5f5648-1", { metadata: { labels: { x: "y" } } }, {
    namespace: "ns-1",
  });
  sim.compact();
  const token = encodeURIComponent(first.metadata.continue);
  const { status, body } = await request(`${sim.url}/api/v1/pods?limit=5&continue=${token}`);
  assert.deepEqual([status, body.reason, body.code], [410, "Expired", 410]);
});

Deno.test("list: a garbled continue token is a 400", async () => {
  await using sim = await startSimulator({ scale });
  const { status } = await request(`${sim.url}/api/v1/pods?limit=5&continue=garbage`);
  assert.deepEqual(status, 400);
});

Deno.test("list: resourceVersionMatch=Exact returns the state at that version", async () => {
  await using sim = await startSimulator({ scale });
  const before = sim.resourceVersion;
  sim.objects.delete("configmaps", "config-0", "ns-0");
  const url = `${sim.url}/api/v1/namespaces/ns-0/configmaps`;
  const now = (await request(url)).body;
  const then = (await request(`${url}?resourceVersion=${before}&resourceVersionMatch=Exact`)).body;
  assert.deepEqual(then.metadata.resourceVersion, String(before));
  assert.ok(names(then).includes("config-0"));
  assert.ok(!names(now).includes("config-0"));
});

Deno.test("list: Exact with a version older than the window is 410 Expired", async () => {
  await using sim = await startSimulator({ scale });
  const old = sim.resourceVersion;
  sim.objects.delete("configmaps", "config-0", "ns-0");
  sim.compact();
  const { status, body } = await request(
    `${sim.url}/api/v1/configmaps?resourceVersion=${old}&resourceVersionMatch=Exact`,
  );
  assert.deepEqual([status, body.reason], [410, "Expired"]);
});

Deno.test("list: a resourceVersion newer than the store is 504 ResourceVersionTooLarge", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(
    `${sim.url}/api/v1/pods?resourceVersion=${sim.resourceVersion + 100}`,
  );
  assert.deepEqual([status, body.reason], [504, "Timeout"]);
  assert.deepEqual(body.details.causes[0].reason, "ResourceVersionTooLarge");
});

Deno.test("list: resourceVersion=0 and NotOlderThan serve the current state", async () => {
  await using sim = await startSimulator({ scale });
  const a = (await request(`${sim.url}/api/v1/nodes?resourceVersion=0`)).body;
  const b = (await request(
    `${sim.url}/api/v1/nodes?resourceVersion=1&resourceVersionMatch=NotOlderThan`,
  )).body;
  assert.deepEqual(a.metadata.resourceVersion, String(sim.resourceVersion));
  assert.deepEqual(names(a), names(b));
});

Deno.test("list: sendInitialEvents on a list is 422 Invalid", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await request(`${sim.url}/api/v1/pods?sendInitialEvents=true`);
  assert.deepEqual([status, body.reason], [422, "Invalid"]);
});

Deno.test("list: a namespace without objects lists empty; a missing object is 404 NotFound", async () => {
  await using sim = await startSimulator({ scale });
  const empty = (await request(`${sim.url}/api/v1/namespaces/nowhere/pods`)).body;
  assert.deepEqual(empty.items, []);
  const { status, body } = await request(`${sim.url}/api/v1/namespaces/default/pods/nope`);
  assert.deepEqual([status, body.reason, body.details.kind], [404, "NotFound", "pods"]);
});

Deno.test("list: endpointslices are labelled with their service name", async () => {
  await using sim = await startSimulator({ scale });
  const { body } = await request(
    `${sim.url}/apis/discovery.k8s.io/v1/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes`,
  );
  assert.deepEqual(body.items.length, 1);
  assert.deepEqual(body.items[0].metadata.namespace, "default");
});
