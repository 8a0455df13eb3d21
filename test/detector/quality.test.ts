import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Detector } from '../../detector/detector.js';
import { detectorFromConfig } from '../../detector/from_config.js';
import { detectorSchema } from '../../detector/schema.js';
import { EXCLUDED, HELD_OUT, LABELLED, precisionOf, qualityRows, recallOf, scoreDetector, sumScores, type PictureScore } from '../../eval/detector_quality.js';
import { MEDIA_DIR, MODELS_DIR } from '../support/paths.js';

/**
 * Detection quality of the default detector path (the detector/ defaults, as the worker and `weisu detect`
 * run them) on the hand-labelled street photographs (eval/street_vehicles.json; the scoring is
 * eval/detector_quality.ts, also printed by `npm run eval`). The floors are the values measured with the
 * current defaults, minus a margin of about one or two vehicles (see FLOORS).
 */
describe('the default detector path on the hand-labelled street photographs', () => {
  let det: Detector;
  let scores: PictureScore[];
  beforeAll(async () => {
    det = await detectorFromConfig(detectorSchema.parse({}), { modelsDir: MODELS_DIR });
    scores = await scoreDetector(det, MEDIA_DIR);
    console.info(qualityRows(scores).map((r) => r.join('  ')).join('\n'));
  }, 300_000);
  afterAll(() => det?.close());

  it('labels cover every street picture but the one excluded with its reason', () => {
    expect(new Set([...Object.keys(LABELLED), ...Object.keys(EXCLUDED)]).size).toBe(16);
    expect(HELD_OUT.every((f) => LABELLED[f]?.view === 'street')).toBe(true);
  });

  it('finds the labelled vehicles of the held-out pictures (never used to choose settings)', () => {
    const s = sumScores(scores.filter((x) => HELD_OUT.includes(x.file)));
    expect(s.tp).toBeGreaterThanOrEqual(FLOORS.heldOut.found);
    expect(s.fp).toBeLessThanOrEqual(FLOORS.heldOut.false);
  });

  it('holds recall and precision on street-level pictures', () => {
    const s = sumScores(scores.filter((x) => x.view === 'street'));
    expect(recallOf(s)).toBeGreaterThanOrEqual(FLOORS.street.recall);
    expect(precisionOf(s)).toBeGreaterThanOrEqual(FLOORS.street.precision);
  });

  it('holds recall and precision on overhead pictures (small, seen from above: the weak case)', () => {
    const s = sumScores(scores.filter((x) => x.view === 'overhead'));
    expect(recallOf(s)).toBeGreaterThanOrEqual(FLOORS.overhead.recall);
    expect(precisionOf(s)).toBeGreaterThanOrEqual(FLOORS.overhead.precision);
  });
});

/**
 * Measured with the defaults (YOLOX-nano; the whole frame and 3×2 tiles at full resolution, each letterboxed
 * to 416; threshold 0.35): held out 20 of 21 found, 1 false; street view recall 0.962 (75/78), precision
 * 0.949 (4 false); overhead recall 0.607 (34/56), precision 0.971. Floors = those minus one to three
 * vehicles. (The whole frame alone: 14 of 21 held out, street 0.667 at 0.867.) Raise them when the default path gets better.
 */
const FLOORS = {
  heldOut: { found: 19, false: 2 },
  street: { recall: 0.92, precision: 0.91 },
  overhead: { recall: 0.55, precision: 0.93 },
};
