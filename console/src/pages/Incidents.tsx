import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, all, get, page, post } from '../api/client.js';
import type { Camera, Incident, Session } from '../api/types.js';
import { fmtDateTime, fmtDuration, t, tv } from '../i18n/index.js';
import { useLoad, useNow } from '../hooks.js';
import { href, navigate, setQuery } from '../router.js';
import { allowed } from '../session.js';
import { EvidenceImage } from '../components/EvidenceImage.js';
import { CameraFilter } from '../components/CameraFilter.js';
import { Empty, ErrorBox, Loading, PageHeader, toast } from '../components/ui.js';
import { SetupHint } from '../components/SetupHint.js';

/** The queue tabs: "review" is the open incidents without an operator's verdict (review-mode tickets wait on it). */
const VIEWS = ['review', 'open', 'dismissed', 'all'] as const;
const REASONS = ['reason.notVehicle', 'reason.allowed', 'reason.outside', 'reason.duplicate', 'reason.badImage'] as const;

/** Review mode: the ticket waits for an operator before anything is filed. */
export function needsReview(i: Incident): boolean {
  return !i.review && i.ticket?.state === 'review';
}

/** Any incident without a verdict can get one: in auto and shadow mode it only counts toward precision. */
function canJudge(i: Incident): boolean {
  return !i.review && i.state !== 'dismissed';
}

