/**
 * Small statistics over samples: nearest-rank percentiles and a p50/p99 summary.
 * @module
 */

/** The `p`-th percentile (0–100, nearest rank) of `samples`; NaN when there are none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** The median (nearest-rank 50th percentile) of `samples`; NaN when there are none. */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Median and 99th percentile of a sample set, with its size. */
export interface Spread {
  p50: number;
  p99: number;
  count: number;
}

/** The {@linkcode Spread} of `samples`. */
export function spread(samples: readonly number[]): Spread {
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), count: samples.length };
}
