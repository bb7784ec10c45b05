/**
 * Decoding throughput of the cache branch's list decoders: a 5,000-pod list in Kubernetes
 * protobuf beside the same count in JSON, fed in 64 KiB chunks as fetch delivers them. Reports
 * MB/s and objects/s (median of several runs); `deno bench scripts/bench/*_decode_bench.ts`
 * gives the finer breakdown.
 * @module
 */
import { jsonCodec } from "../../src/kube/json/codec.ts";
import { protobufCodec } from "../../src/kube/protobuf/codec.ts";
import type { WireCodec } from "../../src/kube/codec.ts";
import { chunksOf, jsonPodList, protobufPodList, protobufPods } from "./lib/pod_lists.ts";
import type { BenchContext, Measure, RecordRow, RowPlan } from "./lib/measure.ts";
import { formatNumber } from "./lib/report.ts";
import { percentile } from "./lib/stats.ts";

const PODS = 5000;

function plan(): RowPlan[] {
  return [
    { id: "decode.json", metric: `JSON decode, ${formatNumber(PODS)}-pod list (objects/s)` },
    {
      id: "decode.protobuf",
      metric: `protobuf decode, ${formatNumber(PODS)}-pod list (objects/s; baseline JSON)`,
    },
  ];
}

/** Median seconds to decode `chunks` into list parts with `codec`. */
async function timeDecode(codec: WireCodec, chunks: Uint8Array[], runs: number): Promise<number> {
  const seconds: number[] = [];
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    let parts = 0;
    for await (const _ of ReadableStream.from(chunks).pipeThrough(codec.listDecoder("pods"))) {
      parts++;
    }
    if (parts !== PODS + 1) throw new Error(`decoded ${parts} parts, expected ${PODS + 1}`);
    seconds.push((performance.now() - started) / 1000);
  }
  return percentile(seconds, 50);
}

async function run(ctx: BenchContext, record: RecordRow): Promise<void> {
  const runs = ctx.quick ? 3 : 9;
  const json = jsonPodList(PODS);
  const protobuf = protobufPodList(protobufPods(PODS));
  const jsonSeconds = await timeDecode(jsonCodec, chunksOf(json), runs);
  const protobufSeconds = await timeDecode(protobufCodec, chunksOf(protobuf), runs);
  const measured = (bytes: number, seconds: number) => ({
    value: PODS / seconds,
    unit: "objects/s",
    detail: { "MB/s": formatNumber(bytes / 1e6 / seconds), MB: (bytes / 1e6).toFixed(1) },
  });
  const jsonMeasured = measured(json.length, jsonSeconds);
  record("decode.json", {
    holdfast: jsonMeasured,
    note: `median of ${runs}; captured kind pods, ${
      (json.length / PODS / 1024).toFixed(1)
    } KiB each`,
  });
  record("decode.protobuf", {
    holdfast: measured(protobuf.length, protobufSeconds),
    baseline: { name: "JSON", ...jsonMeasured },
    ratio: jsonSeconds / protobufSeconds,
    note: `median of ${runs}; Pod fixture pods, ${
      (protobuf.length / PODS / 1024).toFixed(1)
    } KiB each`,
  });
}

/** Decoding throughput, JSON and protobuf. */
export const decode: Measure = { name: "decode", plan, run };
