/**
 * Answers where the simulator once differed from kube-apiserver 1.37 (found by
 * `scripts/apiserver-sim/compare/`): dry-run writes, go-restful's 405/406/415 Status bodies, the
 * LIST and WATCH answers to a resourceVersion that is not a number, Namespace defaults.
 */
import assert from "node:assert/strict";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { type Json, request, send } from "./helpers.ts";

const scale = { pods: 4, nodes: 1, namespaces: 1, configmaps: 2 };
const configMaps = "/api/v1/namespaces/ns-0/configmaps";

Deno.test("parity: dryRun=All answers the write without storing it", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  const created = await send(`${sim.url}${configMaps}?dryRun=All`, "POST", {
    metadata: { name: "dry" },
    data: { a: "1" },
  });
  assert.equal(created.status, 201);
  assert.equal(created.body.metadata.name, "dry");
  assert.equal(created.body.metadata.resourceVersion, undefined);
  assert.ok(created.body.metadata.uid);
  assert.equal(sim.objects.get("configmaps", "dry", "ns-0"), undefined);
  const patched = await send(
    `${sim.url}${configMaps}/config-0?dryRun=All`,
    "PATCH",
    { data: { dry: "run" } },
    "application/merge-patch+json",
  );
  assert.equal(patched.status, 200);
  assert.equal(patched.body.data.dry, "run");
  const stored = sim.objects.get("configmaps", "config-0", "ns-0") as Json;
  assert.equal(stored.data.dry, undefined);
  const current = sim.objects.get("configmaps", "config-1", "ns-0")!;
  const updated = await send(`${sim.url}${configMaps}/config-1?dryRun=All`, "PUT", {
    ...current,
    data: { replaced: "yes" },
  });
  assert.equal(updated.status, 200);
  assert.deepEqual(sim.objects.get("configmaps", "config-1", "ns-0")?.data, current.data);
  assert.equal(sim.resourceVersion, rv);
});

const METHOD_NOT_ALLOWED = {
  kind: "Status",
  apiVersion: "v1",
  metadata: {},
  status: "Failure",
  message: "the server does not allow this method on the requested resource",
  reason: "MethodNotAllowed",
  details: {},
  code: 405,
};

Deno.test("parity: PUT or PATCH on a collection and POST on a name are go-restful's 405", async () => {
  await using sim = await startSimulator({ scale });
  const patch = await send(`${sim.url}${configMaps}`, "PATCH", {}, "application/merge-patch+json");
  assert.deepEqual([patch.status, patch.body], [405, METHOD_NOT_ALLOWED]);
  const put = await send(`${sim.url}${configMaps}`, "PUT", {});
  assert.deepEqual([put.status, put.body], [405, METHOD_NOT_ALLOWED]);
  const post = await send(`${sim.url}${configMaps}/config-0`, "POST", { metadata: {} });
  assert.deepEqual([post.status, post.body], [405, METHOD_NOT_ALLOWED]);
});

Deno.test("parity: a PATCH in a non-patch content type is go-restful's 415", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await send(`${sim.url}${configMaps}/config-0`, "PATCH", {});
  assert.equal(status, 415);
  assert.deepEqual([body.reason, body.message, body.details], [
    "UnsupportedMediaType",
    "415: Unsupported Media Type",
    {},
  ]);
});

Deno.test("parity: 406 lists the route's representations", async () => {
  await using sim = await startSimulator({ scale });
  const xml = { headers: { accept: "application/xml" } };
  const one = await request(`${sim.url}${configMaps}/config-0`, xml);
  assert.equal(one.status, 406);
  assert.deepEqual([one.body.message, one.body.details], [
    "406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, " +
    "application/vnd.kubernetes.protobuf",
    {},
  ]);
  const list = await request(`${sim.url}${configMaps}`, xml);
  assert.equal(
    list.body.message,
    "406: Not Acceptable\n\nAvailable representations: application/json, application/yaml, " +
      "application/vnd.kubernetes.protobuf, application/json;stream=watch, " +
      "application/vnd.kubernetes.protobuf;stream=watch",
  );
});

