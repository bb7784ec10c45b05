import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { JsonListDecoder } from "../../../src/kube/json/list_decoder.ts";
import { TruncatedBody } from "../../../src/streams/ordered_transform.ts";
import type { ListMeta, ListPart, RawObject } from "../../../src/kube/types.ts";
import {
  byteChunks,
  bytesOf,
  collect,
  randomChunks,
  replayBody,
  seededRandom,
  splitAt,
  streamOf,
  textOf,
} from "./fixtures.ts";

const POD_LIST = "k8s-openapi-v1.36.pod-list.replay.json";
const DEPLOYMENT_LIST = "k8s-openapi-v1.36.deployment-list.replay.json";
const CRD_REPLAY = "k8s-openapi-v1.36.crd-custom-resources.replay.json";

function decode(
  chunks: Iterable<Uint8Array>,
  resource = "pods",
  maxItemBytes?: number,
): Promise<ListPart[]> {
  return collect(streamOf(chunks).pipeThrough(new JsonListDecoder(resource, { maxItemBytes })));
}

/** A comparable summary: the meta, and each item's parsed bytes, typeMeta, meta and fields. */
function summary(parts: ListPart[]) {
  return parts.map((part) =>
    part.type === "meta" ? part : {
      type: part.type,
      json: JSON.parse(textOf(part.object.bytes)),
      typeMeta: part.object.typeMeta,
      meta: part.object.meta,
      fields: part.object.fields,
    }
  );
}

function items(parts: ListPart[]): RawObject[] {
  return parts.flatMap((part) => part.type === "item" ? [part.object] : []);
}

function metaOf(parts: ListPart[]): ListMeta[] {
  return parts.flatMap((part) => part.type === "meta" ? [part.meta] : []);
}

Deno.test("list: the captured pod list gives its meta first, then the 8 pods", async () => {
  const text = await replayBody(POD_LIST);
  const parts = await decode([bytesOf(text)]);
  assertEquals(parts.length, 9);
  assertEquals(parts[0], {
    type: "meta",
    meta: { kind: "PodList", apiVersion: "v1", resourceVersion: "554", continue: "" },
  });
  const expected = JSON.parse(text).items;
  assertEquals(items(parts).map((item) => JSON.parse(textOf(item.bytes))), expected);
});

Deno.test("list: item bytes are exactly the item's bytes in the body", async () => {
  const text = await replayBody(POD_LIST);
  const body = bytesOf(text);
  for (const item of items(await decode([body]))) {
    assert(item.bytes.buffer === body.buffer, "a view of the chunk, not a copy");
    const start = item.bytes.byteOffset;
    assertEquals(textOf(body.subarray(start, start + item.bytes.length)), textOf(item.bytes));
    assertEquals(item.bytes[0], 0x7b);
    assertEquals(item.bytes[item.bytes.length - 1], 0x7d);
  }
});

Deno.test("list: items without kind get the list's kind minus List and its apiVersion", async () => {
  const parts = await decode([bytesOf(await replayBody(DEPLOYMENT_LIST))], "deployments");
  const [deployment] = items(parts);
  assertEquals(deployment.typeMeta, { kind: "Deployment", apiVersion: "apps/v1" });
  assertEquals(deployment.meta.name, "coredns");
  assertEquals(deployment.meta.namespace, "kube-system");
  assertEquals(deployment.meta.labels, { "k8s-app": "kube-dns" });
});

Deno.test("list: pods carry their selectable fields", async () => {
  const parts = await decode([bytesOf(await replayBody(POD_LIST))]);
  const etcd = items(parts).find((item) => item.meta.name.startsWith("etcd-"))!;
  assertEquals(etcd.fields["spec.nodeName"], "v1.36-control-plane");
  assertEquals(etcd.fields["spec.hostNetwork"], "true");
  assertEquals(etcd.fields["status.phase"], "Running");
});

Deno.test("list: the deployment list split in two at every byte boundary", async () => {
  const body = bytesOf(await replayBody(DEPLOYMENT_LIST));
  const expected = summary(await decode([body], "deployments"));
  assertEquals(expected.length, 2);
  for (let point = 0; point <= body.length; point++) {
    assertEquals(summary(await decode(splitAt(body, point), "deployments")), expected, `${point}`);
  }
});

