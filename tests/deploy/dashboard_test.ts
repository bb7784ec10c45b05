/**
 * The Grafana dashboard and the Prometheus alert rules name only metrics a running agent exports,
 * and the state gauges they rely on carry real values (cache per component, mode, event queue).
 */
import assert from "node:assert/strict";
import { parse } from "yaml";
import { startStack } from "../harness.ts";

const DEPLOY = new URL("../../deploy/", import.meta.url);
const dashboard = JSON.parse(await Deno.readTextFile(new URL("grafana/holdfast.json", DEPLOY)));
const rules = parse(await Deno.readTextFile(new URL("prometheus/holdfast-rules.yaml", DEPLOY)));

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const panels: Panel[] = dashboard.panels;
const ruleList: { alert: string; expr: string; labels: Record<string, string> }[] = rules.groups
  .flatMap((g: { rules: unknown[] }) => g.rules);
const expressions = [
  ...panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr)),
  ...ruleList.map((r) => r.expr),
  ...dashboard.templating.list.map((v: { definition?: string }) => v.definition ?? ""),
];

/** The exposition names a family of `type` may appear under in a PromQL expression. */
function seriesNames(name: string, type: string): string[] {
  return type === "histogram" ? [`${name}_bucket`, `${name}_sum`, `${name}_count`] : [name];
}

async function waitFor(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

Deno.test("dashboard: panels have unique ids, and every query panel has an expression", () => {
  const ids = panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const panel of panels) {
    if (panel.type === "row") continue;
    assert.ok(panel.targets?.length, panel.title);
    for (const target of panel.targets!) assert.ok(target.expr.includes("holdfast_"), panel.title);
  }
});

Deno.test("rules: every alert has an expression, a severity and a summary", () => {
  assert.ok(ruleList.length >= 5);
  for (const rule of rules.groups.flatMap((g: { rules: Record<string, unknown>[] }) => g.rules)) {
    assert.match(String(rule.alert), /^Holdfast[A-Za-z]+$/);
    assert.ok(String(rule.expr).includes("holdfast_"), String(rule.alert));
    assert.match(String((rule.labels as Record<string, string>).severity), /^(warning|critical)$/);
    assert.ok((rule.annotations as Record<string, string>).summary, String(rule.alert));
  }
});

Deno.test("dashboard and rules name only metrics that /metrics exports, with real values", async () => {
  await using stack = await startStack();
  await stack.kubectl("get", "pods", "-A", "-o", "json");
  const scrape = async () => await (await fetch(`${stack.adminUrl}/metrics`)).text();

  const text = await scrape();
  const exported = new Set<string>();
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    for (const series of seriesNames(name, type)) exported.add(series);
  }
  const named = new Set(expressions.flatMap((e) => e.match(/\bholdfast_[a-z0-9_]+/g) ?? []));
  assert.ok(named.size >= 15, `${named.size} metrics named`);
  for (const name of named) assert.ok(exported.has(name), `${name} is not exported`);

  // The values behind the panels are real: kubectl's cached pods, the mode, the queue's bound.
  await waitFor(
    "kubectl's pods counted",
    async () => (sample(await scrape(), 'holdfast_cache_objects{component="kubectl"}') ?? 0) >= 20,
  );
  assert.equal(sample(text, "holdfast_offline"), 0);
  assert.ok((sample(text, "holdfast_event_queue_limit_events") ?? 0) > 0);
  await stack.sim.faults.linkDown();
  await waitFor("offline gauge", async () => sample(await scrape(), "holdfast_offline") === 1);
  const offline = await scrape();
  assert.equal(sample(offline, 'holdfast_mode_transitions_total{to="offline"}'), 1);
});
