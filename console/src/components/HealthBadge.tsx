import type { CameraHealth } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { readHealth } from './health.js';

export function HealthBadge({ health, enabled = true, timeZone }: { health?: CameraHealth; enabled?: boolean; timeZone?: string }) {
  const h = readHealth(health, enabled);
  const tip = [h.lastFrameAt ? `${t('health.lastFrame')}: ${fmtDateTime(h.lastFrameAt, timeZone)}` : '', h.lastError ?? ''].filter(Boolean).join('\n');
  return (
    <span class={`badge health-${h.state}`} title={tip || undefined} data-health={h.state}>
      <i class="dot" />
      {tv('health', h.state)}
    </span>
  );
}
