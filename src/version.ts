/**
 * The agent's release version, kept equal to `version` in `deno.json` (a test checks it).
 * @module
 */

/** holdfast's version, printed by `holdfast version` and reported by `/v1/status`. */
export const VERSION = "0.1.0";
