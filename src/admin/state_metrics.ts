/**
 * Gauges of the agent's stored state, read when `/metrics` is scraped (never on the request path):
 * what the cache holds per component, how many of its queries are stale, what its hot snapshots
 * hold in memory, and the offline event queue's depth against its bounds.
 * @module
 */
import { Gauge } from "./prometheus.ts";
import type { Metrics } from "./metrics.ts";

/** What the cache holds for one component and resource (a subset of the cache's stats). */
export interface CacheFigures {
  component: string;
  objects: number;
  bytes: number;
  queries: number;
  stale: number;
}

/** Where the state gauges read from. */
export interface StateSources {
  cacheStats(): Promise<readonly CacheFigures[]>;
  eventQueue(): Promise<{ count: number; bytes: number }>;
  eventQueueLimits: { maxEvents: number; maxBytes: number };
  /** The hot snapshots held in memory: bytes and their budget. */
  cacheHot: () => { bytes: number; maxBytes: number };
  /** The label a component is counted under (components outside a bounded set share one). */
  componentLabel?: (component: string) => string;
}

const PER_COMPONENT = [
  ["objects", "holdfast_cache_objects", "Objects in the cache, by component."],
  ["bytes", "holdfast_cache_bytes", "Bytes of objects in the cache, by component."],
  ["queries", "holdfast_cache_queries", "Cached list/watch queries, by component."],
  [
    "stale",
    "holdfast_cache_stale_queries",
    "Cached queries marked stale (given up or damaged; rebuilt by the next list), by component.",
  ],
] as const;

/** Registers the state gauges on `metrics.registry`. */
export function registerStateMetrics(metrics: Metrics, sources: StateSources): void {
  const registers = [metrics.registry];
  // One scrape reads the cache's stats once, whichever gauge is collected first.
  let sums: Promise<Map<string, CacheFigures>> | undefined;
  const perComponent = () =>
    sums ??= sumByComponent(sources).finally(() => queueMicrotask(() => (sums = undefined)));
  for (const [field, name, help] of PER_COMPONENT) {
    new Gauge({
      name,
      help,
      labelNames: ["component"],
      registers,
      async collect() {
        this.reset();
        for (const [component, figures] of await perComponent()) {
          this.set({ component }, figures[field]);
        }
      },
    });
  }
  new Gauge({
    name: "holdfast_event_queue_events",
    help: "Event creates queued while offline, waiting for delivery.",
    registers,
    async collect() {
      this.set((await sources.eventQueue()).count);
    },
  });
  new Gauge({
    name: "holdfast_event_queue_bytes",
    help: "Body bytes of the queued event creates.",
    registers,
    async collect() {
      this.set((await sources.eventQueue()).bytes);
    },
  });
  new Gauge({
    name: "holdfast_event_queue_limit_events",
    help: "The event queue's bound in events; beyond it the oldest are dropped.",
    registers,
  }).set(sources.eventQueueLimits.maxEvents);
  new Gauge({
    name: "holdfast_event_queue_limit_bytes",
    help: "The event queue's bound in body bytes; beyond it the oldest are dropped.",
    registers,
  }).set(sources.eventQueueLimits.maxBytes);
  const hot = sources.cacheHot;
  new Gauge({
    name: "holdfast_cache_hot_bytes",
    help: "Bytes of cached snapshots held in memory for offline answers.",
    registers,
    collect() {
      this.set(hot().bytes);
    },
  });
  new Gauge({
    name: "holdfast_cache_hot_limit_bytes",
    help: "The bound of the snapshots held in memory; beyond it the least recently read go first.",
    registers,
  }).set(hot().maxBytes);
}

async function sumByComponent(sources: StateSources): Promise<Map<string, CacheFigures>> {
  const sums = new Map<string, CacheFigures>();
  for (const entry of await sources.cacheStats()) {
    const component = sources.componentLabel?.(entry.component) ?? entry.component;
    const sum = sums.get(component) ?? { component, objects: 0, bytes: 0, queries: 0, stale: 0 };
    sum.objects += entry.objects;
    sum.bytes += entry.bytes;
    sum.queries += entry.queries;
    sum.stale += entry.stale;
    sums.set(component, sum);
  }
  return sums;
}
