import assert from "node:assert/strict";
import { OUTPUT_CHUNK_BYTES, wholeBodyTransform } from "../../src/filters/buffered.ts";
import { discardCloudServiceFilter } from "../../src/filters/discardcloudservice.ts";
import { masterServiceFilter } from "../../src/filters/masterservice.ts";
import { responseFilter } from "../../src/filters/response.ts";
import { decodeEnvelope } from "../../src/kube/protobuf/envelope.ts";
import { findBytes } from "../../src/kube/protobuf/message.ts";
import { mapRepeated, readStringField } from "../../src/kube/protobuf/repeated.ts";
import { concat } from "../../src/streams/concat.ts";
import { classify } from "../../src/proxy/classify.ts";
import {
  JSON_TYPE,
  jsonList,
  parse,
  PB_TYPE,
  PB_WATCH_TYPE,
  pbList,
  pbWatch,
  run,
  service,
  TYPES,
} from "./objects.ts";

const encoder = new TextEncoder();
const both = responseFilter([
  {
    filter: masterServiceFilter({ host: "169.254.2.1", port: 10268 }),
    components: new Set(["kubelet"]),
  },
  { filter: discardCloudServiceFilter(), components: new Set(["kubelet"]) },
]);
const LIST = "/api/v1/services";
const kubernetes = service("default", "kubernetes");
const cloud = service("default", "cloud", "LoadBalancer", { "svc.openyurt.io/discard": "true" });

Deno.test("filters chain: several filters apply to one list, in order", async () => {
  const out = await run(
    both,
    { path: LIST, component: "kubelet", contentType: JSON_TYPE },
    jsonList(TYPES.services, [cloud.json, kubernetes.json]),
  );
  // deno-lint-ignore no-explicit-any
  const items = parse(out.body).items as any[];
  assert.deepEqual(items.map((s) => [s.metadata.name, s.spec.clusterIP]), [
    ["kubernetes", "169.254.2.1"],
  ]);
});

Deno.test("filters: an item no filter can read passes unchanged (JSON and protobuf)", async () => {
  // A JSON item that frames but is not an object; a protobuf item whose bytes are garbage.
  const text = '{"kind":"ServiceList","metadata":{},"items":["kubernetes",{"kubernetes":1}]}';
  const json = await run(
    both,
    { path: LIST, component: "kubelet", contentType: JSON_TYPE },
    encoder.encode(text),
  );
  assert.equal(new TextDecoder().decode(json.body), text);
  const garbage = encoder.encode("\xff\xffkubernetes LoadBalancer");
  const body = pbList(TYPES.services, [garbage, kubernetes.pb]);
  const pb = await run(both, { path: LIST, component: "kubelet", contentType: PB_TYPE }, body);
  const items: Uint8Array[] = [];
  mapRepeated(decodeEnvelope(pb.body).raw, 2, (item) => void items.push(item));
  assert.deepEqual(items[0], garbage);
  assert.equal(readStringField(findBytes(items[1], 2)!, 3), "169.254.2.1");
});

Deno.test("filters: a protobuf body that is not a list is sent as received", async () => {
  const body = encoder.encode("not protobuf at all, kubernetes");
  const out = await run(both, { path: LIST, component: "kubelet", contentType: PB_TYPE }, body);
  assert.ok(out.applied);
  assert.deepEqual(out.body, body);
});

Deno.test("filters: a truncated JSON list or protobuf watch errors the stream", async () => {
  const list = jsonList(TYPES.services, [kubernetes.json]);
  await assert.rejects(
    run(
      both,
      { path: LIST, component: "kubelet", contentType: JSON_TYPE },
      list.subarray(0, list.length - 3),
    ),
    SyntaxError,
  );
  const watch = pbWatch(TYPES.services, [["ADDED", kubernetes.pb]]);
  await assert.rejects(
    run(
      both,
      { path: `${LIST}?watch=1`, component: "kubelet", contentType: PB_WATCH_TYPE },
      watch.subarray(0, watch.length - 1),
    ),
    /truncated watch frame/,
  );
});

Deno.test("filters: a body over the holding limit passes through unfiltered, memory bounded", async () => {
  let gaveUp = 0;
  const transform = wholeBodyTransform(
    () => Promise.reject(new Error("never finished")),
    10,
    () => gaveUp++,
  );
  const chunks = [encoder.encode("0123456"), encoder.encode("789abc"), encoder.encode("def")];
  const out = await Array.fromAsync(ReadableStream.from(chunks).pipeThrough(transform));
  assert.deepEqual(concat(out), concat(chunks));
  assert.equal(gaveUp, 1);
});

Deno.test("filters: a held body is sent in bounded chunks, not one", async () => {
  const big = new Uint8Array(OUTPUT_CHUNK_BYTES * 2 + 5).fill(7);
  const transform = wholeBodyTransform((body) => Promise.resolve([body]));
  const out = await Array.fromAsync(ReadableStream.from([big]).pipeThrough(transform));
  assert.deepEqual(out.map((chunk) => chunk.length), [OUTPUT_CHUNK_BYTES, OUTPUT_CHUNK_BYTES, 5]);
  assert.deepEqual(concat(out), big);
});

Deno.test("filters: Table renderings, errors and subresources are not filtered", () => {
  const url = new URL("http://holdfast.test/api/v1/services");
  const request = new Request(url, { headers: { "user-agent": "kubelet/1" } });
  const classified = classify(request, url, "*");
  const table = new Response(null, {
    headers: { "content-type": "application/json;as=Table;v=v1;g=meta.k8s.io" },
  });
  assert.equal(both(classified, table), undefined);
  const error = new Response(null, { status: 500, headers: { "content-type": JSON_TYPE } });
  assert.equal(both(classified, error), undefined);
  const statusUrl = new URL("http://holdfast.test/api/v1/namespaces/default/services/x/status");
  const status = classify(new Request(statusUrl, { headers: request.headers }), statusUrl, "*");
  assert.equal(
    both(status, new Response(null, { headers: { "content-type": JSON_TYPE } })),
    undefined,
  );
});
