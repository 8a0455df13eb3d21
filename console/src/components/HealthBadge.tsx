import type { CameraHealth } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { shownState } from './health.js';

export function HealthBadge({ health, enabled = true, timeZone }: { health?: CameraHealth; enabled?: boolean; timeZone?: string }) {
  const state = shownState(health, enabled);
  const tip = health?.last_frame_at ? `${t('health.lastFrame')}: ${fmtDateTime(health.last_frame_at, timeZone)}` : '';
  return (
    <span class={`badge health-${state}`} title={tip || undefined} data-health={state}>
      <i class="dot" />
      {tv('health', state)}
    </span>
  );
}
