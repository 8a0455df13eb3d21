import type { CameraHealth, HealthState } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';

const KNOWN: HealthState[] = ['online', 'degraded', 'offline', 'auth_failed', 'unsupported', 'unknown'];

/** The API's health object, read defensively: a camera that never reported is "unknown", not "offline". */
export function healthState(h: CameraHealth | undefined, enabled = true): HealthState | 'disabled' {
  if (!enabled) return 'disabled';
  const s = h?.state ?? (h as { status?: string } | undefined)?.status;
  return KNOWN.includes(s as HealthState) ? (s as HealthState) : 'unknown';
}

export function HealthBadge({ health, enabled = true }: { health?: CameraHealth; enabled?: boolean }) {
  const state = healthState(health, enabled);
  const tip = [health?.last_frame_at ? `${t('health.lastFrame')}: ${fmtDateTime(health.last_frame_at)}` : '', health?.last_error ?? '']
    .filter(Boolean)
    .join('\n');
  return (
    <span class={`badge health-${state}`} title={tip || undefined} data-health={state}>
      <i class="dot" />
      {tv('health', state)}
    </span>
  );
}
