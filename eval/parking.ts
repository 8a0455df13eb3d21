import type { Detector } from '../detector/detector.js';
import { precision, recall, score, worstBucket, type SuiteScore } from './scenarios/report.js';
import { judgeRun, observeSuite, type ObserveOptions, type SuiteRun } from './scenarios/suite.js';

/**
 * Event precision and recall of the no-parking rule over the generated scenario suite, through the real
 * detector: overall and per parameter bucket, and for a sweep, per candidate setting of the rule.
 */
export interface ParkingEval {
  score: SuiteScore;
  runs: SuiteRun[];
}

export async function evalParking(detector: Detector, opts: { seed: number; count: number } & ObserveOptions): Promise<ParkingEval> {
  const runs = await observeSuite(opts.seed, opts.count, detector, opts);
  return { runs, score: score(runs, runs.map((r) => judgeRun(r))) };
}

/** One candidate of a sweep: zone fields over the defaults (durations, thresholds the rule reads). */
export interface SweepCandidate {
  name: string;
  zone: Record<string, unknown>;
}

/**
 * The rule's settings swept over the same observations (the detector is not run again): precision, recall
 * and the worst bucket per candidate, best first (by the worse of precision and recall, then the worst bucket).
 */
export function sweepParking(runs: SuiteRun[], candidates: SweepCandidate[]): (string | number)[][] {
  const rows = candidates.map((c) => {
    const s = score(runs, runs.map((r) => judgeRun(r, c.zone)));
    const w = worstBucket(s)!;
    return { c, p: precision(s.overall), r: recall(s.overall), w };
  });
  rows.sort((a, b) => Math.min(b.p, b.r) - Math.min(a.p, a.r) || b.w.v - a.w.v);
  return rows.map(({ c, p, r, w }) => [c.name, p.toFixed(3), r.toFixed(3), `${w.param}=${w.value} ${w.metric} ${w.v.toFixed(3)}`]);
}
