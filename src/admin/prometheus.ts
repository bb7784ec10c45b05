/**
 * A small Prometheus metrics registry writing the text exposition format (version 0.0.4):
 * counters, gauges and histograms with fixed label names, and an optional `collect()` hook run
 * at scrape time. It replaces `prom-client`, whose Node compatibility imports cost the agent
 * ~12 MB of resident memory for the same output (see the README's memory figures).
 * @module
 */

/** One series' label values, by label name. */
export type Labels<L extends string> = Partial<Record<L, string | number>>;

/** What every metric is made with. */
export interface MetricConfig<L extends string, M> {
  /** The metric's name (`[a-zA-Z_:][a-zA-Z0-9_:]*`). */
  name: string;
  /** The `# HELP` text. */
  help: string;
  /** The label names every series carries, in the order they are written. */
  labelNames?: readonly L[];
  /** Registries to register on. */
  registers?: readonly Registry[];
  /** Called before each scrape renders the metric (may update it; may be async). */
  collect?: (this: M) => void | Promise<void>;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
/** Where a series sits in the last level of a metric's index by label values. */
const SERIES = Symbol("series");
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** What a registry needs of a metric. */
export interface Collected {
  /** The metric's name. */
  readonly name: string;
  /** Runs the metric's `collect()` hook, if any. */
  collectNow(): Promise<void>;
  /** The metric in the text format. */
  render(): string;
}

/** A set of metrics rendered together. */
export class Registry {
  /** The `content-type` of {@linkcode Registry.metrics}' output. */
  readonly contentType = "text/plain; version=0.0.4; charset=utf-8";
  readonly #metrics = new Map<string, Collected>();

  /** Adds a metric; a second metric of the same name is an error. */
  register(metric: Collected): void {
    if (this.#metrics.has(metric.name)) {
      throw new Error(`metric ${metric.name} is already registered`);
    }
    this.#metrics.set(metric.name, metric);
  }

  /** Runs every metric's `collect()` and renders them all in the text format. */
  async metrics(): Promise<string> {
    const metrics = [...this.#metrics.values()];
    await Promise.all(metrics.map((metric) => metric.collectNow()));
    return metrics.map((metric) => metric.render()).join("");
  }
}

/** What the metric types share: name, help, label names and series keyed by label values. */
abstract class Metric<L extends string, V> implements Collected {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  protected readonly series = new Map<string, { labels: string; value: V }>();
  /**
   * The same series by label values, one map level per label name in `labelNames` order and the
   * series under {@linkcode SERIES} at the last: a hot lookup builds no label text.
   */
  readonly #byValues = new Map<unknown, unknown>();
  readonly #collect?: () => void | Promise<void>;

  protected constructor(
    config: MetricConfig<L, unknown>,
    readonly type: "counter" | "gauge" | "histogram",
  ) {
    if (!NAME.test(config.name)) throw new Error(`bad metric name ${config.name}`);
    for (const label of config.labelNames ?? []) {
      if (!LABEL.test(label) || label === "le") throw new Error(`bad label name ${label}`);
    }
    this.name = config.name;
    this.help = config.help;
    this.labelNames = config.labelNames ?? [];
    this.#collect = config.collect?.bind(this);
    for (const registry of config.registers ?? []) registry.register(this);
  }

  /** Forgets every series. */
  reset(): void {
    this.series.clear();
    this.#byValues.clear();
  }

  /** Runs the `collect()` hook, if any. */
  async collectNow(): Promise<void> {
    await this.#collect?.();
  }

  /** The metric in the text format. */
  render(): string {
    const head = `# HELP ${this.name} ${escapeHelp(this.help)}\n# TYPE ${this.name} ${this.type}\n`;
    if (this.series.size === 0 && this.labelNames.length === 0) this.#entry("");
    let body = "";
    for (const { labels, value } of this.series.values()) body += this.renderSeries(labels, value);
    return head + body;
  }

  protected abstract initial(): V;
  protected abstract renderSeries(labels: string, value: V): string;

