/**
 * Decoding throughput of the JSON wire format: a 5,000-pod list through `JsonListDecoder` and the
 * same pods as a watch stream through `JsonWatchDecoder`, fed in 64 KiB chunks as fetch delivers
 * them. Run with `deno bench scripts/bench/json_decode_bench.ts`; MB/s is the printed body size
 * times iter/s, objects/s is 5,000 times iter/s.
 * @module
 */
import replay from "../../../shared/fixtures/captured/k8s-openapi-v1.36.pod-list.replay.json" with {
  type: "json",
};
import { JsonListDecoder } from "../../src/kube/json/list_decoder.ts";
import { JsonValueFramer } from "../../src/kube/json/value_framer.ts";
import { JsonWatchDecoder } from "../../src/kube/json/watch_decoder.ts";

const PODS = 5_000;
const CHUNK = 64 * 1024;

const template = JSON.parse(replay[0].response_body) as {
  items: Array<{ metadata: { name: string } }>;
};
const items: string[] = [];
for (let i = 0; i < PODS; i++) {
  const pod = template.items[i % template.items.length];
  items.push(JSON.stringify({ ...pod, metadata: { ...pod.metadata, name: `pod-${i}` } }));
}
const encoder = new TextEncoder();
const list = encoder.encode(
  `{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"554"},"items":[${
    items.join(",")
  }]}\n`,
);
const watch = encoder.encode(
  items.map((item) =>
    `{"type":"ADDED","object":{"kind":"Pod","apiVersion":"v1",${item.slice(1)}}\n`
  )
    .join(""),
);

function chunks(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.subarray(offset, offset + CHUNK));
      offset += CHUNK;
    },
  });
}

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
