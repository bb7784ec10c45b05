/**
 * The V8 flags the agent runs with. `--optimize-for-size` makes V8 grow its heap less eagerly and
 * give it back sooner; `--max-semi-space-size=2` (MiB) keeps the young generation small. Together
 * they take the agent with 10,000 pods cached from ~150 MB to ~85 MB resident (README,
 * Performance). They cannot be set from inside the program (the heap is sized before it runs):
 * `deno run --v8-flags=…` (the `deno task` entries, the gateway wrapper), `deno compile
 * --v8-flags=…` (baked into the binary), or `DENO_V8_FLAGS` (the systemd unit `install` writes).
 * @module
 */

/** The flags, one per element. */
export const AGENT_V8_FLAGS: readonly string[] = [
  "--optimize-for-size",
  "--max-semi-space-size=2",
];

/** The flags as one comma-separated value, for `--v8-flags=` and `DENO_V8_FLAGS`. */
export const AGENT_V8_FLAGS_VALUE = AGENT_V8_FLAGS.join(",");
