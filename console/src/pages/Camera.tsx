import { useState } from 'preact/hooks';
import { ApiError, del, get, post } from '../api/client.js';
import type { Camera, CameraHealth, Session } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { pausedView } from '../components/health.js';
import { useLoad } from '../hooks.js';
import { href, navigate, setQuery, useRoute } from '../router.js';
import { allowed } from '../session.js';
import { AuthImage } from '../components/AuthImage.js';
import { HealthBadge } from '../components/HealthBadge.js';
import { StreamProblem } from '../components/StreamProblem.js';
import { CameraForm } from '../components/CameraForm.js';
import { LiveView } from '../components/LiveView.js';
import { ErrorBox, Loading, Modal, PageHeader, toast } from '../components/ui.js';
import { ZoneEditor } from '../zone/ZoneEditor.js';

export function CameraPage({ id, session }: { id: string; session: Session }) {
  const { query } = useRoute();
  const tab = query.get('tab') ?? 'zones';
  const cam = useLoad(() => get<Camera>(`cameras/${encodeURIComponent(id)}`), [id]);
  const health = useLoad(() => get<CameraHealth>(`cameras/${encodeURIComponent(id)}/health`).catch(() => undefined), [id], 10_000);
  const [editing, setEditing] = useState(false);

  if (cam.error && !cam.data) return <ErrorBox error={cam.error} />;
  if (!cam.data) return <Loading />;
  const c = cam.data;
  const h = health.data;
  const paused = c.enabled ? pausedView(h) : undefined;
  const liveUrl = c.live_url;

  async function retakeReference() {
    if (!confirm(t('view.confirmRetake'))) return;
    try {
      await post(`cameras/${encodeURIComponent(c.id)}/reference`);
      toast(t('view.retaken'));
      health.reload();
    } catch (e) {
      toast((e as ApiError).message, 'error');
    }
  }

  async function remove() {
    if (!confirm(t('camera.confirmDelete', { id: c.id }))) return;
    try {
      await del(`cameras/${encodeURIComponent(c.id)}`);
      toast(t('camera.deleted', { id: c.id }));
      navigate(href('cameras'));
    } catch (e) {
      toast((e as ApiError).message, 'error');
    }
  }

  return (
    <div class="page">
      <PageHeader
        title={c.name ?? c.id}
        sub={
          <>
            <a href={href('cameras')}>{t('wall.title')}</a> / <code>{c.id}</code>
            {c.location.address && <> · {c.location.address}</>} · {c.location.lat.toFixed(5)}, {c.location.lon.toFixed(5)}
          </>
        }
      >
        <HealthBadge health={h} enabled={c.enabled} timeZone={c.timezone} />
        {allowed(session, 'editZones') && (
          <button type="button" class="btn" onClick={retakeReference} data-action="retake-reference">
            {t('view.retake')}
          </button>
        )}
        {allowed(session, 'editCameras') && c.managed_by !== 'config' && (
          <>
            <button type="button" class="btn" onClick={() => setEditing(true)}>
              {t('common.edit')}
            </button>
            <button type="button" class="btn danger ghost" onClick={remove}>
              {t('common.delete')}
            </button>
          </>
        )}
      </PageHeader>

      {c.managed_by === 'config' && <div class="note">{t('camera.fromConfig')}</div>}
      {paused?.reason && (
        <div class="note view-change" data-view={paused.state}>
          <AuthImage src={`cameras/${encodeURIComponent(c.id)}/view/picture`} alt={tv('view', paused.reason)} />
          <span>{t('view.paused', { reason: tv('view', paused.reason), since: fmtDateTime(paused.since, c.timezone) })}</span>
        </div>
      )}
      <dl class="facts">
        <div>
          <dt>{t('camera.url')}</dt>
          <dd>
            <code>{c.url}</code>
          </dd>
        </div>
        <div>
          <dt>{t('camera.sampleEvery')}</dt>
          <dd>{c.sample_every}</dd>
        </div>
        <div>
          <dt>{t('camera.timezone')}</dt>
          <dd>{c.timezone}</dd>
        </div>
        <div>
          <dt>{t('health.lastFrame')}</dt>
          <dd>{fmtDateTime(h?.last_frame_at, c.timezone)}</dd>
        </div>
        {h?.width && h.height && (
          <div>
            <dt>{t('health.picture')}</dt>
            <dd>
              {h.width}×{h.height}
              {h.codec && ` · ${h.codec}`}
              {h.latency_ms !== null && ` · ${Math.round(h.latency_ms)} ms`}
            </dd>
          </div>
        )}
        {h && h.state !== 'online' && (h.reason || h.last_error) && (
          <div class="wide">
            <dt>{t('health.lastError')}</dt>
            <dd class="err-text">
              <StreamProblem health={h} />
            </dd>
          </div>
        )}
      </dl>

      <div class="tabs" role="tablist">
        {(['zones', 'live'] as const).map((k) => (
          <button type="button" role="tab" key={k} aria-selected={tab === k} class={tab === k ? 'active' : ''} onClick={() => setQuery({ tab: k === 'zones' ? undefined : k })}>
            {t(`camera.tab.${k}`)}
          </button>
        ))}
        <a class="tab-link" href={`${href('incidents')}?camera=${encodeURIComponent(c.id)}`}>
          {t('camera.incidents')} →
        </a>
      </div>

      {tab === 'zones' && <ZoneEditor camera={c} editable={allowed(session, 'editZones')} onChanged={cam.reload} />}
      {tab === 'live' && (liveUrl ? <LiveView url={liveUrl} /> : <div class="state-msg">{t('live.unavailable')}</div>)}

      {editing && (
        <Modal title={t('camera.edit', { id: c.id })} onClose={() => setEditing(false)}>
          <CameraForm
            camera={c}
            onCancel={() => setEditing(false)}
            onSaved={() => {
              setEditing(false);
              toast(t('common.saved'));
              cam.reload();
            }}
          />
        </Modal>
      )}
    </div>
  );
}
