/**
 * Hostile input, request bodies: invalid JSON, JSON that is no object, protobuf garbage, formats
 * kube-apiserver does not read, and bodies over its 3 MiB limit, sent to every write holdfast
 * answers offline (events, the node lease, node and mirror-pod registration) and online through
 * the proxy. Each gets kube-apiserver's `Status` (400, 413, 415; 503 for YAML, which only the
 * cloud can read), nothing is queued or stored, and a well-behaved client is served meanwhile.
 * @module
 */
import { assert, assertEquals } from "../assert.ts";
import { startStack } from "../harness.ts";
import { seededRandom } from "../kube/json/fixtures.ts";
import {
  agentStatus,
  assertServed,
  assertStatus,
  CONFIGMAPS,
  goOffline,
  KUBELET,
  pick,
  waitCached,
  whileServing,
} from "./helpers.ts";

const encoder = new TextEncoder();
const PROTOBUF = "application/vnd.kubernetes.protobuf";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The writes holdfast answers offline, each with a valid JSON body. */
const WRITES = [
  { method: "POST", path: "/api/v1/namespaces/default/events", kind: "Event" },
  { method: "POST", path: "/apis/events.k8s.io/v1/namespaces/default/events", kind: "Event" },
  {
    method: "PUT",
    path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-0",
    kind: "Lease",
  },
  {
    method: "POST",
    path: "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
    kind: "Lease",
  },
  { method: "POST", path: "/api/v1/nodes", kind: "Node" },
  { method: "POST", path: "/api/v1/namespaces/default/pods", kind: "Pod" },
];

interface BadBody {
  what: string;
  contentType?: string;
  body: Uint8Array;
  code: number;
  reason: string;
}

