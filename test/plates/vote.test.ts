import { describe, expect, it } from 'vitest';
import { vote } from '../../plates/vote.js';

const read = (text: string, confidence: number) => ({ text, format: 'cn', confidence });

describe('vote', () => {
  it('nothing to vote on', () => {
    expect(vote([])).toBeNull();
  });

  it('agreeing frames keep their mean confidence: near-identical frames of one dwell are not independent evidence', () => {
    const v = vote([read('浙G·Z6825', 0.7), read('浙GZ6825', 0.75), read('浙G·Z6825', 0.65)])!;
    expect(v.votes).toBe(3);
    expect(v.best.confidence).toBe(0.75);
    expect(v.confidence).toBeCloseTo(0.7, 6);
  });

  it('a dissenting frame lowers it by its share', () => {
    const v = vote([read('浙G·Z6825', 0.9), read('浙G·Z6825', 0.9), read('浙G·Z6B25', 0.6)])!;
    expect(v.best.text).toBe('浙G·Z6825');
    expect(v.votes).toBe(2);
    expect(v.reads).toBe(3);
    expect(v.confidence).toBeCloseTo(0.9 * (1.8 / 2.4), 6);
  });

  it('the plate with more total confidence wins over a single confident outlier', () => {
    const v = vote([read('A', 0.95), read('B', 0.6), read('B', 0.6)])!;
    expect(v.best.text).toBe('B');
    expect(v.votes).toBe(2);
  });
});
