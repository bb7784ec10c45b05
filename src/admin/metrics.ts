/**
 * The agent's Prometheus metrics, on a registry of its own. All names start with `holdfast_`.
 * Besides the agent's own, three cheap process gauges (RSS, heap used, start time) are read at
 * scrape time.
 * @module
 */
import { Counter, Gauge, Histogram, Registry } from "./prometheus.ts";
import { VERSION } from "../version.ts";

/** Every metric the agent exports, plus the registry that renders them. */
export interface Metrics {
  /** Renders the text exposition format: `await registry.metrics()`, `registry.contentType`. */
  registry: Registry;
  /** `holdfast_requests_total`: proxied requests answered, by verb, resource, component, code. */
  requests: Counter<"verb" | "resource" | "component" | "code">;
  /** `holdfast_request_duration_seconds`: time to answer non-watch requests. */
  requestDuration: Histogram<"verb" | "resource" | "component">;
  /**
   * `holdfast_upstream_response_bytes_total`: response body bytes read from upstream (a body
   * passed through untouched counts by its declared length; one without it is not counted).
   */
  upstreamBytes: Counter;
  /** `holdfast_inflight_requests`: proxied requests being answered now (watches included). */
  inflight: Gauge;
  /** `holdfast_upstream_healthy{server}`: 1 while that upstream passes health checks, else 0. */
  upstreamHealthy: Gauge<"server">;
  /** `holdfast_upstream_errors_total{server}`: failed upstream requests (no response). */
  upstreamErrors: Counter<"server">;
  /** `holdfast_offline`: 1 while the agent answers from its cache, 0 while online. */
  offline: Gauge;
  /** `holdfast_mode_transitions_total{to}`: switches to `online` or `offline`. */
  modeTransitions: Counter<"to">;
  /** `holdfast_cache_commits_total`: Deno KV commits made by the cache's write batcher. */
  cacheCommits: Counter;
  /** `holdfast_cache_written_bytes_total`: bytes (keys and values) those commits wrote. */
  cacheWrittenBytes: Counter;
  /** `holdfast_cache_drops_total{reason}`: responses not cached, e.g. the tap queue overflowed. */
  cacheDrops: Counter<"reason">;
  /** `holdfast_cache_anomalies_total{kind}`: damaged records, resourceVersions going backwards. */
  cacheAnomalies: Counter<"kind">;
  /**
   * `holdfast_cache_fault{kind}`: 1 while the cache has that fault (`damaged`: file moved aside
   * at start-up, `unwritable`: in memory only, `writes-paused`: commits failing, `seal-key`: the
   * seal key is unusable or did not seal the file's data), else 0.
   */
  cacheFault: Gauge<"kind">;
}

const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Creates the metrics on a new registry (each call is independent, so tests may make many). */
export function createMetrics(): Metrics {
  const registry = new Registry();
  const registers = [registry];
  new Gauge({
    name: "holdfast_build_info",
    help: "Always 1; the version label says which holdfast is running.",
    labelNames: ["version"],
    registers,
  }).set({ version: VERSION }, 1);
  new Gauge({
    name: "holdfast_process_start_time_seconds",
    help: "Start time of the process since the Unix epoch, in seconds.",
    registers,
  }).set((Date.now() - performance.now()) / 1000);
  new Gauge({
    name: "holdfast_process_resident_memory_bytes",
    help: "Resident memory size of the process, in bytes.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().rss);
    },
  });
  new Gauge({
    name: "holdfast_process_heap_used_bytes",
    help: "JavaScript heap in use, in bytes.",
    registers,
    collect() {
      this.set(Deno.memoryUsage().heapUsed);
    },
  });
  return {
    registry,
    requests: new Counter({
      name: "holdfast_requests_total",
      help: "Proxied requests answered, by verb, resource, component and HTTP status code.",
      labelNames: ["verb", "resource", "component", "code"],
      registers,
    }),
    requestDuration: new Histogram({
      name: "holdfast_request_duration_seconds",
      help: "Time to answer a proxied request (watches excluded), in seconds.",
      labelNames: ["verb", "resource", "component"],
      buckets: DURATION_BUCKETS,
      registers,
    }),
    upstreamBytes: new Counter({
      name: "holdfast_upstream_response_bytes_total",
      help: "Response body bytes read from upstream servers " +
        "(a body passed through untouched counts by its Content-Length, one without it not at all).",
      registers,
    }),
    inflight: new Gauge({
      name: "holdfast_inflight_requests",
      help: "Proxied requests being answered now, watches included.",
      registers,
    }),
    upstreamHealthy: new Gauge({
      name: "holdfast_upstream_healthy",
      help: "1 while the upstream server passes health checks, 0 otherwise.",
      labelNames: ["server"],
      registers,
    }),
    upstreamErrors: new Counter({
      name: "holdfast_upstream_errors_total",
      help: "Upstream requests that failed without a response.",
      labelNames: ["server"],
      registers,
    }),
    offline: new Gauge({
      name: "holdfast_offline",
      help: "1 while the agent answers from its cache, 0 while online.",
      registers,
    }),
    modeTransitions: new Counter({
      name: "holdfast_mode_transitions_total",
      help: "Switches between online and offline, by the mode switched to.",
      labelNames: ["to"],
      registers,
    }),
    cacheCommits: new Counter({
      name: "holdfast_cache_commits_total",
      help: "Deno KV commits made by the cache's write batcher.",
      registers,
    }),
    cacheWrittenBytes: new Counter({
      name: "holdfast_cache_written_bytes_total",
      help: "Bytes (keys and values) written to Deno KV by the cache.",
      registers,
    }),
    cacheDrops: new Counter({
      name: "holdfast_cache_drops_total",
      help: "Responses that were not cached, by reason.",
      labelNames: ["reason"],
      registers,
    }),
    cacheAnomalies: new Counter({
      name: "holdfast_cache_anomalies_total",
      help: "Damaged cache records found, and upstream resourceVersions that went backwards.",
      labelNames: ["kind"],
      registers,
    }),
    cacheFault: new Gauge({
      name: "holdfast_cache_fault",
      help:
        "1 while the cache has a fault of that kind (damaged, unwritable, writes-paused, seal-key).",
      labelNames: ["kind"],
      registers,
    }),
  };
}
