import { describe, expect, it } from 'vitest';
import { toRow, toText } from '../../../console/src/zone/schedule_text.js';
import { parseWindow } from '../../../rules/schedule.js';

/** What the schedule editor writes must be what the rules read, day for day and minute for minute. */
describe('console schedule windows', () => {
  it('reads windows into day buttons and writes the shortest text back', () => {
    expect(toRow('mon-fri 07:00-19:00')).toEqual({ days: [true, true, true, true, true, false, false], from: '07:00', to: '19:00' });
    expect(toRow('22:00-06:00')?.days.every(Boolean)).toBe(true);
    expect(toText({ days: [true, true, true, true, true, false, false], from: '07:00', to: '09:00' })).toBe('mon-fri 07:00-09:00');
    expect(toText({ days: [true, false, true, false, true, false, false], from: '07:00', to: '09:00' })).toBe('mon,wed,fri 07:00-09:00');
    expect(toText({ days: [false, false, false, false, false, true, true], from: '09:00', to: '12:00' })).toBe('sat,sun 09:00-12:00');
    expect(toText({ days: new Array(7).fill(true), from: '22:00', to: '06:00' })).toBe('22:00-06:00');
  });

  it('keeps as text what the buttons cannot show', () => {
    expect(toRow('weekdays 07:00-19:00')).toBeNull();
    expect(toRow('every morning')).toBeNull();
  });

  it('writes only windows the rules parse to the same days and times', () => {
    const cases = [
      [true, true, true, true, true, false, false],
      [true, false, true, false, true, false, false],
      [false, false, false, false, true, true, true],
      [true, false, false, false, false, false, true],
      new Array(7).fill(true),
    ];
    for (const days of cases) {
      const text = toText({ days, from: '07:30', to: '18:45' });
      const parsed = parseWindow(text);
      expect(parsed.days, text).toEqual(days);
      expect(parsed.start).toBe(7 * 60 + 30);
      expect(parsed.end).toBe(18 * 60 + 45);
      expect(toRow(text)?.days).toEqual(days);
    }
  });
});
