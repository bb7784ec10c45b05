/**
 * The contract between `main.ts` and each measurement module: the run context (mode, sizes,
 * folders) and the rows a measurement plans up front and then fills in. Planning the rows first
 * means the table always has every metric row, even when a measurement fails or is skipped.
 * @module
 */
import type { YurthubBinary } from "../yurthub/build.ts";

/** Workload sizes and durations for one mode (`--quick` or full). */
export interface Sizes {
  /** Pods in the LIST of the request path, offline and cache-write measurements. */
  listPods: number;
  /** Objects cached for the memory and start-up measurements. */
  cachedObjects: number;
  /** Seconds of `wrk` load per target, after `warmupS` of unmeasured load. */
  wrkDurationS: number;
  warmupS: number;
  /** The request path's rounds, each running `wrk` for `wrkRoundS` against every target. */
  wrkRounds: number;
  wrkRoundS: number;
  /** `wrk` connections for the small GET and for the large LIST. */
  smallConnections: number;
  listConnections: number;
  /** Seconds the watch throughput and latency runs last. */
  watchDurationS: number;
  /** Events per second of the flood source in the throughput run. */
  watchFloodRate: number;
  /** Events per second for the latency and cache-lag run. */
  watchLatencyRate: number;
  /** Simulated minutes of the kubelet + kube-proxy workload, and the time compression. */
  workloadMinutes: number;
  workloadSpeedup: number;
  /** Timed requests per format, online and offline, in the offline LIST comparison. */
  offlineRequests: number;
  /** The same for YurtHub, whose LISTs take a second or more each. */
  hubOfflineRequests: number;
}

/** What every measurement gets. */
export interface BenchContext {
  /** OpenYurt's YurtHub binary for the YurtHub column, or why there is none. */
  yurthub?: YurthubBinary;
  quick: boolean;
  /** Start agents with `--cpu-prof` into `<runDir>/profiles/<measure>/`. */
  profile: boolean;
  /** The repository root (where `main.ts` and `scripts/` are). */
  repoRoot: string;
  /** This run's folder under `bench-results/` (logs, KV files, profiles). */
  runDir: string;
  sizes: Sizes;
}

/** A row a measurement will produce. */
export interface RowPlan {
  /** Stable identifier, e.g. `request.get.cache_on`. */
  id: string;
  /** Human description for the table. */
  metric: string;
  /** The target, in words (absent when the row is informational). */
  target?: string;
  /** The row has a YurtHub cell (the same work through OpenYurt's YurtHub). */
  peer?: boolean;
}

/** One measured value. */
export interface Measured {
  value: number;
  unit: string;
  /** Secondary figures shown beside the value, e.g. `{ p50: "1.2 ms" }`. */
  detail?: Record<string, string>;
}

/** What a measurement reports for one planned row. */
export interface RowResult {
  holdfast?: Measured;
  baseline?: Measured & { name: string };
  /** The same metric for OpenYurt's YurtHub, or why it has no value. */
  yurthub?: Measured | string;
  /** holdfast ÷ baseline, or the measure-specific ratio the target is about. */
  ratio?: number;
  /** Whether the target is met; absent when the row has no target. */
  met?: boolean;
  note?: string;
}

/** A finished row. */
export type Row = RowPlan & RowResult & { measure: string };

/** Fills in one planned row. */
export type RecordRow = (id: string, result: RowResult) => void;

/** One measurement module. */
export interface Measure {
  /** Short name, used by `--only` and for profile folders. */
  name: string;
  /** The rows this measurement produces. */
  plan(ctx: BenchContext): RowPlan[];
  /** Runs the measurement, recording each planned row. */
  run(ctx: BenchContext, record: RecordRow): Promise<void>;
}
