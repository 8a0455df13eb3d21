import { useMemo, useState } from 'preact/hooks';
import { all } from '../api/client.js';
import type { Camera, Session } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { useLoad, useVisible } from '../hooks.js';
import { href, navigate, setQuery, useRoute } from '../router.js';
import { allowed } from '../session.js';
import { AuthImage } from '../components/AuthImage.js';
import { HealthBadge, healthState } from '../components/HealthBadge.js';
import { CameraForm } from '../components/CameraForm.js';
import { Empty, ErrorBox, Loading, Modal, PageHeader, toast } from '../components/ui.js';

const STATES = ['offline', 'auth_failed', 'unsupported', 'degraded', 'online', 'unknown', 'disabled'] as const;

/** Every camera at a glance: health and the latest frame, worst first so a dead camera is never missed. */
export function WallPage({ session }: { session: Session }) {
  const { query } = useRoute();
  const cameras = useLoad(() => all<Camera>('cameras'), [], 15_000);
  const [adding, setAdding] = useState(false);
  const filter = query.get('q') ?? '';
  const only = query.get('health') ?? '';

  const counts = useMemo(() => {
    const c: Record<string, number> = {};
    for (const cam of cameras.data ?? []) {
      const s = healthState(cam.health, cam.enabled);
      c[s] = (c[s] ?? 0) + 1;
    }
    return c;
  }, [cameras.data]);

  const shown = useMemo(() => {
    const rank = { offline: 0, auth_failed: 0, unsupported: 0, degraded: 1, unknown: 2, online: 3, disabled: 4 };
    const q = filter.toLowerCase();
    return (cameras.data ?? [])
      .filter((c) => !only || healthState(c.health, c.enabled) === only)
      .filter((c) => !q || [c.id, c.name, c.location.address].some((s) => s?.toLowerCase().includes(q)))
      .sort((a, b) => rank[healthState(a.health, a.enabled)] - rank[healthState(b.health, b.enabled)] || a.id.localeCompare(b.id));
  }, [cameras.data, filter, only]);

  return (
    <div class="page">
      <PageHeader title={t('wall.title')} sub={t('wall.count', { n: cameras.data?.length ?? 0 })}>
        <input class="search" type="search" placeholder={t('wall.search')} value={filter} onInput={(e) => setQuery({ q: e.currentTarget.value })} />
        {allowed(session, 'editCameras') && (
          <button type="button" class="btn primary" onClick={() => setAdding(true)} data-action="add-camera">
            + {t('camera.register')}
          </button>
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
      <ErrorBox error={cameras.error} />
      {cameras.loading && !cameras.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <Empty>{cameras.data?.length ? t('wall.noMatch') : t('wall.empty')}</Empty>
      ) : (
        <div class="wall">
          {shown.map((c) => (
            <CameraCard key={c.id} camera={c} />
          ))}
        </div>
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

function CameraCard({ camera: c }: { camera: Camera }) {
  const [ref, visible] = useVisible<HTMLAnchorElement>();
  const state = healthState(c.health, c.enabled);
  return (
    <a ref={ref} class={`cam-card state-${state}`} href={href('cameras', c.id)} data-camera={c.id}>
      <div class="cam-thumb">
        {c.enabled ? (
          <AuthImage src={`cameras/${encodeURIComponent(c.id)}/snapshot`} alt={c.name ?? c.id} active={visible} refreshMs={30_000} />
        ) : (
          <div class="img-placeholder">{t('health.disabled')}</div>
        )}
        <div class="cam-overlay">
          <HealthBadge health={c.health} enabled={c.enabled} />
          {c.zones.length > 0 && <span class="badge dark">{t('wall.zones', { n: c.zones.length })}</span>}
        </div>
      </div>
      <div class="cam-meta">
        <div class="cam-name">{c.name ?? c.id}</div>
        <div class="cam-sub">
          <code>{c.id}</code>
          {c.location.address && <span> · {c.location.address}</span>}
        </div>
        {c.health?.last_frame_at && (
          <div class="cam-sub muted">
            {t('health.lastFrame')}: {fmtDateTime(c.health.last_frame_at)}
          </div>
        )}
        {state !== 'online' && c.health?.last_error && <div class="cam-error">{String(c.health.last_error)}</div>}
      </div>
    </a>
  );
}
