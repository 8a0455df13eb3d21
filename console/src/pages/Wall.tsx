import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import { all, get } from '../api/client.js';
import type { Camera, CameraHealth, Session } from '../api/types.js';
import { fmtDateTime, fmtDuration, t, tv } from '../i18n/index.js';
import { useLoad, useVisible } from '../hooks.js';
import { href, navigate, setQuery, useRoute } from '../router.js';
import { allowed } from '../session.js';
import { AuthImage } from '../components/AuthImage.js';
import { HealthBadge } from '../components/HealthBadge.js';
import { readHealth } from '../components/health.js';
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
  // Health from the list when the API includes it, else fetched per visible card and gathered here for the counts.
  const [healthOf, setHealthOf] = useState<Record<string, CameraHealth>>({});
  const onHealth = useCallback((id: string, h: CameraHealth) => setHealthOf((m) => (JSON.stringify(m[id]) === JSON.stringify(h) ? m : { ...m, [id]: h })), []);
  const withHealth = useMemo(() => (cameras.data ?? []).map((c) => (c.health || !healthOf[c.id] ? c : { ...c, health: healthOf[c.id] })), [cameras.data, healthOf]);
  const filter = query.get('q') ?? '';
  const only = query.get('health') ?? '';

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const cam of withHealth) {
      const s = readHealth(cam.health, cam.enabled).state;
      c[s] = (c[s] ?? 0) + 1;
    }
    return c;
  }, [withHealth]);

  const shown = useMemo(() => {
    const rank = { offline: 0, auth_failed: 0, unsupported: 0, view_changed: 1, obstructed: 1, degraded: 1, unknown: 2, online: 3, disabled: 4 };
    const q = filter.toLowerCase();
    return withHealth
      .filter((c) => !only || readHealth(c.health, c.enabled).state === only)
      .filter((c) => !q || [c.id, c.name, c.location.address].some((s) => s?.toLowerCase().includes(q)))
      .sort((a, b) => rank[readHealth(a.health, a.enabled).state] - rank[readHealth(b.health, b.enabled).state] || a.id.localeCompare(b.id));
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
          {shown.slice(0, shownMax).map((c) => (
            <CameraCard key={c.id} camera={c} onHealth={onHealth} />
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

function CameraCard({ camera: c, onHealth }: { camera: Camera; onHealth: (id: string, h: CameraHealth) => void }) {
  const [ref, visible] = useVisible<HTMLAnchorElement>();
  const listed = !!c.health && !('fetched' in c.health);
  useEffect(() => {
    if (!visible || listed || !c.enabled) return;
    const load = () => get<CameraHealth>(`cameras/${encodeURIComponent(c.id)}/health`).then((h) => onHealth(c.id, { ...h, fetched: true }), () => undefined);
    load();
    const id = setInterval(() => document.visibilityState === 'visible' && load(), 15_000);
    return () => clearInterval(id);
  }, [visible, listed, c.id, c.enabled]);
  const h = readHealth(c.health, c.enabled);
  const state = h.state;
  return (
    <a ref={ref} class={`cam-card state-${state}`} href={href('cameras', c.id)} data-camera={c.id}>
      <div class="cam-thumb">
        {c.enabled ? (
          <AuthImage src={`cameras/${encodeURIComponent(c.id)}/snapshot`} alt={c.name ?? c.id} active={visible} refreshMs={30_000} />
        ) : (
          <div class="img-placeholder">{t('health.disabled')}</div>
        )}
        <div class="cam-overlay">
          <HealthBadge health={c.health} enabled={c.enabled} timeZone={c.timezone} />
          {c.zones.length > 0 && <span class="badge dark">{c.zones.length === 1 ? t('wall.zone1') : t('wall.zones', { n: c.zones.length })}</span>}
        </div>
      </div>
      <div class="cam-meta">
        <div class="cam-name">{c.name ?? c.id}</div>
        <div class="cam-sub">
          <code>{c.id}</code>
          {c.location.address && <span> · {c.location.address}</span>}
        </div>
        {h.lastFrameAt && (
          <div class="cam-sub muted">
            {t('health.lastFrame')}: {fmtDateTime(h.lastFrameAt, c.timezone)}
          </div>
        )}
        {h.viewReason && (
          <div class="cam-error">
            {tv('view', h.viewReason)}
            {h.viewSince ? ` · ${fmtDateTime(h.viewSince, c.timezone)}` : ''}
          </div>
        )}
        {state !== 'online' && h.lastError && (
          <div class="cam-error" title={h.lastError}>
            {h.failingSince ? `${t('health.failingFor', { d: fmtDuration(Date.now() - h.failingSince) })} · ` : ''}
            {h.lastError}
          </div>
        )}
      </div>
    </a>
  );
}
