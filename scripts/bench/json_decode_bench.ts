/**
 * Decoding throughput of the JSON wire format: a 5,000-pod list through `JsonListDecoder` and the
 * same pods as a watch stream through `JsonWatchDecoder`, fed in 64 KiB chunks as fetch delivers
 * them. Run with `deno bench scripts/bench/json_decode_bench.ts`; MB/s is the printed body size
 * times iter/s, objects/s is 5,000 times iter/s. The `object` group reads the same 5,000 pods one
 * object at a time, sparsely (as the decoders do) and by a full `JSON.parse` (as they did before):
 * per-object µs is the time divided by 5,000.
 * @module
 */
import { JsonListDecoder } from "../../src/kube/json/list_decoder.ts";
import { parseJsonObject, rawObjectFromJson, rawObjectOf } from "../../src/kube/json/object.ts";
import { JsonValueFramer } from "../../src/kube/json/value_framer.ts";
import { JsonWatchDecoder } from "../../src/kube/json/watch_decoder.ts";
import { chunksOf, jsonPodList, jsonPods } from "./lib/pod_lists.ts";

const PODS = 5_000;
const items = jsonPods(PODS);
const encoder = new TextEncoder();
const list = jsonPodList(PODS);
const watch = encoder.encode(
  items.map((item) =>
    `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1",${item.slice(1)}}\n`
  )
    .join(""),
);

const podBytes = items.map((item) => encoder.encode(item));

const chunks = (bytes: Uint8Array) => ReadableStream.from(chunksOf(bytes));

async function count(stream: ReadableStream<unknown>, expected: number): Promise<void> {
  let n = 0;
  for await (const _ of stream) n++;
  if (n !== expected) throw new Error(`decoded ${n} parts, expected ${expected}`);
}

console.log(
  `list: ${(list.length / 1e6).toFixed(2)} MB, watch: ${(watch.length / 1e6).toFixed(2)} MB, ` +
    `${PODS} pods each`,
);

Deno.bench("JsonListDecoder: 5,000-pod list", { group: "decode", baseline: true }, async () => {
  await count(chunks(list).pipeThrough(new JsonListDecoder("pods")), PODS + 1);
});

Deno.bench("JsonWatchDecoder: 5,000 ADDED events", { group: "decode" }, async () => {
  await count(chunks(watch).pipeThrough(new JsonWatchDecoder("pods")), PODS);
});

Deno.bench("JsonValueFramer only (no parse): 5,000 events", { group: "decode" }, async () => {
  await count(chunks(watch).pipeThrough(new JsonValueFramer()), PODS);
});

Deno.bench(
  "rawObjectFromJson (sparse read): 5,000 pods",
  { group: "object", baseline: true },
  () => {
    for (const pod of podBytes) rawObjectFromJson(pod, "pods");
  },
);

Deno.bench("full JSON.parse, then the same fields: 5,000 pods", { group: "object" }, () => {
  for (const pod of podBytes) rawObjectOf(parseJsonObject(pod), pod, "pods");
});