export function IncidentsPage({ session, selected, query }: { session: Session; selected?: string; query: URLSearchParams }) {
  const view = (query.get('view') as (typeof VIEWS)[number] | null) ?? 'review';
  const camera = query.get('camera') ?? '';
  const kind = query.get('kind') ?? '';
  const period = query.get('period') ?? '';
  const since = period ? new Date(Date.now() - Number(period) * 86_400_000).toISOString() : undefined;
  const state = view === 'all' ? undefined : view === 'review' ? 'open' : view;
  const [cursor, setCursor] = useState<string | null>(null);
  const list = useLoad(() => page<Incident>('incidents', { state, camera, kind, since, limit: 50, cursor }), [state, camera, kind, period, cursor], 10_000);
  const cameras = useLoad(() => all<Camera>('cameras'), []);
  const items = (list.data?.items ?? []).filter((i) => view !== 'review' || !i.review);
  const current = selected ?? items[0]?.id;
  const names = new Map((cameras.data ?? []).map((c) => [c.id, c.name ?? c.id]));
  // Times as the street's clocks showed them: in each camera's own time zone.
  const zoneOf = new Map((cameras.data ?? []).map((c) => [c.id, c.timezone]));

  const go = (id: string | undefined) => id && navigate(`${href('incidents', id)}?${query.toString()}`);
  useEffect(() => {
    const on = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, select')) return;
      const i = items.findIndex((x) => x.id === current);
      if (e.key === 'j' || e.key === 'ArrowDown') go(items[i + 1]?.id);
      if (e.key === 'k' || e.key === 'ArrowUp') go(items[i - 1]?.id);
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [items, current]);

  return (
    <div class="page">
      <PageHeader title={t('incidents.title')} sub={t('incidents.sub')}>
        <CameraFilter cameras={cameras.data} value={camera} onChange={(id) => (setCursor(null), setQuery({ camera: id }))} />
        <select aria-label={t('incidents.period')} value={period} onChange={(e) => (setCursor(null), setQuery({ period: e.currentTarget.value }))}>
          <option value="">{t('incidents.anyTime')}</option>
          <option value="1">{t('incidents.last24h')}</option>
          <option value="7">{t('dash.days', { n: 7 })}</option>
          <option value="30">{t('dash.days', { n: 30 })}</option>
        </select>
        <select aria-label={t('incidents.kind')} value={kind} onChange={(e) => (setCursor(null), setQuery({ kind: e.currentTarget.value }))}>
          <option value="">{t('incidents.allKinds')}</option>
          <option value="no_parking">{tv('kind', 'no_parking')}</option>
          <option value="bin_overflow">{tv('kind', 'bin_overflow')}</option>
        </select>
      </PageHeader>
      <div class="tabs">
        {VIEWS.map((v) => (
          <button type="button" key={v} class={v === view ? 'active' : ''} onClick={() => (setCursor(null), setQuery({ view: v === 'review' ? undefined : v }))} data-view={v}>
            {t(`incidents.view.${v}`)}
          </button>
        ))}
      </div>
      <ErrorBox error={list.error} />
      <div class="split">
        <div class="queue">
          {list.loading && !list.data ? (
            <Loading />
          ) : items.length === 0 ? (
            <Empty>
              {view === 'review' ? t('incidents.emptyReview') : t('incidents.empty')}
              <SetupHint only={['camera', 'frames', 'zone', 'incident']} />
            </Empty>
          ) : (
            <table class="table compact selectable">
              <thead>
                <tr>
                  <th class="col-kind">{t('incidents.kind')}</th>
                  <th>{t('incidents.camera')}</th>
                  <th class="num col-time">{t('incidents.confirmed')}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => {
                  const [day, time] = fmtDateTime(i.confirmed_at, zoneOf.get(i.camera_id)).split(' ');
                  return (
                    <tr key={i.id} class={i.id === current ? 'active' : ''} onClick={() => go(i.id)} data-incident={i.id}>
                      <td class="stack">
                        <span class={`kind-tag kind-${i.kind}`}>{tv('kind', i.kind)}</span>
                        <StateTag incident={i} />
                      </td>
                      <td class="ellipsis">
                        <div>{names.get(i.camera_id) ?? i.place?.camera_name ?? i.camera_id}</div>
                        <div class="muted small">
                          {i.zone_id}
                          {i.plate && 'text' in i.plate && <> · {i.plate.text}</>}
                        </div>
                      </td>
                      <td class="num nowrap">
                        <div>{time}</div>
                        <div class="muted small">{day}</div>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {(list.data?.next_cursor || cursor) && (
            <div class="pager">
              {cursor && (
                <button type="button" class="btn small" onClick={() => setCursor(null)}>
                  ← {t('common.first')}
                </button>
              )}
              {list.data?.next_cursor && (
                <button type="button" class="btn small" onClick={() => setCursor(list.data!.next_cursor)}>
                  {t('common.more')} →
                </button>
              )}
            </div>
          )}
        </div>
        <div class="detail">
          {current ? (
            <IncidentDetail
              key={current}
              id={current}
              cameraName={names}
              zoneOf={zoneOf}
              canReview={allowed(session, 'review')}
              onDecided={() => {
                const i = items.findIndex((x) => x.id === current);
                list.reload();
                go(items[i + 1]?.id ?? items[i - 1]?.id);
              }}
            />
          ) : null}
        </div>
      </div>
    </div>
  );
}

function StateTag({ incident: i }: { incident: Incident }) {
  if (needsReview(i)) return <span class="tag tag-warn">{t('incidents.toReview')}</span>;
  return <span class={`tag tag-${i.state}`}>{tv('istate', i.state)}</span>;
}

function IncidentDetail({ id, cameraName, zoneOf, canReview, onDecided }: { id: string; cameraName: Map<string, string>; zoneOf: Map<string, string>; canReview: boolean; onDecided: () => void }) {
  const inc = useLoad(() => get<Incident>(`incidents/${encodeURIComponent(id)}`), [id]);
  const now = useNow();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  // A string: the console's own check (a rejection needs a reason), said before asking the server.
  const [error, setError] = useState<ApiError | string>();
  const reasonRef = useRef<HTMLTextAreaElement>(null);

  async function decide(action: 'approve' | 'reject') {
    if (action === 'reject' && !reason.trim()) {
      reasonRef.current?.focus();
      setError(t('incidents.reasonNeeded'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await post(`incidents/${encodeURIComponent(id)}/${action}`, action === 'reject' ? { reason: reason.trim() } : {});
      toast(action === 'approve' ? t('incidents.approved') : t('incidents.rejected'));
      onDecided();
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    if (!canReview) return;
    const on = (e: KeyboardEvent) => {
      if ((e.target as HTMLElement).closest('input, textarea, select') || !inc.data || !canJudge(inc.data)) return;
      if (e.key === 'a') void decide('approve');
      if (e.key === 'r') (e.preventDefault(), reasonRef.current?.focus());
    };
    window.addEventListener('keydown', on);
    return () => window.removeEventListener('keydown', on);
  }, [canReview, inc.data, reason]);

  if (inc.error) return <ErrorBox error={inc.error} />;
  if (!inc.data) return <Loading />;
  const i = inc.data;
  const evidence = i.evidence ?? [];
  const stay = Date.parse(i.last_seen) - Date.parse(i.first_seen);

  return (
    <div class="incident" data-incident-detail={i.id}>
      <div class="incident-head">
        <div>
          <span class={`kind-tag kind-${i.kind}`}>{tv('kind', i.kind)}</span> <StateTag incident={i} />
          <h2>
            <a href={href('cameras', i.camera_id)}>{cameraName.get(i.camera_id) ?? i.camera_id}</a> · {i.zone_id}
          </h2>
          <div class="muted small">
            <code>{i.id}</code>
          </div>
        </div>
      </div>
      <div class="evidence-grid">
        {evidence.some((e) => e.url) ? (
          // The confirming picture first: it is the one the case system gets.
          [...evidence]
            .sort((a, b) => Number(b.role === 'main') - Number(a.role === 'main'))
            .map((e) => e.url && <EvidenceImage key={e.role} url={e.url} role={e.role} />)
        ) : (
          <div class="img-placeholder">{i.evidence_error ? `${t('incidents.noEvidence')}: ${i.evidence_error}` : t('incidents.noEvidence')}</div>
        )}
      </div>
      <dl class="facts">
        <div>
          <dt>{t('incidents.firstSeen')}</dt>
          <dd>{fmtDateTime(i.first_seen, zoneOf.get(i.camera_id))}</dd>
        </div>
        <div>
          <dt>{t('incidents.confirmed')}</dt>
          <dd>{fmtDateTime(i.confirmed_at, zoneOf.get(i.camera_id))}</dd>
        </div>
        {Number.isFinite(stay) && stay > 0 && (
          <div>
            <dt>{t('incidents.stay')}</dt>
            <dd>{fmtDuration(stay)}</dd>
          </div>
        )}
        {i.subject && (
          <div>
            <dt>{t('incidents.subject')}</dt>
            <dd>
              {i.subject.label} · {(i.subject.score * 100).toFixed(0)}%
            </dd>
          </div>
        )}
        {i.plate && (
          <div>
            <dt>{t('incidents.plate')}</dt>
            <dd>{'text' in i.plate ? <strong class="plate">{i.plate.text}</strong> : <span class="muted">{t('incidents.plateUnread')}</span>}</dd>
          </div>
        )}
        {i.ticket && (
          <div>
            <dt>{t('incidents.ticket')}</dt>
            <dd>
              <a href={`${href('tickets')}?incident=${encodeURIComponent(i.id)}`}>{i.ticket.ref ?? `#${i.ticket.id}`}</a> · {tv('tstate', i.ticket.state)}
            </dd>
          </div>
        )}
        {i.created_at && (
          <div>
            <dt>{t('incidents.age')}</dt>
            <dd>{fmtDuration(now - Date.parse(i.created_at))}</dd>
          </div>
        )}
      </dl>
      {i.review && (
        <div class={`review-note ${i.review.decision}`}>
          {tv('decision', i.review.decision)}
          {i.review.by && ` · ${i.review.by}`}
          {i.review.at && ` · ${fmtDateTime(i.review.at, zoneOf.get(i.camera_id))}`}
          {i.review.reason && <div>{i.review.reason}</div>}
        </div>
      )}
      {canReview && canJudge(i) && (
        <div class="review-box">
          {!needsReview(i) && <div class="muted small verdict-note">{t('incidents.verdictOnly')}</div>}
          <div class="reasons">
            {REASONS.map((r) => (
              <button type="button" key={r} class={`chip ${reason === t(r) ? 'active' : ''}`} onClick={() => setReason(t(r))}>
                {t(r)}
              </button>
            ))}
          </div>
          <textarea ref={reasonRef} name="reason" rows={2} maxLength={500} placeholder={t('incidents.reasonPlaceholder')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
          <ErrorBox error={error} />
          <div class="form-actions">
            <span class="muted small">{t('incidents.keys')}</span>
            <button type="button" class="btn danger" disabled={busy} onClick={() => decide('reject')} data-action="reject">
              {needsReview(i) ? t('incidents.reject') : t('incidents.falseAlarm')}
            </button>
            <button type="button" class="btn primary" disabled={busy} onClick={() => decide('approve')} data-action="approve">
              {needsReview(i) ? t('incidents.approve') : t('incidents.confirm')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