  /** The series for `labels` (created at its initial value). */
  protected entry(labels: Labels<L> = {}): { labels: string; value: V } {
    for (const name in labels) {
      if (!this.labelNames.includes(name as L)) {
        throw new Error(`metric ${this.name} has no label ${name}`);
      }
    }
    let level = this.#byValues;
    for (const name of this.labelNames) {
      const value = labels[name];
      let next = level.get(value) as Map<unknown, unknown> | undefined;
      if (!next) level.set(value, next = new Map());
      level = next;
    }
    let series = level.get(SERIES) as { labels: string; value: V } | undefined;
    if (!series) {
      const text = this.labelNames
        .filter((name) => labels[name] !== undefined)
        .map((name) => `${name}="${escapeLabel(String(labels[name]))}"`)
        .join(",");
      level.set(SERIES, series = this.#entry(text));
    }
    return series;
  }

  #entry(labels: string): { labels: string; value: V } {
    let entry = this.series.get(labels);
    if (!entry) this.series.set(labels, entry = { labels, value: this.initial() });
    return entry;
  }
}

/** A value that only goes up. */
export class Counter<L extends string = string> extends Metric<L, number> {
  /** Makes the counter and registers it. */
  constructor(config: MetricConfig<L, Counter<L>>) {
    super(config as MetricConfig<L, unknown>, "counter");
  }

  /** Adds `value` (default 1) to the series of `labels`. */
  inc(labels?: Labels<L> | number, value?: number): void {
    const [named, amount] = typeof labels === "number" ? [{}, labels] : [labels, value ?? 1];
    if (!(amount >= 0)) throw new Error(`counter ${this.name} cannot go down by ${amount}`);
    this.entry(named).value += amount;
  }

  protected initial(): number {
    return 0;
  }

  protected renderSeries(labels: string, value: number): string {
    return sample(this.name, labels, value);
  }
}

/** A value that goes up and down. */
export class Gauge<L extends string = string> extends Metric<L, number> {
  /** Makes the gauge and registers it. */
  constructor(config: MetricConfig<L, Gauge<L>>) {
    super(config as MetricConfig<L, unknown>, "gauge");
  }

  /** Sets the series of `labels` (or the unlabelled series) to `value`. */
  set(labels: Labels<L> | number, value?: number): void {
    if (typeof labels === "number") this.entry().value = labels;
    else this.entry(labels).value = value ?? 0;
  }

  /** Adds `value` (default 1). */
  inc(labels?: Labels<L> | number, value?: number): void {
    const [named, amount] = typeof labels === "number" ? [{}, labels] : [labels, value ?? 1];
    this.entry(named).value += amount;
  }

  /** Subtracts `value` (default 1). */
  dec(labels?: Labels<L> | number, value?: number): void {
    const [named, amount] = typeof labels === "number" ? [{}, labels] : [labels, value ?? 1];
    this.entry(named).value -= amount;
  }

  protected initial(): number {
    return 0;
  }

  protected renderSeries(labels: string, value: number): string {
    return sample(this.name, labels, value);
  }
}

interface Buckets {
  counts: number[];
  sum: number;
  count: number;
}

/** Observations counted into cumulative buckets, with their sum and count. */
export class Histogram<L extends string = string> extends Metric<L, Buckets> {
  readonly #bounds: readonly number[];

  /** Makes the histogram (`buckets`: upper bounds, ascending) and registers it. */
  constructor(config: MetricConfig<L, Histogram<L>> & { buckets: readonly number[] }) {
    super(config as MetricConfig<L, unknown>, "histogram");
    this.#bounds = [...config.buckets].sort((a, b) => a - b);
  }

  /** Records `value` in the series of `labels`. */
  observe(labels: Labels<L> | number, value?: number): void {
    const [named, observed] = typeof labels === "number" ? [{}, labels] : [labels, value ?? 0];
    const buckets = this.entry(named).value;
    const at = this.#bounds.findIndex((bound) => observed <= bound);
    if (at !== -1) buckets.counts[at]++;
    buckets.sum += observed;
    buckets.count++;
  }

  protected initial(): Buckets {
    return { counts: this.#bounds.map(() => 0), sum: 0, count: 0 };
  }

  protected renderSeries(labels: string, value: Buckets): string {
    const prefix = labels === "" ? "" : `${labels},`;
    let text = "";
    let cumulative = 0;
    this.#bounds.forEach((bound, i) => {
      cumulative += value.counts[i];
      text += sample(`${this.name}_bucket`, `${prefix}le="${formatValue(bound)}"`, cumulative);
    });
    text += sample(`${this.name}_bucket`, `${prefix}le="+Inf"`, value.count);
    text += sample(`${this.name}_sum`, labels, value.sum);
    return text + sample(`${this.name}_count`, labels, value.count);
  }
}

function sample(name: string, labels: string, value: number): string {
  return `${name}${labels === "" ? "" : `{${labels}}`} ${formatValue(value)}\n`;
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function escapeHelp(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function escapeLabel(text: string): string {
  return text.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