Deno.test("list: the pod list cut at seeded random boundaries and into single bytes", async () => {
  const body = bytesOf(await replayBody(POD_LIST));
  const expected = summary(await decode([body]));
  for (let seed = 1; seed <= 20; seed++) {
    const chunks = randomChunks(body, seededRandom(seed), seed % 2 ? 61 : 16384);
    assertEquals(summary(await decode(chunks)), expected, `seed ${seed}`);
  }
  assertEquals(summary(await decode(byteChunks(body))), expected);
});

Deno.test("list: a custom resource list with sorted keys emits meta after its items", async () => {
  const text = await replayBody(CRD_REPLAY, 5);
  assert(text.startsWith('{"apiVersion":') && text.indexOf('"kind":"FooBarList"') > 0);
  const parts = await decode([bytesOf(text)], "foobars");
  assertEquals(parts.map((part) => part.type), ["item", "item", "meta"]);
  assertEquals(metaOf(parts), [{
    kind: "FooBarList",
    apiVersion: "k8s-openapi-tests-custom-resource-definition.com/v1",
    resourceVersion: "623",
    continue: "",
  }]);
  assertEquals(items(parts).map((item) => [item.typeMeta.kind, item.meta.name]), [
    ["FooBar", "fb1"],
    ["FooBar", "fb2"],
  ]);
});

Deno.test("list: the custom resource list split at every byte boundary", async () => {
  const body = bytesOf(await replayBody(CRD_REPLAY, 5));
  const expected = summary(await decode([body], "foobars"));
  for (let point = 0; point <= body.length; point++) {
    assertEquals(summary(await decode(splitAt(body, point), "foobars")), expected, `${point}`);
  }
});

Deno.test("list: metadata after the items of a typed list is still emitted", async () => {
  const body = '{"kind":"PodList","apiVersion":"v1","items":[{"metadata":{"name":"a"}}],' +
    '"metadata":{"resourceVersion":"7","continue":"abc","remainingItemCount":0}}';
  const parts = await decode([bytesOf(body)]);
  assertEquals(parts.map((part) => part.type), ["item", "meta"]);
  assertEquals(items(parts)[0].typeMeta, { kind: "Pod", apiVersion: "v1" });
  assertEquals(metaOf(parts)[0], {
    kind: "PodList",
    apiVersion: "v1",
    resourceVersion: "7",
    continue: "abc",
    remainingItemCount: 0,
  });
});

Deno.test("list: unknown members of any shape are skipped", async () => {
  const body = '{"x":{"items":[1]},"kind":"PodList","y":[{"kind":"z"}],"apiVersion":"v1",' +
    '"metadata":{},"z":"]}","items":[{"metadata":{"name":"a"}}],"w":-1}';
  const parts = await decode([bytesOf(body)]);
  assertEquals(parts.map((part) => part.type), ["meta", "item"]);
  assertEquals(items(parts)[0].meta.name, "a");
});

Deno.test("list: empty items, as [] and as null, give only the meta", async () => {
  for (const empty of ["[]", "[ ]", "null"]) {
    const body =
      `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"9"},"items":${empty}}`;
    const parts = await decode([bytesOf(body)]);
    assertEquals(parts.length, 1, empty);
    assertEquals(metaOf(parts)[0].resourceVersion, "9");
  }
});

Deno.test("list: pretty-printed bodies with whitespace everywhere decode", async () => {
  const text = await replayBody(POD_LIST);
  const pretty = JSON.stringify(JSON.parse(text), null, 2);
  const parts = await decode(randomChunks(bytesOf(pretty), seededRandom(7), 300));
  assertEquals(summary(parts), summary(await decode([bytesOf(text)])));
});

Deno.test("list: a Status body (not a list) errors the stream", async () => {
  const status = await replayBody(CRD_REPLAY, 11);
  await assertRejects(() => decode([bytesOf(status)]), SyntaxError, 'got kind "Status"');
});