function randomBytes(next: () => number, length: number): Uint8Array {
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

/** A generated body kube-apiserver refuses, and its answer. */
function badBody(next: () => number, kind: string, online: boolean): BadBody {
  const valid = JSON.stringify({
    apiVersion: "v1",
    kind,
    metadata: { name: `x${Math.floor(next() * 1e6)}`, namespace: "default" },
    reason: "Hostile",
  });
  const json = pick(next, ["application/json", "application/json; charset=utf-8"]);
  const cases: (() => BadBody)[] = [
    () => {
      const cut = 1 + Math.floor(next() * (valid.length - 1)); // a proper prefix of an object
      return {
        what: `JSON cut at ${cut}`,
        contentType: json,
        body: encoder.encode(valid.slice(0, cut)),
        code: 400,
        reason: "BadRequest",
      };
    },
    () => {
      const text = pick(next, ["[1,2]", '"event"', "42", "null", "true", ""]);
      return {
        what: `JSON ${JSON.stringify(text)}`,
        contentType: pick(next, [json, undefined]),
        body: encoder.encode(text),
        code: 400,
        reason: "BadRequest",
      };
    },
    () => {
      const body = randomBytes(next, 1 + Math.floor(next() * 300));
      body[0] = body[0] === 0x6b ? 0 : body[0]; // no k8s\0 magic
      return {
        what: "protobuf garbage",
        contentType: PROTOBUF,
        body,
        code: 400,
        reason: "BadRequest",
      };
    },
    () => {
      // The magic, then a raw-object field whose length runs past the end.
      const body = Uint8Array.of(0x6b, 0x38, 0x73, 0, 0x12, 0xff, 0x7f, ...randomBytes(next, 20));
      return {
        what: "protobuf cut short",
        contentType: PROTOBUF,
        body,
        code: 400,
        reason: "BadRequest",
      };
    },
    () => {
      const contentType = pick(next, [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/xml",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "image/png",
      ]);
      return {
        what: contentType,
        contentType,
        body: encoder.encode(valid),
        code: 415,
        reason: "UnsupportedMediaType",
      };
    },
  ];
  if (!online) {
    cases.push(() => ({
      what: "YAML",
      contentType: "application/yaml",
      body: encoder.encode(`kind: ${kind}\n`),
      code: 503,
      reason: "ServiceUnavailable",
    }));
  }
  return pick(next, cases)();
}

async function send(proxyUrl: string, write: (typeof WRITES)[number], bad: BadBody) {
  const headers = new Headers(KUBELET);
  if (bad.contentType) headers.set("content-type", bad.contentType);
  return await fetch(`${proxyUrl}${write.path}`, {
    method: write.method,
    headers,
    body: bad.body as Uint8Array<ArrayBuffer>,
  });
}

const TOO_LARGE = new Uint8Array(3 * 1024 * 1024 + 1).fill(0x20);

Deno.test("hostile bodies: offline, 150 generated bad write bodies get kube-apiserver's Status; none is queued or stored", async () => {
  await using stack = await startStack();
  await assertServed(stack.proxyUrl);
  await waitCached(stack, "kubelet", "configmaps");
  const names = (await (await fetch(`${stack.proxyUrl}${CONFIGMAPS}`, { headers: KUBELET })).json())
    .items.map((i: { metadata: { name: string } }) => i.metadata.name);
  await goOffline(stack);

  const next = seededRandom(612);
  for (let i = 0; i < 150; i++) {
    const write = pick(next, WRITES);
    const bad = badBody(next, write.kind, false);
    const what = `#${i} ${write.method} ${write.path}: ${bad.what}`;
    await assertStatus(await send(stack.proxyUrl, write, bad), bad.code, bad.reason, what);
    if (i % 25 === 0) await assertServed(stack.proxyUrl, names);
  }
  for (const write of WRITES) {
    const huge = { what: "over 3 MiB", contentType: "application/json", body: TOO_LARGE };
    const answer = await send(stack.proxyUrl, write, { ...huge, code: 413, reason: "" });
    await assertStatus(answer, 413, "RequestEntityTooLarge", `${write.path}: over 3 MiB`);
  }
  assertEquals((await agentStatus(stack.adminUrl)).events.queued, 0, "a bad event was queued");
  const lease = await fetch(`${stack.proxyUrl}${WRITES[2].path}`, { headers: KUBELET });
  await assertStatus(lease, 404, "NotFound", "no bad lease was stored");
  await assertServed(stack.proxyUrl, names);

  // The same writes with good bodies are answered, so the refusals above were the bodies'.
  const event = {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "good", namespace: "default" },
    reason: "Fine",
  };
  const created = await fetch(`${stack.proxyUrl}${WRITES[0].path}`, {
    method: "POST",
    headers: { ...KUBELET, "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  assertEquals(created.status, 201, await created.text());
  assertEquals((await agentStatus(stack.adminUrl)).events.queued, 1);
});

Deno.test("hostile bodies: online, generated bad bodies get the apiserver's Status through the proxy; over 3 MiB is refused before it", async () => {
  await using stack = await startStack();
  const next = seededRandom(613);
  for (let i = 0; i < 40; i++) {
    const write = pick(next, WRITES.filter((w) => w.kind === "Event"));
    const bad = badBody(next, write.kind, true);
    const what = `#${i} ${write.method} ${write.path}: ${bad.what}`;
    await assertStatus(await send(stack.proxyUrl, write, bad), bad.code, bad.reason, what);
  }
  const huge = { what: "over 3 MiB", contentType: "application/json", body: TOO_LARGE };
  const path = "/api/v1/namespaces/kube-system/configmaps";
  const answer = await send(stack.proxyUrl, { method: "POST", path, kind: "ConfigMap" }, {
    ...huge,
    code: 413,
    reason: "",
  });
  await assertStatus(answer, 413, "RequestEntityTooLarge", "over 3 MiB");
  assertEquals(stack.sim.requests.recent({ path, method: "POST" }), [], "sent upstream");
  await assertServed(stack.proxyUrl);
});

/** A generated JSON value of any type, `depth` levels deep at most. */
function anyJson(next: () => number, depth: number): unknown {
  const roll = next();
  if (roll < 0.15) return Math.floor(next() * 1000) - 500;
  if (roll < 0.3) return pick(next, ["", "Ready", "x".repeat(50), "True"]);
  if (roll < 0.4) return null;
  if (roll < 0.5) return next() < 0.5;
  if (depth === 0 || roll < 0.7) {
    return Array.from({ length: Math.floor(next() * 3) }, () => anyJson(next, depth - 1));
  }
  const keys = [
    "conditions",
    "phase",
    "addresses",
    "capacity",
    "nodeInfo",
    "podIP",
    "type",
    "status",
    "x",
  ];
  return Object.fromEntries(
    Array.from(
      { length: 1 + Math.floor(next() * 3) },
      () => [pick(next, keys), anyJson(next, depth - 1)],
    ),
  );
}

/** A generated status patch: a patch type, and a body that may not be JSON at all. */
function statusPatch(next: () => number) {
  const contentType = pick(next, [
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/json-patch+json",
    "application/json",
    "text/plain",
  ]);
  const roll = next();
  const patch = roll < 0.1
    ? { metadata: { labels: { hostile: anyJson(next, 1) } } }
    : roll < 0.2
    ? { status: { conditions: [{ type: "Ready", status: "True", reason: anyJson(next, 1) }] } }
    : roll < 0.9
    ? { status: anyJson(next, 3) }
    : anyJson(next, 2);
  let body = JSON.stringify(patch) ?? "";
  if (next() < 0.1) body = body.slice(0, Math.floor(next() * body.length));
  return { contentType, body };
}

Deno.test("hostile bodies: offline, 200 generated status patches are applied or refused (400, 415, 422, 503); the cached node and pod stay well-formed", async () => {
  await using stack = await startStack();
  const node = await (await fetch(`${stack.proxyUrl}/api/v1/nodes/node-0`, { headers: KUBELET }))
    .json();
  const pods = await (await fetch(`${stack.proxyUrl}/api/v1/pods`, { headers: KUBELET })).json();
  const pod = pods.items.find((p: { spec: { nodeName: string } }) => p.spec.nodeName === "node-0");
  await waitCached(stack, "kubelet", "pods");
  await assertServed(stack.proxyUrl);
  await waitCached(stack, "kubelet", "configmaps");
  await goOffline(stack);
  const targets = [
    { path: "/api/v1/nodes/node-0", name: node.metadata.name },
    {
      path: `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`,
      name: pod.metadata.name,
    },
  ];
  /** A node or a pod as a client decodes it: a patch may empty the status, never retype it. */
  const assertWellFormed = (object: Json, name: string, what: string) => {
    assertEquals(object.metadata.name, name, what);
    const status = object.status ?? {}; // kube-apiserver sends an emptied status as `{}`
    const shape = (v: unknown) => Array.isArray(v) ? "list" : v === null ? "null" : typeof v;
    assertEquals(shape(status), "object", `${what}: status ${JSON.stringify(status)}`);
    assertEquals(shape(status.conditions ?? []), "list", `${what}: ${JSON.stringify(status)}`);
    for (const value of Object.values(object.metadata.labels ?? {})) {
      assertEquals(typeof value, "string", `${what}: labels`);
    }
  };
  /** What kubelet reads back is still its node and its pod. */
  const assertReadBack = async (what: string) => {
    for (const { path, name } of targets) {
      const response = await fetch(`${stack.proxyUrl}${path}`, { headers: KUBELET });
      assertEquals(response.status, 200, what);
      assertWellFormed(await response.json(), name, what);
    }
  };
  const next = seededRandom(8812);
  const codes = new Map<number, number>();
  await whileServing(stack.proxyUrl, async () => {
    for (let i = 0; i < 200; i++) {
      const target = pick(next, targets);
      const { contentType, body } = statusPatch(next);
      const response = await fetch(`${stack.proxyUrl}${target.path}/status`, {
        method: "PATCH",
        headers: { ...KUBELET, "content-type": contentType },
        body,
      });
      const what = `#${i} ${contentType} ${body.slice(0, 200)}`;
      const answer = await response.json();
      codes.set(response.status, (codes.get(response.status) ?? 0) + 1);
      if (response.status === 200) {
        assertWellFormed(answer, target.name, what); // what was stored
      } else {
        assertEquals([answer.kind, answer.code], ["Status", response.status], what);
        assert([400, 415, 422, 503].includes(response.status), `${what}: ${answer.message}`);
      }
      if (i % 20 === 0) await assertReadBack(what);
    }
  });
  await assertReadBack("after all");
  assertEquals([...codes.keys()].sort(), [200, 400, 415, 422, 503], "the cases reach every answer");
});
