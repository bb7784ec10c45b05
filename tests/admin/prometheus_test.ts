import assert from "node:assert/strict";
import { Counter, Gauge, Histogram, Registry } from "../../src/admin/prometheus.ts";

Deno.test("an unlabelled counter is written at 0 before it is counted, with HELP and TYPE", async () => {
  const registry = new Registry();
  new Counter({ name: "x_total", help: "Things.\nMore \\ things.", registers: [registry] });
  assert.equal(
    await registry.metrics(),
    "# HELP x_total Things.\\nMore \\\\ things.\n# TYPE x_total counter\nx_total 0\n",
  );
});

/** A counter labelled by verb and code, on `registry`. */
function requestCounter(registry: Registry) {
  return new Counter({
    name: "req_total",
    help: "h",
    labelNames: ["verb", "code"],
    registers: [registry],
  });
}

Deno.test("labelled series are written in label-name order with escaped values", async () => {
  const registry = new Registry();
  const counter = requestCounter(registry);
  counter.inc({ code: "200", verb: 'a"b\\c\nd' });
  counter.inc({ verb: 'a"b\\c\nd', code: "200" }, 2);
  counter.inc({ verb: "get", code: 404 });
  const text = await registry.metrics();
  assert.match(text, /^req_total\{verb="a\\"b\\\\c\\nd",code="200"\} 3$/m);
  assert.match(text, /^req_total\{verb="get",code="404"\} 1$/m);
  assert.throws(() => counter.inc({ verb: "get" }, -1), /cannot go down/);
  assert.throws(() => counter.inc({ nope: "x" } as never), /has no label nope/);
  assert.throws(() => counter.inc({ verb: "get", code: 404, nope: "x" } as never), /no label nope/);
});

Deno.test("a series is the same whatever its values' types, a label left out, or a reset", async () => {
  const registry = new Registry();
  const counter = requestCounter(registry);
  counter.inc({ verb: "get", code: 200 });
  counter.inc({ verb: "get", code: "200" });
  counter.inc({ verb: "get" });
  counter.inc({ verb: "get", code: undefined });
  let text = await registry.metrics();
  assert.match(text, /^req_total\{verb="get",code="200"\} 2$/m);
  assert.match(text, /^req_total\{verb="get"\} 2$/m);
  counter.reset();
  counter.inc({ verb: "get", code: 200 });
  text = await registry.metrics();
  assert.match(text, /^req_total\{verb="get",code="200"\} 1$/m);
  assert.doesNotMatch(text, /^req_total\{verb="get"\}/m);
});

Deno.test("gauges set, go up and down, reset, and collect at scrape time", async () => {
  const registry = new Registry();
  let scrapes = 0;
  const gauge = new Gauge({ name: "g", help: "h", labelNames: ["k"], registers: [registry] });
  new Gauge({
    name: "collected",
    help: "h",
    registers: [registry],
    async collect() {
      await Promise.resolve();
      this.set(++scrapes);
    },
  });
  gauge.set({ k: "a" }, 5);
  gauge.inc({ k: "a" });
  gauge.dec({ k: "a" }, 3);
  gauge.set({ k: "b" }, -Infinity);
  let text = await registry.metrics();
  assert.match(text, /^g\{k="a"\} 3$/m);
  assert.match(text, /^g\{k="b"\} -Inf$/m);
  assert.match(text, /^collected 1$/m);
  gauge.reset();
  text = await registry.metrics();
  assert.doesNotMatch(text, /^g\{/m);
  assert.match(text, /^collected 2$/m);
});

Deno.test("a histogram writes cumulative buckets, +Inf, sum and count per series", async () => {
  const registry = new Registry();
  const histogram = new Histogram({
    name: "d_seconds",
    help: "h",
    labelNames: ["verb"],
    buckets: [1, 0.1],
    registers: [registry],
  });
  for (const value of [0.05, 0.1, 0.5, 7]) histogram.observe({ verb: "get" }, value);
  assert.equal(
    await registry.metrics(),
    [
      "# HELP d_seconds h",
      "# TYPE d_seconds histogram",
      'd_seconds_bucket{verb="get",le="0.1"} 2',
      'd_seconds_bucket{verb="get",le="1"} 3',
      'd_seconds_bucket{verb="get",le="+Inf"} 4',
      'd_seconds_sum{verb="get"} 7.65',
      'd_seconds_count{verb="get"} 4',
      "",
    ].join("\n"),
  );
});

Deno.test("a name registered twice, a bad name and the reserved le label are refused", () => {
  const registry = new Registry();
  new Gauge({ name: "g", help: "h", registers: [registry] });
  assert.throws(() => new Gauge({ name: "g", help: "h", registers: [registry] }), /already/);
  assert.throws(() => new Gauge({ name: "1g", help: "h" }), /bad metric name/);
  assert.throws(() => new Histogram({ name: "h", help: "h", labelNames: ["le"], buckets: [] }));
});
