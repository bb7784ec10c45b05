/**
 * The simulator's answers on the wire, as kube-apiserver's Go server sends them (differences found
 * by `scripts/apiserver-sim/compare/`): Content-Length for small bodies and chunked for the rest
 * and for watches, `Audit-Id` and the API Priority and Fairness headers, gzip for bodies over
 * 128 KiB, and a watch-list compressed one gzip member per flush.
 */
import { constants, gunzipSync, inflateRawSync } from "node:zlib";
import { assert, assertEquals } from "../../assert.ts";
import { startSimulator } from "../../../scripts/apiserver-sim/mod.ts";
import { gzipPerFlush } from "../../../scripts/apiserver-sim/compression.ts";
import { concat } from "../../../scripts/apiserver-sim/encoding.ts";
import {
  header,
  rawExchange,
  type RawTarget,
} from "../../../scripts/apiserver-sim/compare/raw_http.ts";

const scale = { pods: 40, nodes: 2, namespaces: 1, configmaps: 3 };
const target = (port: number): RawTarget => ({
  hostname: "127.0.0.1",
  port,
  caCerts: [],
  token: "",
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const assertMatch = (value: string | undefined, pattern: RegExp) =>
  assert(value !== undefined && pattern.test(value), `${value} does not match ${pattern}`);

Deno.test("wire: a small body has a Content-Length, a large one and a watch go chunked", async () => {
  await using sim = await startSimulator({ scale });
  const small = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/namespaces/ns-0/configmaps/config-0",
  });
  assertEquals([small.status, small.framing], [200, "length"]);
  assertEquals(JSON.parse(decode(small.body)).metadata.name, "config-0");
  const absent = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/namespaces/ns-0/configmaps/absent",
  });
  assertEquals([absent.status, absent.framing], [404, "length"]);
  const large = await rawExchange(target(sim.port), { method: "GET", path: "/api/v1/pods" });
  assertEquals([large.status, large.framing], [200, "chunked"]);
  assert(large.body.length > 2048);
  const watch = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/namespaces/ns-0/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1",
  });
  assertEquals([watch.status, watch.framing], [200, "chunked"]);
});

Deno.test("wire: every answer carries an Audit-Id (the client's own when sent) and the APF headers", async () => {
  await using sim = await startSimulator({ scale });
  const response = await rawExchange(target(sim.port), { method: "GET", path: "/api/v1/nodes" });
  assertMatch(header(response, "audit-id")!, UUID);
  assertMatch(header(response, "x-kubernetes-pf-flowschema-uid")!, UUID);
  assertMatch(header(response, "x-kubernetes-pf-prioritylevel-uid")!, UUID);
  const echoed = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/nodes/absent",
    headers: { "audit-id": "my-audit-id" },
  });
  assertEquals(header(echoed, "audit-id"), "my-audit-id");
});

Deno.test("wire: a body over 128 KiB is gzipped when the client accepts gzip, a smaller one never", async () => {
  await using sim = await startSimulator({ scale: { ...scale, pods: 400 } });
  const plain = await rawExchange(target(sim.port), { method: "GET", path: "/api/v1/pods" });
  assert(plain.body.length > 128 * 1024, `${plain.body.length} bytes`);
  assertEquals(header(plain, "content-encoding"), undefined);
  const gzipped = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/pods",
    headers: { "accept-encoding": "gzip" },
  });
  assertEquals(header(gzipped, "content-encoding"), "gzip");
  assertEquals(header(gzipped, "vary"), "Accept-Encoding");
  const items = (bytes: Uint8Array) =>
    JSON.parse(decode(bytes)).items.map((p: { metadata: { name: string } }) => p.metadata.name);
  assertEquals(items(new Uint8Array(gunzipSync(gzipped.body))), items(plain.body));
  const small = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/nodes",
    headers: { "accept-encoding": "gzip" },
  });
  assertEquals(header(small, "content-encoding"), undefined);
});

Deno.test("wire: with compression off nothing is gzipped, a large list and a watch-list included", async () => {
  await using sim = await startSimulator({ scale: { ...scale, pods: 400 }, compression: false });
  const list = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/pods",
    headers: { "accept-encoding": "gzip" },
  });
  assert(list.body.length > 128 * 1024, `${list.body.length} bytes`);
  assertEquals(header(list, "content-encoding"), undefined);
  assertEquals(JSON.parse(decode(list.body)).kind, "PodList");
  const watchList = await rawExchange(target(sim.port), {
    method: "GET",
    path: "/api/v1/namespaces/ns-0/configmaps?watch=true&allowWatchBookmarks=true" +
      "&timeoutSeconds=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan",
    headers: { "accept-encoding": "gzip" },
  });
  assertEquals(header(watchList, "content-encoding"), undefined);
  assertEquals(JSON.parse(decode(watchList.body).split("\n")[0]).type, "ADDED");
});

Deno.test("wire: a watch-list accepting gzip is compressed, a plain watch is not", async () => {
  await using sim = await startSimulator({ scale });
  const path = "/api/v1/namespaces/ns-0/configmaps?watch=true&allowWatchBookmarks=true" +
    "&timeoutSeconds=1";
  const watchList = await rawExchange(target(sim.port), {
    method: "GET",
    path: `${path}&sendInitialEvents=true&resourceVersionMatch=NotOlderThan`,
    headers: { "accept-encoding": "gzip" },
  });
  assertEquals(header(watchList, "content-encoding"), "gzip");
  assertEquals(header(watchList, "vary"), "Accept-Encoding");
  const events = decode(gunzipSync(watchList.body)).trimEnd().split("\n").map((l) => JSON.parse(l));
  assertEquals(events.at(-1).type, "BOOKMARK");
  assertEquals(events.at(-1).object.metadata.annotations, { "k8s.io/initial-events-end": "true" });
  assert(events.slice(0, -1).every((e: { type: string }) => e.type === "ADDED"));
  const plain = await rawExchange(target(sim.port), {
    method: "GET",
    path: `${path}&resourceVersion=0`,
    headers: { "accept-encoding": "gzip" },
  });
  assertEquals(header(plain, "content-encoding"), undefined);
  assertEquals(JSON.parse(decode(plain.body).split("\n")[0]).type, "ADDED");
});

Deno.test("wire: a compressed watch is one gzip member per flush, each decodable on arrival", async () => {
  const flushes = ['{"type":"ADDED"}\n', '{"type":"MODIFIED"}\n{"type":"DELETED"}\n'];
  const members = await Array.fromAsync(
    gzipPerFlush(ReadableStream.from(flushes.map((f) => new TextEncoder().encode(f)))),
  );
  assertEquals(members.map((m) => decode(gunzipSync(m))), flushes);
  // The data is all in the flushed blocks: without the final block and trailer (10 bytes) it
  // still decodes, so a reader never waits for the member's end (nor the next member's header).
  for (const [i, member] of members.entries()) {
    const blocks = member.subarray(10, member.length - 10);
    const early = inflateRawSync(blocks, { finishFlush: constants.Z_SYNC_FLUSH });
    assertEquals(decode(early), flushes[i]);
  }
  assertEquals(decode(gunzipSync(concat(members))), flushes.join(""));
});
