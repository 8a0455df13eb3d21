import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../core/duration.js';

describe('durations', () => {
  it('parses every unit', () => {
    expect([parseDuration('500ms'), parseDuration('10s'), parseDuration('2m'), parseDuration('1.5h'), parseDuration('1d')]).toEqual([
      500, 10_000, 120_000, 5_400_000, 86_400_000,
    ]);
  });
  it('refuses text without a unit and says what is accepted', () => {
    expect(() => parseDuration('10')).toThrow(/500ms, 10s, 2m/);
    expect(() => parseDuration('-5s')).toThrow();
  });
  it('formats back to the largest whole unit', () => {
    expect([formatDuration(300_000), formatDuration(1500), formatDuration(7_200_000)]).toEqual(['5m', '1500ms', '2h']);
  });
});
