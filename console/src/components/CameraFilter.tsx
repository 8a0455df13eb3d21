import type { Camera } from '../api/types.js';
import { t } from '../i18n/index.js';

/** The "which camera" filter of the review queue and the tickets list; '' means all cameras. */
export function CameraFilter({ cameras, value, onChange }: { cameras: Camera[] | undefined; value: string; onChange(id: string): void }) {
  return (
    <select aria-label={t('incidents.camera')} value={value} onChange={(e) => onChange(e.currentTarget.value)}>
      <option value="">{t('incidents.allCameras')}</option>
      {(cameras ?? []).map((c) => (
        <option key={c.id} value={c.id}>
          {c.name ?? c.id}
        </option>
      ))}
    </select>
  );
}
