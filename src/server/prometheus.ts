// A minimal Prometheus registry (counters, histograms, gauges read at scrape time) and the text exposition format.

type Labels = Record<string, string>;

/** Escapes a label value per the text format: backslash, double quote and newline. */
function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(names: readonly string[], values: readonly string[], extra?: [string, string]): string {
  const pairs = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) pairs.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return pairs.length ? `{${pairs.join(',')}}` : '';
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class Labelled<S> implements Metric {
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[], private readonly type: string) {}

  protected state(labels: Labels | undefined, init: () => S): S {
    const values = this.labelNames.map((n) => labels?.[n] ?? '');
    const key = values.join('\u0000');
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: init() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} ${this.type}`];
    for (const { values, state } of this.series.values()) lines.push(...this.lines(values, state));
    return lines;
  }

  protected abstract lines(values: string[], state: S): string[];
}

export class Counter extends Labelled<{ v: number }> {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'counter');
  }

  inc(labels?: Labels, by = 1): void {
    this.state(labels, () => ({ v: 0 })).v += by;
  }

  get(labels?: Labels): number {
    return this.state(labels, () => ({ v: 0 })).v;
  }

  protected lines(values: string[], s: { v: number }): string[] {
    return [`${this.name}${labelText(this.labelNames, values)} ${num(s.v)}`];
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Labelled<HistogramState> {
  constructor(name: string, help: string, readonly buckets: readonly number[], labelNames: readonly string[] = []) {
    super(name, help, labelNames, 'histogram');
  }

  observe(labels: Labels | undefined, value: number): void {
    const s = this.state(labels, () => ({ counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    // Buckets are cumulative in the output; here each value is counted once, in its smallest bucket.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i] = (s.counts[i] ?? 0) + 1;
    s.sum += value;
    s.count += 1;
  }

  protected lines(values: string[], s: HistogramState): string[] {
    const out: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((b, i) => {
      cumulative += s.counts[i] ?? 0;
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', num(b)])} ${cumulative}`);
    });
    out.push(`${this.name}_bucket${labelText(this.labelNames, values, ['le', '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${num(s.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${s.count}`);
    return out;
  }
}

/** A value read when scraped (e.g. the history store's size), so it is never stale. */
export class Gauge implements Metric {
  constructor(readonly name: string, readonly help: string, private readonly read: () => Array<{ labels?: Labels; value: number }>, private readonly type: 'gauge' | 'counter' = 'gauge') {}

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels = {}, value } of this.read()) {
      const names = Object.keys(labels);
      lines.push(`${this.name}${labelText(names, names.map((n) => labels[n] as string))} ${num(value)}`);
    }
    return lines;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric);
    return metric;
  }

  /** The text exposition format, version 0.0.4; with `only`, the families whose name it accepts. */
  render(only?: (name: string) => boolean): string {
    return this.metrics.filter((m) => !only || only(m.name)).flatMap((m) => m.render()).join('\n') + '\n';
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
