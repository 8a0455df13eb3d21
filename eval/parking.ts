import type { Detector } from '../detector/detector.js';
import { removeScenarioDirs } from '../test/support/scenario.js';
import { DWELL_S, runCase, SUITE } from '../test/support/scenario_suite.js';

/**
 * Event precision and recall of the no-parking rule over the whole scenario suite, through the real
 * detector. A confirmed incident is a true positive when it matches an expected stay (first seen within
 * the tolerance); every other confirmed incident is a false positive; every unmatched stay a miss.
 */
export interface ParkingEval {
  rows: (string | number)[][];
  precision: number;
  recall: number;
  /** Mean |confirmed − first seen − dwell| over true positives, seconds (one sample is 1 s). */
  dwellErrorS: number;
}

export async function evalParking(detector: Detector, log: (line: string) => void): Promise<ParkingEval> {
  const rows: (string | number)[][] = [];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  const dwellErrors: number[] = [];
  try {
    for (const c of SUITE) {
      const t0 = performance.now();
      const r = await runCase(c, detector);
      const caseFp = r.confirmed.length - r.truePositives;
      const caseFn = r.expected.length - r.truePositives;
      tp += r.truePositives;
      fp += caseFp;
      fn += caseFn;
      for (const x of r.confirmed) dwellErrors.push(Math.abs(x.confirmedAtS - x.firstSeenS - DWELL_S));
      const row = [
        r.name,
        `${c.everyS ?? 1}s`,
        r.expected.map((x) => `${x.firstSeenS}s`).join(' ') || '-',
        r.confirmed.map((x) => `${x.firstSeenS}s→${x.confirmedAtS}s`).join(' ') || '-',
        r.truePositives,
        caseFp,
        caseFn,
        ((performance.now() - t0) / 1000).toFixed(1),
      ];
      rows.push(row);
      log(`  ${row.join('  ')}`);
    }
  } finally {
    removeScenarioDirs();
  }
  return {
    rows,
    precision: tp + fp ? tp / (tp + fp) : 1,
    recall: tp + fn ? tp / (tp + fn) : 1,
    dwellErrorS: dwellErrors.length ? dwellErrors.reduce((a, b) => a + b, 0) / dwellErrors.length : 0,
  };
}
