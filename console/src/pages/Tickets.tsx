import { useState } from 'preact/hooks';
import { all, ApiError, page, post } from '../api/client.js';
import type { Camera, Ticket } from '../api/types.js';
import { fmtDateTime, fmtDuration, t, tv } from '../i18n/index.js';
import { useLoad, useNow } from '../hooks.js';
import { href, setQuery } from '../router.js';
import { Empty, ErrorBox, Loading, PageHeader, toast } from '../components/ui.js';
import { SetupHint } from '../components/SetupHint.js';
import { CameraFilter } from '../components/CameraFilter.js';

const STATES = ['', 'review', 'pending', 'sending', 'filed', 'dead', 'rejected', 'shadow'];

export type SlaState = 'met' | 'late' | 'ok' | 'risk' | 'breached' | 'none';

/** Where a ticket stands against its deadline: closed in time or late; open and fine, at risk (last fifth of the time), or breached. */
export function slaState(tk: Ticket, now: number): { state: SlaState; leftMs: number } {
  const due = tk.sla_due_at ? Date.parse(tk.sla_due_at) : NaN;
  if (!Number.isFinite(due)) return { state: 'none', leftMs: 0 };
  if (tk.closed_at) return { state: Date.parse(tk.closed_at) <= due ? 'met' : 'late', leftMs: due - Date.parse(tk.closed_at) };
  const start = Date.parse(tk.filed_at ?? tk.created_at);
  const left = due - now;
  if (left < 0 || tk.overdue) return { state: 'breached', leftMs: left };
  return { state: left < (due - start) / 5 ? 'risk' : 'ok', leftMs: left };
}

/** Age since filed (else created), up to closing: the server's figure, advanced by the time since it was fetched. */
function ageMs(tk: Ticket, now: number, fetchedAt: number): number {
  if (tk.age_seconds !== undefined) return tk.age_seconds * 1000 + (tk.closed_at ? 0 : now - fetchedAt);
  return (tk.closed_at ? Date.parse(tk.closed_at) : now) - Date.parse(tk.filed_at ?? tk.created_at);
}

export function TicketsPage({ query, canRetry }: { query: URLSearchParams; canRetry: boolean }) {
  const state = query.get('state') ?? '';
  const incident = query.get('incident') ?? '';
  const camera = query.get('camera') ?? '';
  const [cursor, setCursor] = useState<string | null>(null);
  const [fetchedAt, setFetchedAt] = useState(Date.now());
  const list = useLoad(() => page<Ticket>('tickets', { state, incident, camera, limit: 100, cursor }).finally(() => setFetchedAt(Date.now())), [state, incident, camera, cursor], 15_000);
  const cameras = useLoad(() => all<Camera>('cameras'), []);
  const names = new Map((cameras.data ?? []).map((c) => [c.id, c.name ?? c.id]));
  const now = useNow(15_000);
  const items = list.data?.items ?? [];
  async function retry(tk: Ticket) {
    try {
      await post(`incidents/${encodeURIComponent(tk.incident_id)}/retry`, {});
      toast(t('tickets.retried', { ref: tk.ref ?? String(tk.id) }));
      list.reload();
    } catch (e) {
      toast((e as ApiError).message, 'error');
    }
  }
  const breached = items.filter((x) => slaState(x, now).state === 'breached').length;

  return (
    <div class="page">
      <PageHeader title={t('tickets.title')} sub={breached ? <span class="text-bad">{t('tickets.breachedCount', { n: breached })}</span> : t('tickets.sub')}>
        {incident && (
          <button type="button" class="chip active" onClick={() => setQuery({ incident: undefined })}>
            {t('tickets.forIncident', { id: incident })} ×
          </button>
        )}
        <CameraFilter cameras={cameras.data} value={camera} onChange={(id) => (setCursor(null), setQuery({ camera: id }))} />
        <select aria-label={t('tickets.state')} value={state} onChange={(e) => (setCursor(null), setQuery({ state: e.currentTarget.value }))}>
          {STATES.map((s) => (
            <option key={s} value={s}>
              {s ? tv('tstate', s) : t('tickets.allStates')}
            </option>
          ))}
        </select>
      </PageHeader>
      <ErrorBox error={list.error} />
      {list.loading && !list.data ? (
        <Loading />
      ) : items.length === 0 ? (
        <Empty>
          {t('tickets.empty')}
          <SetupHint only={['case_system', 'camera', 'frames', 'zone', 'incident']} />
        </Empty>
      ) : (
        <div class="table-wrap">
          <table class="table" data-testid="tickets">
            <thead>
              <tr>
                <th>{t('tickets.ref')}</th>
                <th>{t('incidents.kind')}</th>
                <th>{t('incidents.camera')}</th>
                <th>{t('tickets.state')}</th>
                <th>{t('tickets.caseStatus')}</th>
                <th>{t('tickets.created')}</th>
                <th class="num">{t('tickets.age')}</th>
                <th>{t('tickets.sla')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((tk) => {
                const sla = slaState(tk, now);
                return (
                  <tr key={tk.id} data-ticket={tk.id} class={tk.incident_id === incident ? 'active' : ''}>
                    <td>
                      <a href={href('incidents', tk.incident_id)}>
                        <code>{tk.ref ?? `#${tk.id}`}</code>
                      </a>
                      {tk.request_id && <div class="muted small">{t('tickets.caseNo', { id: tk.request_id })}</div>}
                    </td>
                    <td>{tk.kind && <span class={`kind-tag kind-${tk.kind}`}>{tv('kind', tk.kind)}</span>}</td>
                    <td>
                      {tk.camera_id ? <a href={href('cameras', tk.camera_id)}>{names.get(tk.camera_id) ?? tk.camera_id}</a> : '—'}
                      {tk.address && <div class="muted small">{tk.address}</div>}
                    </td>
                    <td>
                      <span class={`tag tstate-${tk.state}`} title={tk.last_error ?? undefined}>
                        {tv('tstate', tk.state)}
                      </span>
                      {tk.state === 'dead' && (
                        <>
                          {tk.last_error && <div class="err-text small">{tk.last_error}</div>}
                          {canRetry && (
                            <button type="button" class="btn small" onClick={() => retry(tk)} data-action="retry">
                              {t('tickets.retry')}
                            </button>
                          )}
                        </>
                      )}
                    </td>
                    <td>{tk.case_status ?? '—'}</td>
                    <td class="nowrap">{fmtDateTime(tk.created_at)}</td>
                    <td class="num nowrap">{fmtDuration(ageMs(tk, now, fetchedAt))}</td>
                    <td class="nowrap">
                      <span class={`sla sla-${sla.state}`} data-sla={sla.state}>
                        {sla.state === 'none'
                          ? '—'
                          : sla.state === 'ok' || sla.state === 'risk'
                            ? t('tickets.left', { d: fmtDuration(sla.leftMs) })
                            : sla.state === 'breached'
                              ? t('tickets.over', { d: fmtDuration(sla.leftMs) })
                              : tv('sla', sla.state)}
                      </span>
                      {tk.sla_due_at && <div class="muted small">{fmtDateTime(tk.sla_due_at)}</div>}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {list.data?.next_cursor && (
        <div class="pager">
          <button type="button" class="btn small" onClick={() => setCursor(list.data!.next_cursor)}>
            {t('common.more')} →
          </button>
        </div>
      )}
    </div>
  );
}