Deno.test("parity: a resourceVersion that is not a number is 400 on a LIST, 500 on a WATCH", async () => {
  await using sim = await startSimulator({ scale });
  const parse = 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": ' +
    "invalid syntax";
  const list = await request(`${sim.url}${configMaps}?resourceVersion=abc`);
  assert.deepEqual([list.status, list.body.reason, list.body.message], [
    400,
    "BadRequest",
    `invalid resource version: ${parse}`,
  ]);
  const watch = await request(`${sim.url}${configMaps}?watch=1&resourceVersion=abc`);
  assert.deepEqual([watch.status, watch.body.message], [500, parse]);
});

Deno.test("parity: a new Namespace gets its name label, the kubernetes finalizer and phase Active", async () => {
  await using sim = await startSimulator({ scale });
  const { status, body } = await send(`${sim.url}/api/v1/namespaces`, "POST", {
    metadata: { name: "fresh", labels: { team: "a" } },
  });
  assert.equal(status, 201);
  assert.deepEqual(body.metadata.labels, { team: "a", "kubernetes.io/metadata.name": "fresh" });
  assert.deepEqual([body.spec, body.status], [{ finalizers: ["kubernetes"] }, { phase: "Active" }]);
});

const rawUrl = (text: string) =>
  btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

Deno.test("parity: an invalid continue token is 400 in kube-apiserver's words", async () => {
  await using sim = await startSimulator({ scale });
  const message = async (token: string) =>
    (await request(`${sim.url}${configMaps}?limit=1&continue=${encodeURIComponent(token)}`)).body
      .message;
  assert.equal(
    await message("a+b="),
    "invalid continue token: continue key is not valid: illegal base64 data at input byte 1",
  );
  assert.equal(
    await message(rawUrl('{"v":"v0","rv":5,"start":"a"}')),
    "invalid continue token: continue key is not valid: server does not recognize this encoded " +
      "version v0",
  );
  assert.equal(
    await message(rawUrl('{"v":"meta.k8s.io/v1","rv":5,"start":""}')),
    "invalid continue token: continue key is not valid: encoded start key empty (version " +
      "meta.k8s.io/v1)",
  );
});

Deno.test("parity: an expired continue token is 410 with a token that goes on from now (rv -1)", async () => {
  await using sim = await startSimulator({ scale: { ...scale, configmaps: 6 } });
  const first = await request(`${sim.url}${configMaps}?limit=2`);
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  sim.compact();
  const token = first.body.metadata.continue;
  const gone = await request(`${sim.url}${configMaps}?limit=2&continue=${token}`);
  assert.deepEqual([gone.status, gone.body.reason], [410, "Expired"]);
  const inconsistent = JSON.parse(atob(gone.body.metadata.continue.replaceAll("_", "/")));
  assert.deepEqual(inconsistent, { ...JSON.parse(atob(token.replaceAll("_", "/"))), rv: -1 });
  const rest = await request(
    `${sim.url}${configMaps}?limit=100&continue=${gone.body.metadata.continue}`,
  );
  assert.equal(rest.status, 200);
  const names = rest.body.items.map((item: Json) => item.metadata.name);
  const all = (await request(`${sim.url}${configMaps}`)).body.items.map((i: Json) =>
    i.metadata.name
  );
  assert.deepEqual(names, all.slice(2));
  assert.equal(rest.body.metadata.resourceVersion, String(sim.resourceVersion));
});

Deno.test("parity: a LIST at a compacted resourceVersion is 410 as kube-apiserver's storage words it", async () => {
  await using sim = await startSimulator({ scale });
  const rv = sim.resourceVersion;
  sim.objects.patch("configmaps", "config-0", { data: { x: "1" } }, { namespace: "ns-0" });
  sim.compact();
  const { status, body } = await request(
    `${sim.url}${configMaps}?resourceVersion=${rv}&resourceVersionMatch=Exact`,
  );
  assert.deepEqual([status, body.reason, body.message], [
    410,
    "Expired",
    "The resourceVersion for the provided list is too old.",
  ]);
});
