import type { BBox, IncidentKind } from '../core/types.js';
import type { Logger } from '../core/log.js';
import type { Db } from '../store/db.js';
import { audit } from '../store/audit.js';
import { getIncident, incidentsToVerify, touchIncident, transitionIncident, type IncidentRow } from '../store/incidents.js';
import { getTicketOfIncident, overdueTickets, ticketsToPoll, updateTicket, type TicketRow } from '../store/tickets.js';
import type { AlertsConfig } from './schema.js';
import type { EvidenceStore } from './evidence_store.js';
import type { CaseAdapter } from './adapters/types.js';
import { notifyCrews } from './notify.js';
import { buildCaseRequest } from './case_request.js';
import { listEvidence } from '../store/evidence.js';
import { durationWords } from './wording.js';

/**
 * Looks at the camera again for a closed ticket: is the vehicle gone / the bin back to normal?
 * Implemented by the detection side (it samples the camera); `unknown` when it cannot tell (camera down,
 * too dark), and the question is asked again on the next round.
 */
export type Rechecker = (incident: { id: string; cameraId: string; zoneId: string; kind: IncidentKind; box: BBox }) => Promise<'gone' | 'present' | 'unknown'>;

export interface ClosingDeps {
  db: Db;
  alerts: AlertsConfig;
  adapter?: CaseAdapter;
  evidence: EvidenceStore;
  recheck?: Rechecker;
  log?: Logger;
  /** When each verifying incident's camera was last asked: an `unknown` is asked again after status_poll, not at once. */
  lastAsked?: Map<string, number>;
}

/**
 * One round of closing the loop (回头看): resolve tokens, read statuses, move closed tickets' incidents to
 * verification, verify them by looking again, and remind about overdue tickets (催办).
 */
export async function closeTheLoop(d: ClosingDeps): Promise<number> {
  let work = 0;
  if (d.adapter) {
    for (const t of await ticketsToPoll(d.db, d.alerts.status_poll, 50)) {
      work += 1;
      await pollOne(d, d.adapter, t).catch(async (e: unknown) => {
        await updateTicket(d.db, t.id, ['filed'], { polled: true });
        d.log?.warn({ ref: t.ref, err: (e as Error).message }, 'status poll failed; next round tries again');
      });
    }
  }
  for (const incident of await incidentsToVerify(d.db, 50)) work += await verify(d, incident);
  work += await remindOverdue(d);
  return work;
}

async function pollOne(d: ClosingDeps, adapter: CaseAdapter, t: TicketRow): Promise<void> {
  let requestId = t.requestId;
  if (!requestId && t.token && adapter.resolveToken) {
    requestId = (await adapter.resolveToken(t.token)) ?? null;
    if (requestId) {
      await d.db.tx(async (db) => {
        await updateTicket(db, t.id, ['filed'], { requestId: requestId! });
        await audit(db, { actor: 'poller', entity: 'ticket', entityId: t.ref, action: 'token_resolved', data: { requestId } });
      });
    }
  }
  if (!requestId || !adapter.status) {
    await updateTicket(d.db, t.id, ['filed'], { polled: true });
    return;
  }
  const s = await adapter.status(requestId);
  await d.db.tx(async (db) => {
    const row = await updateTicket(db, t.id, ['filed'], {
      polled: true,
      caseStatus: s.status,
      statusNotes: s.notes ?? null,
      ...(s.expectedAt ? { expectedAt: s.expectedAt } : {}),
      closed: s.status === 'closed',
    });
    if (!row || s.status !== 'closed') return;
    await audit(db, { actor: 'case_system', entity: 'ticket', entityId: t.ref, action: 'closed', reason: s.notes ?? 'closed by the case system', data: { requestId } });
    const moved = await transitionIncident(db, t.incidentId, ['open', 'cleared'], 'verifying');
    if (moved) await audit(db, { actor: 'poller', entity: 'incident', entityId: t.incidentId, action: 'verifying', reason: 'ticket closed: looking at the camera again' });
  });
}

