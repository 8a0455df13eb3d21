import type { Schedule } from '../api/types.js';
import { t, type MessageKey } from '../i18n/index.js';
import { DAYS, toRow, toText } from './schedule_text.js';

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
