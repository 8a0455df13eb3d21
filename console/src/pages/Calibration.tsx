import { useEffect, useMemo, useState } from 'preact/hooks';
import { all, ApiError, del, get, imageUrl, post } from '../api/client.js';
import type { BinSiteZone, CalibrationExample, CalibrationLabel, Camera, Session } from '../api/types.js';
import { fmtDateTime, t, tv } from '../i18n/index.js';
import { useLoad } from '../hooks.js';
import { href, setQuery } from '../router.js';
import { allowed } from '../session.js';
import { AuthImage } from '../components/AuthImage.js';
import { Empty, ErrorBox, Loading, PageHeader, toast } from '../components/ui.js';
import { cropBox, cropImage } from '../zone/crop.js';
import type { Pt } from '../zone/geometry.js';

interface Site {
  camera: Camera;
  zone: BinSiteZone;
}

interface CalibrationState {
  items: CalibrationExample[];
  /** Examples of each label needed before the site's own examples decide (the zone's calibration_k). */
  k?: number;
}

const LABELS: CalibrationLabel[] = ['normal', 'overflowing'];
const path = (s: Site) => `cameras/${encodeURIComponent(s.camera.id)}/zones/${encodeURIComponent(s.zone.id)}/calibration`;

/**
 * Teaching one bin site what it looks like there: the operator labels what the camera shows now as
 * normal or overflowing; once each label has k examples, the site's own examples decide instead of the
 * generic model (rules/calibration.ts). The server crops the latest frame to the zone, exactly as the
 * bin observer does, so the examples match what will be judged.
 */
export function CalibrationPage({ session, query }: { session: Session; query: URLSearchParams }) {
  const cameras = useLoad(() => all<Camera>('cameras'), []);
  const sites = useMemo(
    () => (cameras.data ?? []).flatMap((camera) => camera.zones.filter((z): z is BinSiteZone => z.kind === 'bin_site').map((zone) => ({ camera, zone }))),
    [cameras.data],
  );
  const key = query.get('site');
  const site = sites.find((s) => `${s.camera.id}/${s.zone.id}` === key) ?? sites[0];

  return (
    <div class="page">
      <PageHeader title={t('calib.title')} sub={t('calib.sub')} />
      <ErrorBox error={cameras.error} />
      {cameras.loading && !cameras.data ? (
        <Loading />
      ) : sites.length === 0 ? (
        <Empty>{t('calib.noSites')}</Empty>
      ) : (
        <div class="calib-layout">
          <nav class="calib-sites">
            {sites.map((s) => {
              const id = `${s.camera.id}/${s.zone.id}`;
              return (
                <button type="button" key={id} class={`zone-item ${s === site ? 'active' : ''}`} onClick={() => setQuery({ site: id })} data-site={id}>
                  <i class="swatch kind-bin_site" />
                  <span class="site-name">
                    <span>{s.camera.name ?? s.camera.id}</span>
                    <span class="muted small">{s.zone.name ?? s.zone.id}</span>
                  </span>
                </button>
              );
            })}
          </nav>
          {site && <SiteCalibration key={`${site.camera.id}/${site.zone.id}`} site={site} canLabel={allowed(session, 'calibrate')} />}
        </div>
      )}
    </div>
  );
}

function SiteCalibration({ site, canLabel }: { site: Site; canLabel: boolean }) {
  const examples = useLoad(() => get<CalibrationState>(path(site)), [site]);
  const [crop, setCrop] = useState<string>();
  const [cropError, setCropError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError>();
  const k = examples.data?.k ?? site.zone.calibration_k ?? 3;

  // What the camera shows of the site now, cut out here only to show the operator what they label.
  useEffect(() => {
    let live = true;
    let src: string | undefined;
    imageUrl(`cameras/${encodeURIComponent(site.camera.id)}/snapshot`)
      .then((u) => ((src = u), cropImage(u, cropBox(site.zone.polygon as Pt[], 0.05))))
      .then((c) => live && setCrop(c.dataUrl))
      .catch((e: Error) => live && setCropError(e.message))
      .finally(() => src && URL.revokeObjectURL(src));
    return () => {
      live = false;
    };
  }, [site]);

  async function label(l: CalibrationLabel) {
    setBusy(true);
    setError(undefined);
    try {
      await post(path(site), { label: l });
      toast(t('calib.added', { label: tv('label', l) }));
      examples.reload();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  async function remove(x: CalibrationExample) {
    try {
      await del(`${path(site)}/${encodeURIComponent(String(x.id))}`);
      examples.reload();
    } catch (e) {
      toast((e as ApiError).message, 'error');
    }
  }

  const items = examples.data?.items ?? [];
  const count = (l: CalibrationLabel) => items.filter((x) => x.label === l).length;
  const calibrated = LABELS.every((l) => count(l) >= k);
  const missing = examples.error?.status === 404 && !examples.data;

  return (
    <div class="calib-main">
      <section class="card calib-now">
        <div>
          <h3>{t('calib.now')}</h3>
          {crop ? <img class="calib-crop" src={crop} alt={t('calib.now')} data-testid="calib-crop" /> : <div class="img-placeholder calib-crop">{cropError ? t('image.unavailable') : t('common.loading')}</div>}
        </div>
        <div class="calib-side">
          <div class="muted small">
            <a href={href('cameras', site.camera.id)}>{site.camera.name ?? site.camera.id}</a> · {site.zone.id}
          </div>
          <div class="calib-counts">
            {LABELS.map((l) => (
              <div key={l} class={`kpi label-${l}`}>
                <div class="kpi-label">{tv('label', l)}</div>
                <div class="kpi-value">
                  {count(l)}
                  <small> / {k}</small>
                </div>
              </div>
            ))}
          </div>
          <div class={calibrated ? 'note' : 'muted small'}>{calibrated ? t('calib.calibrated') : t('calib.generic', { k })}</div>
          {canLabel && !missing && (
            <div class="form-actions left">
              <button type="button" class="btn on-normal" disabled={busy || !crop} onClick={() => label('normal')} data-label="normal">
                {t('calib.markNormal')}
              </button>
              <button type="button" class="btn on-overflowing" disabled={busy || !crop} onClick={() => label('overflowing')} data-label="overflowing">
                {t('calib.markOverflowing')}
              </button>
            </div>
          )}
          <ErrorBox error={error} />
        </div>
      </section>
      {missing ? (
        <div class="warn">{t('calib.unsupported')}</div>
      ) : (
        <>
          <ErrorBox error={examples.error} />
          <h3 class="section-title">{t('calib.examples', { n: items.length })}</h3>
          {items.length === 0 ? (
            <Empty>{t('calib.none')}</Empty>
          ) : (
            <div class="crops">
              {items.map((x) => (
                <div key={x.id} class={`crop label-${x.label}`} data-example={x.id}>
                  {x.image_url ? <AuthImage src={x.image_url} alt={tv('label', x.label)} /> : <div class="img-placeholder" />}
                  <div class="crop-meta">
                    <span class={`tag label-${x.label}`}>{tv('label', x.label)}</span>
                    <span class="muted small" title={[x.source, x.created_by].filter(Boolean).join(' · ')}>
                      {fmtDateTime(x.created_at)}
                    </span>
                    {canLabel && (
                      <button type="button" class="icon-btn" aria-label={t('common.remove')} onClick={() => remove(x)}>
                        ×
                      </button>
                    )}
                  </div>
                </div>
              ))}
            </div>
          )}
        </>
      )}
    </div>
  );
}