async function verify(d: ClosingDeps, incident: IncidentRow): Promise<number> {
  let verdict: 'gone' | 'present' | 'unknown';
  let how: string;
  if (d.recheck) {
    const asked = d.lastAsked?.get(incident.id);
    if (asked !== undefined && Date.now() - asked < d.alerts.status_poll) return 0;
    d.lastAsked?.set(incident.id, Date.now());
    verdict = await d.recheck({ id: incident.id, cameraId: incident.cameraId, zoneId: incident.zoneId, kind: incident.kind, box: incident.subject.box }).catch((e: unknown) => {
      d.log?.warn({ incidentId: incident.id, err: (e as Error).message }, 're-check failed');
      return 'unknown' as const;
    });
    how = 'camera re-checked after close';
  } else {
    // No camera to ask: the rule's own "cleared" is the only evidence that it ended.
    verdict = incident.clearedAt ? 'gone' : 'unknown';
    how = 'no re-check available; judged by whether the rule saw it end';
  }
  if (verdict === 'unknown') {
    await touchIncident(d.db, incident.id);
    return 0;
  }
  d.lastAsked?.delete(incident.id);
  const to = verdict === 'gone' ? 'verified' : 'closed_not_fixed';
  await d.db.tx(async (db) => {
    const row = await transitionIncident(db, incident.id, ['verifying'], to, { recheckResult: verdict });
    if (!row) return;
    const what = incident.kind === 'no_parking' ? (verdict === 'gone' ? 'vehicle gone' : 'vehicle still there') : verdict === 'gone' ? 'bin back to normal' : 'bin still overflowing';
    await audit(db, { actor: 'recheck', entity: 'incident', entityId: incident.id, action: to, reason: `${what} (${how})` });
    await notifyCrews(db, d.alerts, d.evidence, to === 'verified' ? 'incident.verified' : 'incident.closed_not_fixed', row, await getTicketOfIncident(db, incident.id), what);
  });
  d.log?.info({ incidentId: incident.id, verdict }, to === 'verified' ? 'fix verified' : 'ticket closed but not fixed');
  if (to === 'closed_not_fixed') await sendBack(d, incident.id);
  return 1;
}

/** Sends a closed-but-not-fixed case back to the case system where its adapter can; the outcome is audited either way. */
async function sendBack(d: ClosingDeps, incidentId: string): Promise<void> {
  const ticket = await getTicketOfIncident(d.db, incidentId);
  const incident = await getIncident(d.db, incidentId);
  if (!d.adapter?.reopen || !ticket?.requestId || !incident) return;
  const reason = incident.kind === 'no_parking' ? '回头看：车辆仍在禁停区域 / re-check: the vehicle is still there' : '回头看：垃圾桶仍满溢 / re-check: the bin is still overflowing';
  try {
    const req = buildCaseRequest(incident, ticket, await listEvidence(d.db, incidentId), d.evidence, d.alerts.map_link);
    await d.adapter.reopen(ticket.requestId, req, reason);
    await audit(d.db, { actor: 'recheck', entity: 'ticket', entityId: ticket.ref, action: 'sent_back', reason });
  } catch (e) {
    await audit(d.db, { actor: 'recheck', entity: 'ticket', entityId: ticket.ref, action: 'send_back_failed', reason: (e as Error).message });
    d.log?.warn({ ref: ticket.ref, err: (e as Error).message }, 'could not send the case back; operators see it as closed_not_fixed');
  }
}

async function remindOverdue(d: ClosingDeps): Promise<number> {
  const overdue = await overdueTickets(d.db, d.alerts.sla, d.alerts.remind_every, 50);
  for (const t of overdue) {
    await d.db.tx(async (db) => {
      const row = await updateTicket(db, t.id, ['filed'], { reminded: true });
      if (!row) return;
      const since = Date.now() - (t.filedAt?.getTime() ?? Date.now());
      const reason = t.expectedAt ? `past the case system's expected time ${t.expectedAt.toISOString()}` : `open for ${durationWords(since).en}, beyond the ${t.kind} SLA`;
      await audit(db, { actor: 'reminders', entity: 'ticket', entityId: t.ref, action: 'overdue_reminder', reason: `催办: ${reason}` });
      const incident = await getIncident(db, t.incidentId);
      if (incident) await notifyCrews(db, d.alerts, d.evidence, 'ticket.overdue', incident, row, `催办 overdue: ${reason}`);
    });
  }
  return overdue.length;
}
