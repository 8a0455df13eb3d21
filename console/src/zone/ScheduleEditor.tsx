import type { Schedule } from '../api/types.js';
import { t, type MessageKey } from '../i18n/index.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SIMPLE = /^(?:([a-z,-]+)\s+)?(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/;

interface Row {
  days: boolean[];
  from: string;
  to: string;
}

/** A window the buttons can show (`mon-fri 07:00-19:00`, `sat,sun 09:00-12:00`, `22:00-06:00`); anything else stays text. */
function toRow(text: string): Row | null {
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
function toText(r: Row): string {
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

interface Props {
  value: Schedule | undefined;
  onChange: (v: Schedule | undefined) => void;
  disabled?: boolean;
}

/** When a no-parking zone is enforced: no schedule means always; windows are in the camera's time zone (may cross midnight). */
export function ScheduleEditor({ value, onChange, disabled }: Props) {
  const windows = value?.windows ?? [];
  const except = value?.except ?? [];
  const emit = (w: string[], ex: string[]) => onChange(w.length ? { windows: w, except: ex } : undefined);
  const setWindow = (i: number, text: string) => emit(windows.map((x, j) => (j === i ? text : x)), except);

  return (
    <div class="schedule" data-testid="schedule">
      {windows.length === 0 && <div class="muted small">{t('zones.scheduleAlways')}</div>}
      {windows.map((w, i) => {
        const row = toRow(w);
        return (
          <div class="schedule-row" key={i}>
            {row ? (
              <>
                <div class="days">
                  {DAYS.map((d, k) => (
                    <button
                      type="button"
                      key={d}
                      class={`day ${row.days[k] ? 'on' : ''}`}
                      disabled={disabled}
                      aria-pressed={row.days[k]}
                      onClick={() => {
                        const days = row.days.map((x, j) => (j === k ? !x : x));
                        if (days.some(Boolean)) setWindow(i, toText({ ...row, days }));
                      }}
                    >
                      {t(`day.${d}` as MessageKey)}
                    </button>
                  ))}
                </div>
                <input class="time" value={row.from} disabled={disabled} pattern="\d{1,2}:\d{2}" aria-label={t('zones.from')} onChange={(e) => setWindow(i, toText({ ...row, from: e.currentTarget.value }))} />
                <span>–</span>
                <input class="time" value={row.to} disabled={disabled} pattern="\d{1,2}:\d{2}" aria-label={t('zones.to')} onChange={(e) => setWindow(i, toText({ ...row, to: e.currentTarget.value }))} />
              </>
            ) : (
              <input class="grow" value={w} disabled={disabled} onChange={(e) => setWindow(i, e.currentTarget.value)} />
            )}
            <button type="button" class="icon-btn" disabled={disabled} aria-label={t('common.remove')} onClick={() => emit(windows.filter((_, j) => j !== i), except)}>
              ×
            </button>
          </div>
        );
      })}
      <div class="schedule-foot">
        <button type="button" class="btn small" disabled={disabled} onClick={() => emit([...windows, 'mon-fri 07:00-19:00'], except)}>
          + {t('zones.addWindow')}
        </button>
        {windows.length > 0 && (
          <input
            class="grow"
            placeholder={t('zones.exceptHint')}
            aria-label={t('zones.except')}
            disabled={disabled}
            value={except.join(', ')}
            onChange={(e) =>
              emit(
                windows,
                e.currentTarget.value
                  .split(/[,\s]+/)
                  .map((s) => s.trim())
                  .filter(Boolean),
              )
            }
          />
        )}
      </div>
    </div>
  );
}
