import { describe, expect, it } from 'vitest';
import { centroid, isCalibrated, judgeByCalibration } from '../../rules/calibration.js';

describe('per-site calibration (nearest centroid)', () => {
  const set = { normal: [[1, 0, 0], [0.9, 0.1, 0]], overflowing: [[0, 1, 0], [0.1, 0.9, 0.1]] };

  it('takes the class of the nearer centroid by cosine, whatever the vector lengths', () => {
    expect(judgeByCalibration([5, 1, 0], set, 2)).toMatchObject({ state: 'normal' });
    expect(judgeByCalibration([0.01, 0.2, 0], set, 2)).toMatchObject({ state: 'overflowing' });
  });

  it('is more confident the clearer the case', () => {
    const clear = judgeByCalibration([0, 1, 0], set, 2)!;
    const close = judgeByCalibration([0.5, 0.55, 0], set, 2)!;
    expect(clear.score).toBeGreaterThan(close.score);
    expect(close.score).toBeGreaterThanOrEqual(0.5);
  });

  it('is not calibrated until every class has k examples', () => {
    expect(isCalibrated(set, 2)).toBe(true);
    expect(isCalibrated(set, 3)).toBe(false);
    expect(judgeByCalibration([1, 0, 0], set, 3)).toBeUndefined();
    expect(judgeByCalibration([1, 0, 0], undefined, 1)).toBeUndefined();
  });

  it('refuses embeddings of different lengths (two models mixed in one site)', () => {
    expect(() => centroid([[1, 0], [1, 0, 0]])).toThrow(/differ in length/);
  });
});
