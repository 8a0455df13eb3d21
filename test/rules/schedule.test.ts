import { describe, expect, it } from 'vitest';
import { checkTimeZone, inSchedule, parseException, parseWindow, wallClockToEpoch, type Schedule } from '../../rules/schedule.js';

/** Milliseconds of a local wall time in Asia/Shanghai (UTC+8, no DST). */
const sh = (iso: string) => Date.parse(`${iso}+08:00`);

describe('schedule windows', () => {
  it('parses days, ranges, day sets, overnight windows and 24:00', () => {
    expect(parseWindow('mon-fri 07:00-19:00')).toEqual({ days: [true, true, true, true, true, false, false], start: 420, end: 1140 });
    expect(parseWindow('Sat,Sun 9:00-12:30').days).toEqual([false, false, false, false, false, true, true]);
    expect(parseWindow('fri-mon 08:00-09:00').days).toEqual([true, false, false, false, true, true, true]);
    expect(parseWindow('22:00-06:00')).toEqual({ days: Array(7).fill(true), start: 1320, end: 360 });
    expect(parseWindow('weekdays 00:00-24:00').end).toBe(1440);
  });

  it('rejects what does not parse, saying what to write', () => {
    expect(() => parseWindow('7am to 7pm')).toThrow(/HH:MM-HH:MM/);
    expect(() => parseWindow('mon-fry 07:00-19:00')).toThrow(/"fry" is not a day/);
    expect(() => parseWindow('07:00-25:00')).toThrow(/not a time of day/);
    expect(() => parseWindow('07:61-08:00')).toThrow(/not a time of day/);
    expect(() => parseWindow('08:00-08:00')).toThrow(/00:00-24:00/);
    expect(() => parseException('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => parseException('2026-10-07..2026-10-01')).toThrow(/ends before it starts/);
    expect(() => checkTimeZone('Asia/Shangai')).toThrow(/IANA/);
  });
});

describe('inSchedule', () => {
  const weekdays: Schedule = { windows: [parseWindow('mon-fri 07:00-19:00')], except: [parseException('2026-10-01..2026-10-07')] };

  it('uses the camera time zone, not UTC', () => {
    // Thursday 2026-11-26 06:59 and 07:00 in Shanghai (22:59 and 23:00 UTC the day before).
    expect(inSchedule(weekdays, sh('2026-11-26T06:59:00'), 'Asia/Shanghai')).toBe(false);
    expect(inSchedule(weekdays, sh('2026-11-26T07:00:00'), 'Asia/Shanghai')).toBe(true);
    expect(inSchedule(weekdays, sh('2026-11-26T18:59:59'), 'Asia/Shanghai')).toBe(true);
    expect(inSchedule(weekdays, sh('2026-11-26T19:00:00'), 'Asia/Shanghai')).toBe(false);
    // The same instant is 00:00 Thursday in Berlin: outside.
    expect(inSchedule(weekdays, sh('2026-11-26T07:00:00'), 'Europe/Berlin')).toBe(false);
  });

  it('skips weekends and excepted dates', () => {
    expect(inSchedule(weekdays, sh('2026-11-28T10:00:00'), 'Asia/Shanghai')).toBe(false); // Saturday
    expect(inSchedule(weekdays, sh('2026-10-05T10:00:00'), 'Asia/Shanghai')).toBe(false); // Monday in the holiday
    expect(inSchedule(weekdays, sh('2026-10-08T10:00:00'), 'Asia/Shanghai')).toBe(true);
  });

  it('counts an overnight window on the day it starts, including for exceptions', () => {
    const nights: Schedule = { windows: [parseWindow('fri 22:00-06:00')], except: [parseException('2026-11-20')] };
    expect(inSchedule(nights, sh('2026-11-27T23:00:00'), 'Asia/Shanghai')).toBe(true); // Friday night
    expect(inSchedule(nights, sh('2026-11-28T05:59:00'), 'Asia/Shanghai')).toBe(true); // Saturday early, Friday's window
    expect(inSchedule(nights, sh('2026-11-28T23:00:00'), 'Asia/Shanghai')).toBe(false); // Saturday night
    expect(inSchedule(nights, sh('2026-11-21T03:00:00'), 'Asia/Shanghai')).toBe(false); // Friday 20th excepted
  });

  it('handles daylight saving time in zones that have it', () => {
    const mornings: Schedule = { windows: [parseWindow('08:00-09:00')], except: [] };
    // 08:30 New York local on either side of the 2026-03-08 switch: 13:30 UTC before, 12:30 UTC after.
    expect(inSchedule(mornings, Date.UTC(2026, 2, 6, 13, 30), 'America/New_York')).toBe(true);
    expect(inSchedule(mornings, Date.UTC(2026, 2, 10, 12, 30), 'America/New_York')).toBe(true);
    expect(inSchedule(mornings, Date.UTC(2026, 2, 10, 13, 30), 'America/New_York')).toBe(false);
  });

  it('means always when there is no schedule', () => {
    expect(inSchedule(undefined, 0, 'Asia/Shanghai')).toBe(true);
  });
});

describe('wallClockToEpoch', () => {
  it('reads a wall-clock time in the camera zone, across daylight saving, or with its own offset', () => {
    expect(wallClockToEpoch('2026-11-26T10:00', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 26, 2, 0));
    expect(wallClockToEpoch('2026-11-26 10:00:30', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 26, 2, 0, 30));
    expect(wallClockToEpoch('2026-07-01T08:30', 'America/New_York')).toBe(Date.UTC(2026, 6, 1, 12, 30));
    expect(wallClockToEpoch('2026-01-01T08:30', 'America/New_York')).toBe(Date.UTC(2026, 0, 1, 13, 30));
    expect(wallClockToEpoch('2026-11-26T10:00:00Z', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 26, 10, 0));
    expect(wallClockToEpoch('2026-11-26T10:00+0100', 'Asia/Shanghai')).toBe(Date.UTC(2026, 10, 26, 9, 0));
    expect(() => wallClockToEpoch('yesterday', 'Asia/Shanghai')).toThrow(/YYYY-MM-DD/);
  });
});
