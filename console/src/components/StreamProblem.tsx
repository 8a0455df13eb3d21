import type { CameraHealth } from '../api/types.js';
import { fmtDuration, t, tv } from '../i18n/index.js';

/**
 * Why a camera gives no picture, in plain words from its health `reason`; the server's technical text
 * (already redacted) is one click away for whoever debugs the stream.
 */
export function StreamProblem({ health }: { health: CameraHealth }) {
  if (!health.reason && !health.last_error) return null;
  const since = health.failing_since ? Date.parse(health.failing_since) : NaN;
  return (
    <div class="stream-problem" data-reason={health.reason ?? ''}>
      <span>
        {Number.isNaN(since) ? '' : `${t('health.failingFor', { d: fmtDuration(Date.now() - since) })} · `}
        {health.reason ? tv('stream', health.reason) : t('stream.failed')}
      </span>
      {health.last_error && (
        <details onClick={(e) => e.stopPropagation()}>
          <summary>{t('common.details')}</summary>
          <code>{health.last_error}</code>
        </details>
      )}
    </div>
  );
}
