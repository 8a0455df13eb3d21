/**
 * When a rule is enforced: weekly windows in the camera's own IANA time zone, minus excepted dates.
 * Written as text in the config (`mon-fri 07:00-19:00`, `except: [2026-10-01..2026-10-07]`), parsed once
 * into plain data, then evaluated per sample from the frame's timestamp only (Intl, no wall clock).
 */

/** One weekly window. `days[0]` is Monday. Minutes since local midnight; `end` may be ≤ `start` (overnight). */
export interface ScheduleWindow {
  days: boolean[];
  start: number;
  end: number;
}

/** Inclusive local date ranges (`YYYY-MM-DD`) on which the rule is not enforced. */
export interface ScheduleException {
  from: string;
  to: string;
}

export interface Schedule {
  windows: ScheduleWindow[];
  except: ScheduleException[];
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const FULL_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const DAY_SETS: Record<string, number[]> = {
  daily: [0, 1, 2, 3, 4, 5, 6],
  weekdays: [0, 1, 2, 3, 4],
  weekends: [5, 6],
};
const WINDOW = /^(?:([a-z,\s-]+?)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function dayIndex(name: string): number {
  const i = DAY_NAMES.indexOf(name);
  const j = FULL_NAMES.indexOf(name);
  const k = i >= 0 ? i : j;
  if (k < 0) throw new Error(`"${name}" is not a day: use mon, tue, wed, thu, fri, sat, sun, a range like mon-fri, or daily, weekdays, weekends`);
  return k;
}

function parseDays(text: string): boolean[] {
  const days = new Array<boolean>(7).fill(false);
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const set = DAY_SETS[part];
    if (set) {
      for (const d of set) days[d] = true;
      continue;
    }
    const [a, b] = part.split('-').map((s) => s.trim());
    const from = dayIndex(a!);
    const to = b === undefined ? from : dayIndex(b);
    // A range may wrap the week end: fri-mon is Friday to Monday.
    for (let d = from; ; d = (d + 1) % 7) {
      days[d] = true;
      if (d === to) break;
    }
  }
  return days;
}

function minutes(h: string, m: string, what: string, allow24: boolean): number {
  const hh = Number(h);
  const mm = Number(m);
  if (mm > 59 || hh > 24 || (hh === 24 && (mm > 0 || !allow24))) throw new Error(`${what} time ${h}:${m} is not a time of day (00:00 to 23:59${allow24 ? ', or 24:00 as an end' : ''})`);
  return hh * 60 + mm;
}

/** `mon-fri 07:00-19:00`, `sat,sun 09:00-12:00`, `22:00-06:00` (every day, overnight), `daily 00:00-24:00`. */
export function parseWindow(text: string): ScheduleWindow {
  const m = WINDOW.exec(text.trim().toLowerCase());
  if (!m) throw new Error(`"${text}" is not a schedule window: write [days] HH:MM-HH:MM, e.g. "mon-fri 07:00-19:00" or "22:00-06:00"`);
  const days = m[1] ? parseDays(m[1]) : parseDays('daily');
  const start = minutes(m[2]!, m[3]!, 'start', false);
  const end = minutes(m[4]!, m[5]!, 'end', true);
  if (start === end) throw new Error(`"${text}" starts and ends at the same time: for all day write 00:00-24:00`);
  return { days, start, end };
}

function checkDate(text: string): string {
  const m = DATE.exec(text.trim());
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
  if (!m || !d || d.getUTCMonth() !== Number(m[2]) - 1 || d.getUTCDate() !== Number(m[3])) {
    throw new Error(`"${text}" is not a date: write YYYY-MM-DD, e.g. 2026-10-01, or a range 2026-10-01..2026-10-07`);
  }
  return m[0];
}

/** `2026-10-01` or `2026-10-01..2026-10-07` (inclusive). */
export function parseException(text: string): ScheduleException {
  const [a, b, ...rest] = text.split('..');
  if (rest.length) throw new Error(`"${text}" is not a date range: write FROM..TO, e.g. 2026-10-01..2026-10-07`);
  const from = checkDate(a!);
  const to = b === undefined ? from : checkDate(b);
  if (to < from) throw new Error(`"${text}" ends before it starts: write the earlier date first`);
  return { from, to };
}

/** Returns `tz` if Intl knows it as an IANA time zone; otherwise throws an error saying what to write. */
export function checkTimeZone(tz: string): string {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new Error(`"${tz}" is not an IANA time zone: use a name like Asia/Shanghai or Europe/Berlin`);
  }
  return tz;
}

interface LocalTime {
  /** 0 = Monday. */
  weekday: number;
  minute: number;
  date: string;
}

// Formatters are costly to build and pure once built: one per time zone.
const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Record<string, number> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

export function localTime(ts: number, tz: string): LocalTime {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(tz, f);
  }
  const p: Record<string, string> = {};
  for (const part of f.formatToParts(new Date(ts))) p[part.type] = part.value;
  return { weekday: WEEKDAY[p.weekday!]!, minute: Number(p.hour) * 60 + Number(p.minute), date: `${p.year}-${p.month}-${p.day}` };
}

function dayBefore(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! - 1)).toISOString().slice(0, 10);
}

function excepted(s: Schedule, date: string): boolean {
  return s.except.some((e) => date >= e.from && date <= e.to);
}

/**
 * Whether the rule is enforced at `ts` (ms since the epoch) in time zone `tz`. No schedule means always.
 * An overnight window belongs to the day it starts on, so an excepted date also frees the night after it.
 */
export function inSchedule(s: Schedule | undefined, ts: number, tz: string): boolean {
  if (!s) return true;
  const t = localTime(ts, tz);
  const yesterday = (t.weekday + 6) % 7;
  return s.windows.some((w) => {
    if (w.end > w.start) return w.days[t.weekday]! && t.minute >= w.start && t.minute < w.end && !excepted(s, t.date);
    if (w.days[t.weekday]! && t.minute >= w.start && !excepted(s, t.date)) return true;
    return w.days[yesterday]! && t.minute < w.end && !excepted(s, dayBefore(t.date));
  });
}

/** How far the zone's wall clock is ahead of UTC at `ts`, in ms (DST included). */
export function zoneOffsetMs(ts: number, tz: string): number {
  const t = localTime(ts, tz);
  const [y, m, d] = t.date.split('-').map(Number);
  const seconds = Math.floor(ts / 1000) % 60;
  return Date.UTC(y!, m! - 1, d!, Math.floor(t.minute / 60), t.minute % 60, seconds < 0 ? seconds + 60 : seconds) - (ts - (ts % 1000));
}

/**
 * Epoch ms of a wall-clock text (`2026-11-26T10:00`, seconds optional) in time zone `tz`, or of a text
 * with its own offset (`...+08:00`, `...Z`).
 */
export function wallClockToEpoch(text: string, tz: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a date and time: write YYYY-MM-DDTHH:MM[:SS], optionally with Z or an offset like +08:00`);
  if (m[7]) return Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6] ?? '00'}${m[7].replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`);
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0));
  // Offset near the answer, then at the answer (right across a DST change).
  const guess = asUtc - zoneOffsetMs(asUtc, tz);
  return asUtc - zoneOffsetMs(guess, tz);
}
