/**
 * The link-flap soak (`scripts/flap.ts`) for 20 s: holdfast as a subprocess, the link flapping
 * every 2–5 s under a kubelet-like load. The run completes, clients see no failure other than
 * the documented 503s with Retry-After, no watch gets stuck, and after the last reconnect the
 * informers match the simulator and every event holdfast accepted reached it (a failure names the
 * events that did not).
 * @module
 */
import assert from "node:assert/strict";
import { DEFAULT_FLAP, flapFailures, formatReport, runFlap } from "../../scripts/flap.ts";

Deno.test("flap: 20 s of a flapping link under load gives clients only documented 503s", async () => {
  const report = await runFlap({ ...DEFAULT_FLAP, durationMs: 20_000, pods: 100, sampleMs: 2000 });
  const summary = formatReport(report);
  assert.ok(report.linkDowns >= 2, summary);
  assert.deepEqual(flapFailures(report), [], summary);
});
