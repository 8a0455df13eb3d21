import { t } from '../i18n/index.js';

/** What POST /cameras/probe found at a URL. */
export interface Probe {
  kind: string;
  codec: string | null;
  width: number;
  height: number;
  fps: number | null;
  keyframe_interval_ms: number | null;
  latency_ms: number;
  notes: string[];
  frame_jpeg_base64: string;
}

export function ProbeResult({ probe: p }: { probe: Probe }) {
  return (
    <div class="probe" data-testid="probe">
      <img src={`data:image/jpeg;base64,${p.frame_jpeg_base64}`} alt={t('probe.frame')} />
      <dl>
        <dt>{t('probe.kind')}</dt>
        <dd>{p.kind}</dd>
        <dt>{t('health.picture')}</dt>
        <dd>
          {p.width}×{p.height}
          {p.codec && ` · ${p.codec}`}
          {p.fps && ` · ${p.fps.toFixed(1)} fps`}
        </dd>
        {p.keyframe_interval_ms !== null && (
          <>
            <dt>{t('probe.gop')}</dt>
            <dd>{(p.keyframe_interval_ms / 1000).toFixed(1)} s</dd>
          </>
        )}
        <dt>{t('probe.latency')}</dt>
        <dd>{Math.round(p.latency_ms)} ms</dd>
      </dl>
      {p.notes.length > 0 && (
        <ul class="probe-notes">
          {p.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
