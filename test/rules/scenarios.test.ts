import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../../detector/detector.js';
import { removeScenarioDirs } from '../support/scenario.js';
import { DWELL_S, runCase, SUITE, TOLERANCE_S } from '../support/scenario_suite.js';
import { MODELS_DIR } from '../support/paths.js';

/**
 * The parking scenario suite through the REAL detector: videos composed from real photographs, encoded
 * by ffmpeg, read back frame by frame as `weisu replay` reads them, judged by the rules.
 */
let detector: Detector;
beforeAll(async () => {
  detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
});
afterAll(async () => {
  await detector?.close();
  removeScenarioDirs();
});

describe('parking scenarios (real detector)', () => {
  for (const c of SUITE.filter((x) => x.core)) {
    const n = c.expect.length;
    it(`${c.scenario.name}: ${n === 0 ? 'no incident' : `${n} incident(s)`}`, async () => {
      const r = await runCase(c, detector);
      expect(r.confirmed).toHaveLength(n);
      expect(r.truePositives).toBe(n);
      for (const [i, inc] of r.confirmed.entries()) {
        // The right dwell: confirmed at the first sample at or after first seen + dwell.
        expect(inc.confirmedAtS - inc.firstSeenS).toBeGreaterThanOrEqual(DWELL_S);
        expect(inc.confirmedAtS - inc.firstSeenS).toBeLessThanOrEqual(DWELL_S + 2);
        // One stay, never cut short: when cleared, the vehicle was last seen as it drove off.
        if (inc.lastSeenS !== undefined) expect(Math.abs(inc.lastSeenS - c.expect[i]!.leftS)).toBeLessThanOrEqual(TOLERANCE_S);
      }
    }, 180_000);
  }
});
