/**
 * Benchmarks decoding Kubernetes protobuf: a 5,000-pod PodList (pods derived from the Pod fixture
 * by rewriting name, namespace, resourceVersion and spec.nodeName), streamed in 64 KiB chunks as
 * from the network, and the same pods as a watch stream. Run:
 * `deno bench -A scripts/bench/protobuf_decode_bench.ts`; MB/s = body MB / time per iteration,
 * objects/s = 5,000 / time per iteration.
 * @module
 */
import { protobufCodec } from "../../src/kube/protobuf/codec.ts";
import { decodeList } from "../../src/kube/protobuf/list_decoder.ts";
import { chunksOf, protobufPodList, protobufPods } from "./lib/pod_lists.ts";

const PODS = 5000;
const pods = protobufPods(PODS);
const listBody = protobufPodList(pods);
const listChunks = chunksOf(listBody);
const listMeta = { apiVersion: "v1", kind: "PodList", resourceVersion: "200000", continue: "" };

const watchBody = new Uint8Array(
  pods.reduce((n, pod) => n + protobufCodec.encodeWatchEvent("ADDED", pod).length, 0),
);
pods.reduce((offset, pod) => {
  const frame = protobufCodec.encodeWatchEvent("ADDED", pod);
  watchBody.set(frame, offset);
  return offset + frame.length;
}, 0);
const watchChunks = chunksOf(watchBody);

const mb = (n: number) => (n / 1e6).toFixed(1);

async function drain<T>(chunks: Uint8Array[], decoder: TransformStream<Uint8Array, T>) {
  let count = 0;
  for await (const _ of ReadableStream.from(chunks).pipeThrough(decoder)) count++;
  if (count < PODS) throw new Error(`decoded ${count} of ${PODS}`);
}

Deno.bench(`PodList ${PODS} pods, ${mb(listBody.length)} MB: listDecoder, 64 KiB chunks`, {
  group: "list",
  baseline: true,
}, async () => {
  await drain(listChunks, protobufCodec.listDecoder("pods"));
});

Deno.bench(`PodList ${PODS} pods, ${mb(listBody.length)} MB: decodeList, one buffer`, {
  group: "list",
}, () => {
  if (decodeList(listBody).length !== PODS + 1) throw new Error("short list");
});

Deno.bench(`watch ${PODS} ADDED, ${mb(watchBody.length)} MB: watchDecoder, 64 KiB chunks`, {
  group: "watch",
}, async () => {
  await drain(watchChunks, protobufCodec.watchDecoder("pods"));
});

Deno.bench(`PodList ${PODS} pods: encodeList from cached items`, { group: "encode" }, () => {
  let bytes = 0;
  for (const chunk of protobufCodec.encodeList(listMeta, pods)) bytes += chunk.length;
  if (bytes !== listBody.length) throw new Error("size mismatch");
});
