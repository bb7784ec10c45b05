import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { decodeWatchEvent, JsonWatchDecoder } from "../../../src/kube/json/watch_decoder.ts";
import { TruncatedBody } from "../../../src/streams/ordered_transform.ts";
import type { WatchEvent } from "../../../src/kube/types.ts";
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

const WATCH = "k8s-openapi-v1.36.watch-pods.replay.json";
const WATCH_LIST = "k8s-openapi-v1.36.watch-pods-sendInitialEvents.replay.json";
const CRD_REPLAY = "k8s-openapi-v1.36.crd-custom-resources.replay.json";

function decode(chunks: Iterable<Uint8Array>, resource = "pods"): Promise<WatchEvent[]> {
  return collect(streamOf(chunks).pipeThrough(new JsonWatchDecoder(resource)));
}

/** What a line says the event is: its type and the exact text of its object. */
function expectedEvents(text: string): Array<[string, string]> {
  return text.split("\n").filter((line) => line !== "").map((line) => {
    const type = JSON.parse(line).type;
    const prefix = `{"type":"${type}","object":`;
    assert(line.startsWith(prefix) && line.endsWith("}"));
    return [type, line.slice(prefix.length, -1)];
  });
}

function summary(events: WatchEvent[]): Array<[string, string]> {
  return events.map((event) => [event.type, textOf(event.object.bytes)]);
}

Deno.test("watch: captured events keep the exact bytes of each object", async () => {
  const text = await replayBody(WATCH);
  const events = await decode([bytesOf(text)]);
  assertEquals(events.length, 5);
  assertEquals(summary(events), expectedEvents(text));
  for (const event of events) {
    assertEquals(event.object.typeMeta, { kind: "Pod", apiVersion: "v1" });
    assert(event.object.meta.name !== "" && event.object.meta.resourceVersion !== "");
    assertEquals(event.object.fields["metadata.namespace"], "kube-system");
  }
});

Deno.test("watch: the watch-list stream ends with the annotated BOOKMARK", async () => {
  const text = await replayBody(WATCH_LIST);
  const events = await decode([bytesOf(text)]);
  assertEquals(events.map((e) => e.type), [...Array(8).fill("ADDED"), "BOOKMARK"]);
  const bookmark = events[8].object;
  assertEquals(bookmark.meta.resourceVersion, "550");
  assertEquals(bookmark.typeMeta, { kind: "Pod", apiVersion: "v1" });
  const annotations = JSON.parse(textOf(bookmark.bytes)).metadata.annotations;
  assertEquals(annotations, { "k8s.io/initial-events-end": "true" });
});

Deno.test("watch: custom resource events take typeMeta from their own object", async () => {
  const events = await decode([bytesOf(await replayBody(CRD_REPLAY, 8))], "foobars");
  assertEquals(events.map((e) => [e.type, e.object.typeMeta.kind, e.object.meta.name]), [
    ["ADDED", "FooBar", "fb1"],
    ["ADDED", "FooBar", "fb2"],
  ]);
});

Deno.test("watch: the CRD watch stream split in two at every byte boundary", async () => {
  const text = await replayBody(CRD_REPLAY, 8);
  const body = bytesOf(text);
  const expected = expectedEvents(text);
  for (let point = 0; point <= body.length; point++) {
    assertEquals(summary(await decode(splitAt(body, point), "foobars")), expected, `${point}`);
  }
});

Deno.test("watch: the watch-list stream at seeded random boundaries and in single bytes", async () => {
  const text = await replayBody(WATCH_LIST);
  const body = bytesOf(text);
  const expected = expectedEvents(text);
  for (let seed = 1; seed <= 20; seed++) {
    const chunks = randomChunks(body, seededRandom(seed), seed % 2 ? 53 : 12000);
    assertEquals(summary(await decode(chunks)), expected, `seed ${seed}`);
  }
  assertEquals(summary(await decode(byteChunks(body))), expected);
});

Deno.test("watch: several events in one chunk, with no newline between them", async () => {
  const text = (await replayBody(WATCH)).replaceAll("\n", "");
  const events = await decode([bytesOf(text)]);
  assertEquals(events.length, 5);
});

Deno.test("watch: an ERROR event carries the Status", async () => {
  const status = '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",' +
    '"message":"too old resource version: 1 (550)","reason":"Expired","code":410}';
  const [event] = await decode([bytesOf(`{"type":"ERROR","object":${status}}\n`)]);
  assertEquals(event.type, "ERROR");
  assertEquals(event.object.typeMeta, { kind: "Status", apiVersion: "v1" });
  assertEquals(textOf(event.object.bytes), status);
  assertEquals(Object.keys(event.object.fields), ["metadata.name", "metadata.namespace"]);
});

Deno.test("watch: events in another member order or spacing still slice the exact object", () => {
  const object = '{ "kind": "Pod", "apiVersion": "v1", "metadata": { "name": "a" } }';
  for (
    const frame of [
      `{"object":${object},"type":"MODIFIED"}`,
      `{ "type" : "MODIFIED" , "object" : ${object} }`,
      `{"type":"MODIFIED","object":${object},"extra":{"x":1}}`,
      `{"type":"MODIF\\u0049ED","object":${object}}`,
    ]
  ) {
    const event = decodeWatchEvent(bytesOf(frame), "pods");
    assertEquals(event.type, "MODIFIED", frame);
    assertEquals(textOf(event.object.bytes), object, frame);
    assertEquals(event.object.meta.name, "a");
  }
});

Deno.test("watch: an unknown event type errors the stream", async () => {
  await assertRejects(
    () => decode([bytesOf('{"type":"UPDATED","object":{}}\n')]),
    SyntaxError,
    'unknown event type "UPDATED"',
  );
  await assertRejects(() => decode([bytesOf('{"object":{}}')]), SyntaxError, "unknown event type");
});

Deno.test("watch: an event without an object, or with a non-object one, errors", async () => {
  await assertRejects(
    () => decode([bytesOf('{"type":"ADDED"}')]),
    SyntaxError,
    "without an object",
  );
  await assertRejects(
    () => decode([bytesOf('{"type":"ADDED","object":[1]}')]),
    TypeError,
    "expected a JSON object",
  );
});

Deno.test("watch: a value that is not an event object errors", async () => {
  await assertRejects(() => decode([bytesOf("[1]")]), SyntaxError, "expected '{'");
  await assertRejects(() => decode([bytesOf('{"type":"ADDED","object":{}} x')]), SyntaxError);
});

Deno.test("watch: a stream cut inside an event errors as truncated", async () => {
  const text = await replayBody(WATCH);
  const body = bytesOf(text);
  await assertRejects(
    () => decode([body.subarray(0, body.length - 10)]),
    TruncatedBody,
    "end of input",
  );
});
