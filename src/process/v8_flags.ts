/**
 * The V8 flags the agent runs with: `--max-semi-space-size=2` (MiB) keeps the young generation
 * small, so short-lived chunks and decoded objects do not grow the heap by tens of MB (no
 * throughput cost measured). `--optimize-for-size` would halve the resident set with 10,000 pods
 * cached, but cut the small-GET rate by 30–50 %, so it is not used (README,
 * Performance). V8 reads its flags before the program runs, so they are set where the agent is
 * started: `deno run --v8-flags=…` (the `deno task` entries, the gateway wrapper), `deno compile
 * --v8-flags=…` (baked into the binary), or `DENO_V8_FLAGS` (the systemd unit `install` writes).
 * @module
 */

/** The flags, one per element. */
export const AGENT_V8_FLAGS: readonly string[] = [
  "--max-semi-space-size=2",
];

/** The flags as one comma-separated value, for `--v8-flags=` and `DENO_V8_FLAGS`. */
export const AGENT_V8_FLAGS_VALUE = AGENT_V8_FLAGS.join(",");
