import { useMemo, useState } from 'preact/hooks';
import { all, get } from '../api/client.js';
import type { Camera, CameraHealth, CameraHealthList, Session } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { useLoad, useVisible } from '../hooks.js';
import { href, navigate, setQuery, useRoute } from '../router.js';
import { allowed } from '../session.js';
import { AuthImage } from '../components/AuthImage.js';
import { HealthBadge } from '../components/HealthBadge.js';
import { pausedView, shownState } from '../components/health.js';
import { StreamProblem } from '../components/StreamProblem.js';
import { CameraForm } from '../components/CameraForm.js';
import { ImportCameras } from '../components/ImportCameras.js';
import { Empty, ErrorBox, Loading, Modal, PageHeader, toast } from '../components/ui.js';
import { SetupHint } from '../components/SetupHint.js';

const PAGE = 120;
const STATES = ['offline', 'auth_failed', 'unsupported', 'view_changed', 'obstructed', 'degraded', 'online', 'unknown', 'disabled'] as const;

/** Every camera at a glance: health and the latest frame, worst first so a dead camera is never missed. */
export function WallPage({ session }: { session: Session }) {
  const { query } = useRoute();
  const cameras = useLoad(() => all<Camera>('cameras'), [], 30_000);
  const [adding, setAdding] = useState(false);
  const [importing, setImporting] = useState(false);
  // A city wall has thousands of cameras: draw a page of cards at a time (worst first), more on demand.
  const [shownMax, setShownMax] = useState(PAGE);
  // Every camera's health in one call (GET /cameras/health), not one per card: the wall's requests stay
  // the same whether it shows 19 cameras or 2,000.
  const health = useLoad(() => get<CameraHealthList>('cameras/health'), [], 15_000);
  const healthOf = useMemo(() => new Map((health.data?.items ?? []).map((h) => [h.camera_id, h])), [health.data]);
  const withHealth = useMemo(() => (cameras.data ?? []).map((c) => ({ camera: c, health: healthOf.get(c.id), state: shownState(healthOf.get(c.id), c.enabled) })), [cameras.data, healthOf]);
  const filter = query.get('q') ?? '';
  const only = query.get('health') ?? '';

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const { state } of withHealth) c[state] = (c[state] ?? 0) + 1;
    return c;
  }, [withHealth]);

  const shown = useMemo(() => {
    const rank = { offline: 0, auth_failed: 0, unsupported: 0, view_changed: 1, obstructed: 1, degraded: 1, unknown: 2, online: 3, disabled: 4 };
    const q = filter.toLowerCase();
    return withHealth
      .filter((w) => !only || w.state === only)
      .filter(({ camera: c }) => !q || [c.id, c.name, c.location.address].some((s) => s?.toLowerCase().includes(q)))
      .sort((a, b) => rank[a.state] - rank[b.state] || a.camera.id.localeCompare(b.camera.id));
  }, [withHealth, filter, only]);

  return (
    <div class="page">
      <PageHeader title={t('wall.title')} sub={t('wall.count', { n: cameras.data?.length ?? 0 })}>
        <input class="search" type="search" placeholder={t('wall.search')} value={filter} onInput={(e) => setQuery({ q: e.currentTarget.value })} />
        {allowed(session, 'editCameras') && (
          <>
            <button type="button" class="btn" onClick={() => setImporting(true)} data-action="import-cameras">
              {t('import.title')}
            </button>
            <button type="button" class="btn primary" onClick={() => setAdding(true)} data-action="add-camera">
              + {t('camera.register')}
            </button>
          </>
        )}
      </PageHeader>
      <div class="chips">
        <button type="button" class={`chip ${only ? '' : 'active'}`} onClick={() => setQuery({ health: undefined })}>
          {t('common.all')} <b>{cameras.data?.length ?? 0}</b>
        </button>
        {STATES.filter((s) => counts[s]).map((s) => (
          <button type="button" key={s} class={`chip chip-${s} ${only === s ? 'active' : ''}`} onClick={() => setQuery({ health: only === s ? undefined : s })}>
            <i class={`dot health-${s}`} /> {tv('health', s)} <b>{counts[s]}</b>
          </button>
        ))}
      </div>
      <SetupHint only={['camera', 'frames', 'zone']} />
      <ErrorBox error={cameras.error} />
      {cameras.loading && !cameras.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{cameras.data?.length ? t('wall.noMatch') : t('wall.empty')}</Empty>
      ) : (
        <div class="wall">
          {shown.slice(0, shownMax).map((w) => (
            <CameraCard key={w.camera.id} camera={w.camera} health={w.health} />
          ))}
        </div>
      )}
      {shown.length > shownMax && (
        <div class="pager">
          <button type="button" class="btn" onClick={() => setShownMax((n) => n + PAGE)}>
            {t('wall.more', { n: shown.length - shownMax })}
          </button>
        </div>
      )}
      {importing && (
        <Modal title={t('import.title')} onClose={() => setImporting(false)}>
          <ImportCameras onDone={cameras.reload} />
        </Modal>
      )}
      {adding && (
        <Modal title={t('camera.register')} onClose={() => setAdding(false)}>
          <CameraForm
            onCancel={() => setAdding(false)}
            onSaved={(c) => {
              setAdding(false);
              toast(t('camera.registered', { id: c.id }));
              navigate(href('cameras', c.id));
            }}
          />
        </Modal>
      )}
    </div>
  );
}

function CameraCard({ camera: c, health: h }: { camera: Camera; health: CameraHealth | undefined }) {
  const [ref, visible] = useVisible<HTMLAnchorElement>();
  const state = shownState(h, c.enabled);
  const paused = c.enabled ? pausedView(h) : undefined;
  return (
    <a ref={ref} class={`cam-card state-${state}`} href={href('cameras', c.id)} data-camera={c.id}>
      <div class="cam-thumb">
        {c.enabled ? (
          <AuthImage src={`cameras/${encodeURIComponent(c.id)}/snapshot`} alt={c.name ?? c.id} active={visible} refreshMs={30_000} />
        ) : (
          <div class="img-placeholder">{t('health.disabled')}</div>
        )}
        <div class="cam-overlay">
          <HealthBadge health={h} enabled={c.enabled} timeZone={c.timezone} />
          {c.zones.length > 0 && <span class="badge dark">{c.zones.length === 1 ? t('wall.zone1') : t('wall.zones', { n: c.zones.length })}</span>}
        </div>
      </div>
      <div class="cam-meta">
        <div class="cam-name">{c.name ?? c.id}</div>
        <div class="cam-sub">
          <code>{c.id}</code>
          {c.location.address && <span> · {c.location.address}</span>}
        </div>
        {h?.last_frame_at && (
          <div class="cam-sub muted">
            {t('health.lastFrame')}: {fmtDateTime(h.last_frame_at, c.timezone)}
          </div>
        )}
        {paused?.reason && (
          <div class="cam-error">
            {tv('view', paused.reason)}
            {paused.since ? ` · ${fmtDateTime(paused.since, c.timezone)}` : ''}
          </div>
        )}
        {h && (h.reason || h.last_error) && state !== 'online' && state !== 'disabled' && (
          <div class="cam-error">
            <StreamProblem health={h} />
          </div>
        )}
      </div>
    </a>
  );
}
