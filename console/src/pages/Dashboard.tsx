import { useMemo, useState } from 'preact/hooks';
import { all, get, qs } from '../api/client.js';
import type { Camera, DailyStats, Hotspots } from '../api/types.js';
import { fmtDateTime, fmtDay, fmtNumber, t, tv } from '../i18n/index.js';
import { useLoad } from '../hooks.js';
import { href } from '../router.js';
import { Empty, ErrorBox, Loading, PageHeader } from '../components/ui.js';
import { SetupHint } from '../components/SetupHint.js';

const KINDS = ['no_parking', 'bin_overflow'] as const;
const RANGES = [7, 14, 30] as const;
/** Days are cut in the operator's own time zone, like the axis labels. */
const LOCAL_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Stats routes answer a list or `{ items }`: both are read. */

function lastDays(n: number): string[] {
  const out: string[] = [];
  const d = new Date();
  for (let i = n - 1; i >= 0; i--) {
    const x = new Date(d.getFullYear(), d.getMonth(), d.getDate() - i);
    out.push(`${x.getFullYear()}-${String(x.getMonth() + 1).padStart(2, '0')}-${String(x.getDate()).padStart(2, '0')}`);
  }
  return out;
}

/** Incidents per category, camera and day, and the week's hotspots: the "one topic per area" view for the hotline. */
export function DashboardPage() {
  const [days, setDays] = useState<number>(14);
  const daily = useLoad(() => get<DailyStats>(`stats/daily${qs({ days, tz: LOCAL_TZ })}`).then((r) => r.items), [days], 60_000);
  const hot = useLoad(() => get<Hotspots>('stats/hotspots?days=7').then((r) => r.items), [], 60_000);
  const cameras = useLoad(() => all<Camera>('cameras'), []);
  const names = new Map((cameras.data ?? []).map((c) => [c.id, c]));

  const view = useMemo(() => {
    const dayList = lastDays(days);
    const byDay = new Map(dayList.map((d) => [d, { no_parking: 0, bin_overflow: 0 } as Record<string, number>]));
    const byCam = new Map<string, Record<string, number>>();
    const verdicts = new Map<string, { approved: number; rejected: number }>();
    const totals: Record<string, number> = { no_parking: 0, bin_overflow: 0 };
    let approved = 0;
    let rejected = 0;
    for (const r of daily.data ?? []) {
      approved += r.approved ?? 0;
      rejected += r.rejected ?? 0;
      const day = r.day.slice(0, 10);
      const slot = byDay.get(day);
      if (slot) slot[r.kind] = (slot[r.kind] ?? 0) + r.count;
      const cam = byCam.get(r.camera_id) ?? {};
      cam[r.kind] = (cam[r.kind] ?? 0) + r.count;
      byCam.set(r.camera_id, cam);
      const v = verdicts.get(r.camera_id) ?? { approved: 0, rejected: 0 };
      v.approved += r.approved ?? 0;
      v.rejected += r.rejected ?? 0;
      verdicts.set(r.camera_id, v);
      totals[r.kind] = (totals[r.kind] ?? 0) + r.count;
    }
    const camRows = [...byCam.entries()]
      .map(([id, c]) => ({ id, counts: c, verdicts: verdicts.get(id)!, total: Object.values(c).reduce((a, b) => a + b, 0) }))
      .sort((a, b) => b.total - a.total);
    return { dayList, byDay, camRows, totals, approved, rejected, total: Object.values(totals).reduce((a, b) => a + b, 0) };
  }, [daily.data, days]);

  const maxDay = Math.max(1, ...[...view.byDay.values()].map((v) => Object.values(v).reduce((a, b) => a + b, 0)));
  const maxCam = Math.max(1, ...view.camRows.map((c) => c.total));
  const maxHot = Math.max(1, ...(hot.data ?? []).map((h) => h.count));

  return (
    <div class="page">
      <PageHeader title={t('dash.title')} sub={t('dash.sub')}>
        <div class="seg">
          {RANGES.map((n) => (
            <button type="button" key={n} class={n === days ? 'active' : ''} onClick={() => setDays(n)}>
              {t('dash.days', { n })}
            </button>
          ))}
        </div>
      </PageHeader>
      {/* Zeros explained: what is missing before the first incident can be counted. */}
      <SetupHint only={['camera', 'frames', 'zone', 'incident']} />
      <ErrorBox error={daily.error ?? hot.error} />
      <div class="kpis">
        <div class="kpi">
          <div class="kpi-label">{t('dash.total', { n: days })}</div>
          <div class="kpi-value">{fmtNumber(view.total)}</div>
        </div>
        {KINDS.map((k) => (
          <div class={`kpi kind-${k}`} key={k}>
            <div class="kpi-label">{tv('kind', k)}</div>
            <div class="kpi-value">{fmtNumber(view.totals[k] ?? 0)}</div>
          </div>
        ))}
        <div class="kpi">
          <div class="kpi-label">{t('dash.precision')}</div>
          <div class="kpi-value" title={t('dash.precisionHint', { a: view.approved, r: view.rejected })}>
            {view.approved + view.rejected ? `${Math.round((view.approved / (view.approved + view.rejected)) * 100)}%` : '—'}
            <small> {t('dash.verdicts', { n: view.approved + view.rejected })}</small>
          </div>
        </div>
        <div class="kpi">
          <div class="kpi-label">{t('dash.activeCameras')}</div>
          <div class="kpi-value">
            {view.camRows.length}
            <small> / {cameras.data?.length ?? '—'}</small>
          </div>
        </div>
      </div>

      <div class="dash-grid">
        <section class="card">
          <h3>{t('dash.perDay')}</h3>
          {daily.loading && !daily.data ? (
            <Loading />
          ) : (
            <div class="bars" data-testid="per-day">
              {view.dayList.map((d, di) => {
                // Every label while they fit; past two weeks, every few days and always the last.
                const every = Math.ceil(view.dayList.length / 14);
                const labelled = (view.dayList.length - 1 - di) % every === 0;
                const v = view.byDay.get(d)!;
                const sum = Object.values(v).reduce((a, b) => a + b, 0);
                return (
                  <div class="bar-col" key={d} title={`${d}: ${KINDS.map((k) => `${tv('kind', k)} ${v[k] ?? 0}`).join(', ')}`}>
                    <div class="bar-val">{sum || ''}</div>
                    <div class="bar-stack" style={{ height: `${(sum / maxDay) * 100}%` }}>
                      {KINDS.map((k) => (v[k] ? <div key={k} class={`seg-${k}`} style={{ flexGrow: v[k] }} /> : null))}
                    </div>
                    <div class="bar-label">{labelled ? fmtDay(d, every === 1) : ''}</div>
                  </div>
                );
              })}
            </div>
          )}
          <div class="legend">
            {KINDS.map((k) => (
              <span key={k}>
                <i class={`swatch seg-${k}`} /> {tv('kind', k)}
              </span>
            ))}
          </div>
        </section>

        <section class="card">
          <h3>{t('dash.hotspots')}</h3>
          {hot.loading && !hot.data ? (
            <Loading />
          ) : !hot.data?.length ? (
            <Empty>{t('dash.noHotspots')}</Empty>
          ) : (
            <ol class="hotspots" data-testid="hotspots">
              {hot.data.slice(0, 10).map((h, i) => {
                const cam = names.get(h.camera_id);
                return (
                  <li key={`${h.camera_id}/${h.zone_id ?? ''}/${h.kind ?? ''}`}>
                    <span class="rank">{i + 1}</span>
                    <div class="hot-main">
                      <div class="hot-title">
                        {h.kind && <span class={`kind-tag kind-${h.kind}`}>{tv('kind', h.kind)}</span>}
                        <a href={href('cameras', h.camera_id)}>{cam?.name ?? h.name ?? h.camera_id}</a>
                        {h.zone_id && <span class="muted"> · {h.zone_id}</span>}
                      </div>
                      <div class="muted small">
                        {h.address ?? cam?.location.address ?? ''}
                        {h.last_at && ` · ${t('dash.lastAt', { at: fmtDateTime(h.last_at, cam?.timezone) })}`}
                        {!!h.rejected && ` · ${t('dash.rejectedN', { n: h.rejected })}`}
                      </div>
                      <div class="meter">
                        <i style={{ width: `${(h.count / maxHot) * 100}%` }} />
                      </div>
                    </div>
                    <span class="hot-count">{fmtNumber(h.count)}</span>
                  </li>
                );
              })}
            </ol>
          )}
        </section>

        <section class="card wide">
          <h3>{t('dash.perCamera')}</h3>
          {view.camRows.length === 0 ? (
            <Empty>{t('dash.none')}</Empty>
          ) : (
            <table class="table compact">
              <thead>
                <tr>
                  <th>{t('incidents.camera')}</th>
                  {KINDS.map((k) => (
                    <th class="num" key={k}>
                      {tv('kind', k)}
                    </th>
                  ))}
                  <th class="num">{t('dash.totalShort')}</th>
                  <th class="num">{t('dash.precisionShort')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {view.camRows.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <a href={href('cameras', c.id)}>{names.get(c.id)?.name ?? c.id}</a>
                      <div class="muted small">{names.get(c.id)?.location.address ?? c.id}</div>
                    </td>
                    {KINDS.map((k) => (
                      <td class="num" key={k}>
                        {fmtNumber(c.counts[k] ?? 0)}
                      </td>
                    ))}
                    <td class="num">
                      <strong>{fmtNumber(c.total)}</strong>
                    </td>
                    <td class="num" title={t('dash.precisionHint', { a: c.verdicts.approved, r: c.verdicts.rejected })}>
                      {c.verdicts.approved + c.verdicts.rejected ? `${Math.round((c.verdicts.approved / (c.verdicts.approved + c.verdicts.rejected)) * 100)}%` : '—'}
                    </td>
                    <td class="meter-cell">
                      <div class="meter">
                        <i style={{ width: `${(c.total / maxCam) * 100}%` }} />
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </div>
  );
}
