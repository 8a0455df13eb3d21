import type { Session } from '../api/types.js';
import { t } from '../i18n/index.js';
import { PageHeader } from '../components/ui.js';

export function CalibrationPage(_: { session: Session; query: URLSearchParams }) {
  return (
    <div class="page">
      <PageHeader title={t('calib.title')} sub={t('calib.sub')} />
    </div>
  );
}
