/**
 * Measures the simulator against its performance targets and prints the figures:
 * start with 10,000 pods (< 3 s), a full pod LIST, and a pod watch fed 1,000 events/s (does it
 * keep up, and with what delay per event). The simulator runs as its own process (`main.ts`),
 * driven through the control API; this process is the client.
 *
 * `deno run -A scripts/apiserver-sim/measure.ts [--pods 10000] [--nodes 50] [--rate 1000] [--seconds 5]`
 * @module
 */
import { parseArgs } from "node:util";
import { CHURN_ANNOTATION } from "./churn.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    pods: { type: "string", default: "10000" },
    nodes: { type: "string", default: "50" },
    rate: { type: "string", default: "1000" },
    seconds: { type: "string", default: "5" },
  },
});
const pods = Number(values.pods);
const rate = Number(values.rate);
const seconds = Number(values.seconds);

const main = new URL("./main.ts", import.meta.url).pathname;
const spawned = performance.now();
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", main, "--pods", String(pods), "--nodes", values.nodes],
  stdout: "piped",
  stderr: "inherit",
}).spawn();
const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

try {
  let first = "";
  while (!first.includes("\n")) {
    const { done, value } = await lines.read();
    if (done) throw new Error("the simulator exited before printing its URL");
    first += value;
  }
  const processReady = performance.now() - spawned;
  const started = JSON.parse(first.split("\n")[0]);
  console.log(
    `start, ${pods} pods / ${values.nodes} nodes: ${started.startMs} ms in process ` +
      `(${processReady.toFixed(0)} ms from spawn to serving, Deno boot included)`,
  );

  for (const label of ["cold (first encoding)", "warm (encoded bytes cached)"]) {
    const t0 = performance.now();
    const response = await fetch(`${started.url}/api/v1/pods`);
    let bytes = 0;
    for await (const chunk of response.body!) bytes += chunk.length;
    const ms = performance.now() - t0;
    console.log(
      `full pod LIST ${label}: ${ms.toFixed(0)} ms, ${(bytes / 1e6).toFixed(1)} MB, ` +
        `${(bytes / 1e6 / (ms / 1000)).toFixed(0)} MB/s`,
    );
  }

  const rv = (await (await fetch(`${started.url}/api/v1/pods?limit=1`)).json()).metadata
    .resourceVersion;
  const watch = await fetch(`${started.url}/api/v1/pods?watch=1&resourceVersion=${rv}`);
  const reader = watch.body!.pipeThrough(new TextDecoderStream()).getReader();
  const total = rate * seconds;
  const churnStart = performance.now();
  await fetch(`${started.controlUrl}/churn`, {
    method: "POST",
    body: JSON.stringify({ resource: "pods", rate, count: total }),
  }).then((r) => r.body?.cancel());
  const lags: number[] = [];
  let buffer = "";
  let received = 0;
  while (received < total) {
    const { done, value } = await reader.read();
    if (done) break;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const event = JSON.parse(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
      received++;
      const n = Number(event.object.metadata.annotations?.[CHURN_ANNOTATION]);
      lags.push(performance.now() - churnStart - (n * 1000) / rate);
    }
  }
  const elapsed = (performance.now() - churnStart) / 1000;
  await reader.cancel();
  lags.sort((a, b) => a - b);
  console.log(
    `pod watch at ${rate} events/s for ${seconds} s: received ${received}/${total} ` +
      `in ${elapsed.toFixed(2)} s (${(received / elapsed).toFixed(0)} events/s); delay after ` +
      `the scheduled time p50 ${percentile(lags, 50).toFixed(1)} ms, p99 ` +
      `${percentile(lags, 99).toFixed(1)} ms, max ${lags.at(-1)!.toFixed(1)} ms`,
  );
} finally {
  child.kill("SIGTERM");
  await lines.cancel();
  await child.status;
}
