import { get } from '../api/client.js';
import { fmtDuration, t } from '../i18n/index.js';
import { useLoad } from '../hooks.js';

/** GET /api/v1/setup (api/routes/setup.ts). */
type Step = 'camera' | 'frames' | 'zone' | 'incident' | 'case_system';
interface Setup {
  next: Step | null;
  steps: { step: Step; done: boolean; cameras: string[]; zones: { camera_id: string; zone_id: string; dwell_ms: number | null }[] }[];
}

/**
 * Why a page is empty and what to do next, from what the installation still lacks: an empty wall, queue,
 * dashboard or ticket list says "draw a zone" or "a car must stay 1 min in zone kerb", never just zeros.
 * `only` names the steps that explain this page, most telling first (tickets: the case system).
 */
export function SetupHint({ only }: { only: Step[] }) {
  const setup = useLoad(() => get<Setup>('setup'), [], 15_000);
  const step = only.map((name) => setup.data?.steps.find((s) => s.step === name)).find((s) => s && !s.done);
  if (!step) return null;
  const zone = step.zones[0];
  const text =
    step.step === 'frames'
      ? t('setup.frames', { cameras: step.cameras.join(', ') })
      : step.step === 'zone'
        ? t('setup.zone', { cameras: step.cameras.join(', ') })
        : step.step === 'incident'
          ? zone
            ? t('setup.incident', { zone: `${zone.camera_id} · ${zone.zone_id}`, dwell: zone.dwell_ms === null ? '—' : fmtDuration(zone.dwell_ms) })
            : t('setup.zone', { cameras: '' })
          : t(`setup.${step.step}`);
  return (
    <div class="setup-hint" data-setup={step.step} role="status">
      <b>{t('setup.next')}</b> {text}
    </div>
  );
}
