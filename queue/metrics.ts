/**
 * Prometheus metrics of one process, in the text exposition format, without a client library: counters and
 * gauges with labels, and summaries whose quantiles come from a sliding window of recent observations
 * (lag and inference time are about *now*, not since start).
 */
type Labels = Record<string, string>;

const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
const labelText = (l: Labels) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
};

abstract class Metric {
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  abstract readonly type: 'counter' | 'gauge' | 'summary';
  abstract lines(): string[];
  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, ...this.lines()].join('\n');
  }
}

export class Counter extends Metric {
  readonly type = 'counter';
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  inc(labels: Labels = {}, by = 1): void {
    const k = labelText(labels);
    const cur = this.values.get(k) ?? { labels, value: 0 };
    cur.value += by;
    this.values.set(k, cur);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelText(labels))?.value ?? 0;
  }
  entries(): { labels: Labels; value: number }[] {
    return [...this.values.values()];
  }
  lines(): string[] {
    return [...this.values.entries()].map(([k, v]) => `${this.name}${k} ${v.value}`);
  }
}

export class Gauge extends Metric {
  readonly type = 'gauge';
  private values = new Map<string, number>();
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelText(labels), value);
  }
  /** Replaces every labelled value at once (e.g. cameras by health). */
  reset(entries: [Labels, number][]): void {
    this.values = new Map(entries.map(([l, v]) => [labelText(l), v]));
  }
  lines(): string[] {
    return [...this.values.entries()].map(([k, v]) => `${this.name}${k} ${v}`);
  }
}

export const QUANTILES = [0.5, 0.9, 0.95, 0.99] as const;

/** Quantiles over the observations of the last `windowMs` (at most `maxSamples`), sum and count since start. */
export class Summary extends Metric {
  readonly type = 'summary';
  private window: { at: number; v: number }[] = [];
  private sum = 0;
  private count = 0;
  constructor(
    name: string,
    help: string,
    private readonly windowMs = 60_000,
    private readonly maxSamples = 10_000,
  ) {
    super(name, help);
  }
  observe(v: number, at = Date.now()): void {
    this.sum += v;
    this.count++;
    this.window.push({ at, v });
    if (this.window.length > this.maxSamples) this.window.splice(0, this.window.length - this.maxSamples);
  }
  /** Recent values (the window pruned to now), or only those observed since `since`. */
  recent(now = Date.now(), since?: number): number[] {
    const from = now - this.windowMs;
    const i = this.window.findIndex((s) => s.at >= from);
    this.window = i < 0 ? [] : this.window.slice(i);
    return this.window.filter((s) => since === undefined || s.at >= since).map((s) => s.v);
  }
  quantiles(now = Date.now()): Record<string, number> {
    const sorted = this.recent(now).sort((a, b) => a - b);
    return Object.fromEntries(QUANTILES.map((q) => [String(q), quantile(sorted, q)]));
  }
  /** Observations per second over the window. */
  rate(now = Date.now()): number {
    return this.recent(now).length / (this.windowMs / 1000);
  }
  lines(): string[] {
    const q = this.quantiles();
    return [
      ...QUANTILES.map((k) => `${this.name}{quantile="${k}"} ${Number.isNaN(q[String(k)]) ? 'NaN' : q[String(k)]}`),
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    ];
  }
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i]!;
}

export class Registry {
  private readonly metrics: Metric[] = [];
  constructor(private readonly constLabels: Labels = {}) {}
  add<M extends Metric>(m: M): M {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    const extra = labelText(this.constLabels);
    const text = this.metrics.map((m) => m.render()).join('\n') + '\n';
    if (!extra) return text;
    // Constant labels (the worker id) go on every sample line.
    const inner = extra.slice(1, -1);
    return text.replace(/^([a-z_:][a-z0-9_:]*)(\{([^}]*)\})? /gim, (_, name: string, _b, labels: string | undefined) => `${name}{${labels ? `${labels},` : ''}${inner}} `);
  }
}
