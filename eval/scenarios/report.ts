import { PARAMS, type Param } from './draw.js';
import type { Judged } from './judge.js';
import type { SuiteRun } from './suite.js';

/**
 * Event precision, recall and dwell error of the generated suite, overall and per value of every drawn
 * parameter (a bucket), with the detector's recall of vehicles standing in the zone beside them.
 */
export interface Tally {
  scenarios: number;
  tp: number;
  fp: number;
  fn: number;
  dwellErrorsS: number[];
  zoneVehicles: number;
  zoneFound: number;
}

export const precision = (t: Tally) => (t.tp + t.fp ? t.tp / (t.tp + t.fp) : 1);
export const recall = (t: Tally) => (t.tp + t.fn ? t.tp / (t.tp + t.fn) : 1);
export const meanDwellError = (t: Tally) => (t.dwellErrorsS.length ? t.dwellErrorsS.reduce((a, b) => a + b, 0) / t.dwellErrorsS.length : 0);

function empty(): Tally {
  return { scenarios: 0, tp: 0, fp: 0, fn: 0, dwellErrorsS: [], zoneVehicles: 0, zoneFound: 0 };
}

function add(t: Tally, run: SuiteRun, j: Judged): void {
  t.scenarios++;
  t.tp += j.tp;
  t.fp += j.fp;
  t.fn += j.fn;
  t.dwellErrorsS.push(...j.dwellErrorsS);
  t.zoneVehicles += run.observation.zoneVehicles;
  t.zoneFound += run.observation.zoneFound;
}

export interface SuiteScore {
  overall: Tally;
  /** Per parameter, per value. */
  buckets: Map<Param, Map<string, Tally>>;
}

export function score(runs: SuiteRun[], judged: Judged[]): SuiteScore {
  const overall = empty();
  const buckets = new Map<Param, Map<string, Tally>>(PARAMS.map((p) => [p, new Map()]));
  runs.forEach((run, i) => {
    add(overall, run, judged[i]!);
    for (const p of PARAMS) {
      const values = buckets.get(p)!;
      const v = run.drawn.params[p];
      if (!values.has(v)) values.set(v, empty());
      add(values.get(v)!, run, judged[i]!);
    }
  });
  for (const [p, values] of buckets) buckets.set(p, new Map([...values].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))));
  return { overall, buckets };
}

/** The lowest precision or recall of any bucket holding at least one expected or confirmed incident. */
export function worstBucket(s: SuiteScore): { param: Param; value: string; metric: 'precision' | 'recall'; v: number } | undefined {
  let worst: ReturnType<typeof worstBucket>;
  for (const [param, values] of s.buckets) {
    for (const [value, t] of values) {
      for (const metric of ['precision', 'recall'] as const) {
        const v = metric === 'precision' ? precision(t) : recall(t);
        if (!worst || v < worst.v) worst = { param, value, metric, v };
      }
    }
  }
  return worst;
}

export const f3 = (v: number) => v.toFixed(3);

/** Table rows: one per bucket (parameter, value), then the overall row. */
export function scoreRows(s: SuiteScore, only?: Param): (string | number)[][] {
  const row = (param: string, value: string, t: Tally) => [
    param,
    value,
    t.scenarios,
    t.tp + t.fn,
    t.tp,
    t.fp,
    t.fn,
    f3(precision(t)),
    f3(recall(t)),
    meanDwellError(t).toFixed(1),
    t.zoneVehicles ? f3(t.zoneFound / t.zoneVehicles) : '-',
  ];
  const rows: (string | number)[][] = [];
  for (const [param, values] of s.buckets) {
    if (only && param !== only) continue;
    for (const [value, t] of values) rows.push(row(param, value, t));
  }
  rows.push(row('all', '', s.overall));
  return rows;
}

export const SCORE_COLUMNS = ['parameter', 'value', 'scenarios', 'stays', 'TP', 'FP', 'FN', 'precision', 'recall', 'dwell err s', 'zone recall (detector)'];
