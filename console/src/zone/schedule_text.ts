/**
 * Schedule windows as the rules write them (`mon-fri 07:00-19:00`, rules/schedule.ts) <-> the editor's
 * day buttons and times. Windows the buttons cannot show (e.g. `weekdays 07:00-19:00`) stay text.
 */

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SIMPLE = /^(?:([a-z,-]+)\s+)?(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/;

export interface Row {
  days: boolean[];
  from: string;
  to: string;
}

/** A window the buttons can show (`mon-fri 07:00-19:00`, `sat,sun 09:00-12:00`, `22:00-06:00`); anything else stays text. */
export function toRow(text: string): Row | null {
  const m = SIMPLE.exec(text.trim().toLowerCase());
  if (!m) return null;
  const days = new Array<boolean>(7).fill(!m[1] || m[1] === 'daily');
  if (m[1] && m[1] !== 'daily') {
    for (const part of m[1].split(',')) {
      const [a, b] = part.split('-');
      const from = DAYS.indexOf(a as (typeof DAYS)[number]);
      const to = b === undefined ? from : DAYS.indexOf(b as (typeof DAYS)[number]);
      if (from < 0 || to < 0) return null;
      for (let d = from; ; d = (d + 1) % 7) {
        days[d] = true;
        if (d === to) break;
      }
    }
  }
  return { days, from: m[2]!, to: m[3]! };
}

/** Days as the shortest text: runs of 3+ days become ranges (`mon-fri`), the rest a list. */
export function toText(r: Row): string {
  const on = r.days.map((d, i) => (d ? i : -1)).filter((i) => i >= 0);
  let days = '';
  if (on.length > 0 && on.length < 7) {
    const parts: string[] = [];
    for (let i = 0; i < on.length; ) {
      let j = i;
      while (j + 1 < on.length && on[j + 1] === on[j]! + 1) j++;
      parts.push(j - i >= 2 ? `${DAYS[on[i]!]}-${DAYS[on[j]!]}` : on.slice(i, j + 1).map((d) => DAYS[d]).join(','));
      i = j + 1;
    }
    days = `${parts.join(',')} `;
  }
  return `${days}${r.from}-${r.to}`;
}