Deno.test("list: an object without items errors rather than passing as empty", async () => {
  const body = '{"kind":"PodList","apiVersion":"v1","metadata":{}}';
  await assertRejects(() => decode([bytesOf(body)]), SyntaxError, "no items");
});

Deno.test("list: items that are not objects error", async () => {
  const body = '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[1]}';
  await assertRejects(() => decode([bytesOf(body)]), TypeError, "expected a JSON object");
  const notArray = '{"kind":"PodList","apiVersion":"v1","metadata":{},"items":{}}';
  await assertRejects(() => decode([bytesOf(notArray)]), SyntaxError, "neither an array");
});

Deno.test("list: a typed item before the list's kind errors (its kind is unknown)", async () => {
  const body = '{"items":[{"metadata":{"name":"a"}}],"kind":"PodList","apiVersion":"v1"}';
  await assertRejects(() => decode([bytesOf(body)]), SyntaxError, "before the list's kind");
});

Deno.test("list: every truncation of the deployment list errors the stream", async () => {
  const body = bytesOf(await replayBody(DEPLOYMENT_LIST));
  const end = body.lastIndexOf(0x7d);
  for (let length = 0; length <= end; length += length < 200 ? 1 : 37) {
    await assertRejects(
      () => decode([body.subarray(0, length)], "deployments"),
      TruncatedBody,
      "unexpected end of input",
    );
  }
});

Deno.test("list: malformed structure errors with a clear message", async () => {
  const cases: Array<[string, string]> = [
    ['["PodList"]', "expected '{'"],
    ['{"kind" "PodList"}', "expected ':'"],
    ['{kind:"PodList"}', "expected a key"],
    ['{"kind":"PodList" "apiVersion":"v1"}', "expected ',' or '}'"],
    ['{"kind":"PodList","items":[{"kind":"Pod","apiVersion":"v1"} {}]}', "expected ',' or ']'"],
    ['{"kind":"PodList","items":[{"kind":"Pod","apiVersion":"v1"},]}', "where a value starts"],
    ['{"kind":"PodList","items":[]}{}', "unexpected data after the list"],
    ['{"kind":"PodList","items":[{"a":[}]}', "unexpected '}'"],
  ];
  for (const [body, message] of cases) {
    await assertRejects(() => decode([bytesOf(body)]), SyntaxError, message);
  }
});

Deno.test("list: an item over maxItemBytes errors the stream", async () => {
  const body = bytesOf(await replayBody(POD_LIST));
  await assertRejects(() => decode(byteChunks(body), "pods", 4096), RangeError, "maxValueBytes");
});

Deno.test("list: a 50 MB list streams, items come out before the input ends", async () => {
  const pod = JSON.parse(await replayBody(POD_LIST)).items[0];
  const encoder = new TextEncoder();
  const target = 50 * 1024 * 1024;
  let produced = 0;
  let index = 0;
  let finished = false;
  let itemsBeforeEnd = 0;
  let count = 0;
  let maxItem = 0;
  const source = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (produced >= target) {
        controller.enqueue(encoder.encode("]}\n"));
        finished = true;
        controller.close();
        return;
      }
      const batch: string[] = [];
      if (index === 0) batch.push('{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[');
      for (let i = 0; i < 8; i++, index++) {
        const item = JSON.stringify({ ...pod, metadata: { ...pod.metadata, name: `p${index}` } });
        batch.push(index === 0 ? item : "," + item);
      }
      const chunk = encoder.encode(batch.join(""));
      produced += chunk.length;
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 0 });
  const decoded = source.pipeThrough(new JsonListDecoder("pods", { maxItemBytes: 64 * 1024 }));
  for await (const part of decoded) {
    if (part.type !== "item") continue;
    if (!finished) itemsBeforeEnd++;
    assertEquals(part.object.meta.name, `p${count}`);
    maxItem = Math.max(maxItem, part.object.bytes.length);
    count++;
  }
  assert(produced >= target);
  assertEquals(count, index);
  assert(itemsBeforeEnd > count / 2, `${itemsBeforeEnd} of ${count} items before the end`);
  assert(maxItem < 64 * 1024);
});
