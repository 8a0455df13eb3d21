import type { Logger } from '../core/log.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { getIncident } from '../store/incidents.js';
import { listEvidence } from '../store/evidence.js';
import { claimDueTickets, updateTicket, type TicketRow } from '../store/tickets.js';
import type { AlertsConfig } from './schema.js';
import type { EvidenceStore } from './evidence_store.js';
import { buildCaseRequest, type CaseRequest } from './case_request.js';
import { CaseCallError, type CaseAdapter, type Filed } from './adapters/types.js';
import { backoffMs } from './backoff.js';
import { notifyCrews } from './notify.js';

export interface OutboxDeps {
  db: Db;
  alerts: AlertsConfig;
  adapter: CaseAdapter;
  evidence: EvidenceStore;
  /** Per-call deadline of the adapter: a claim's lease outlives it comfortably. */
  callTimeoutMs: number;
  log?: Logger;
}

/**
 * Sends what the outbox holds. Each claimed ticket: if an earlier try may have reached the case system
 * (maybe_sent), look it up first and only post when it is proven absent; mark maybe_sent before each
 * post; then record the answer. Failures retry with backoff; refusals and the N-th failure dead-letter.
 * Returns how many tickets it handled (0: nothing due).
 */
export async function sendDueTickets(d: OutboxDeps): Promise<number> {
  const o = d.alerts.outbox;
  // Lookup, post and token call may each take the full timeout; the lease must outlast all three.
  const claimed = await claimDueTickets(d.db, o.concurrency, d.callTimeoutMs * 4 + 30_000);
  await Promise.all(claimed.map((t) => sendOne(d, t)));
  return claimed.length;
}

async function sendOne(d: OutboxDeps, t: TicketRow): Promise<void> {
  let req: CaseRequest;
  try {
    const incident = await getIncident(d.db, t.incidentId);
    if (!incident) throw new Error(`incident ${t.incidentId} is missing`);
    req = buildCaseRequest(incident, t, await listEvidence(d.db, t.incidentId), d.evidence, d.alerts.map_link);
  } catch (e) {
    await deadLetter(d, t, `cannot build the request: ${(e as Error).message}`);
    return;
  }

  let posted = false;
  try {
    if (t.maybeSent) {
      if (!d.adapter.lookup) {
        await deadLetter(d, t, `an earlier attempt may have reached the case system (${t.lastError ?? 'interrupted'}) and this case system offers no look-up: check for reference ${t.ref} there before sending again`);
        return;
      }
      const found = await d.adapter.lookup(req);
      if (found) {
        await markFiled(d, t, found, 'found by look-up after an ambiguous attempt');
        return;
      }
    }
    // From here a crash or a timeout leaves the ticket "maybe sent": the next try looks it up first.
    await updateTicket(d.db, t.id, ['sending'], { posting: true });
    posted = true;
    const filed = await d.adapter.file(req);
    await markFiled(d, t, filed, 'filed');
  } catch (e) {
    const err = e instanceof CaseCallError ? e : new CaseCallError('ambiguous', (e as Error).message, e);
    await failed(d, t, err, posted);
  }
}

async function markFiled(d: OutboxDeps, t: TicketRow, f: Filed, how: string): Promise<void> {
  await d.db.tx(async (db) => {
    const row = await updateTicket(db, t.id, ['sending'], { state: 'filed', requestId: f.requestId, token: f.token, lastError: null, filed: true });
    if (!row) return; // an operator changed it meanwhile
    await audit(db, {
      actor: 'outbox',
      entity: 'ticket',
      entityId: t.ref,
      action: 'filed',
      reason: how,
      data: { requestId: f.requestId, token: f.token, notice: f.notice, attempts: t.attempts, incidentId: t.incidentId },
    });
    const incident = await getIncident(db, t.incidentId);
    if (incident) await notifyCrews(db, d.alerts, d.evidence, 'ticket.filed', incident, row);
  });
  d.log?.info({ ref: t.ref, requestId: f.requestId, token: f.token ? '(token)' : undefined }, 'ticket filed');
}

async function failed(d: OutboxDeps, t: TicketRow, err: CaseCallError, posted: boolean): Promise<void> {
  const reason = `attempt ${t.attempts}: ${err.failure}: ${err.message}`;
  if (err.failure === 'rejected') return deadLetter(d, t, `the case system refused the request — ${err.message}`);
  if (t.attempts >= d.alerts.outbox.attempts) {
    const maybe = t.maybeSent || (posted && err.failure === 'ambiguous');
    return deadLetter(d, t, `gave up after ${t.attempts} attempts; last: ${err.message}${maybe ? ` (it may have reached the case system: look for reference ${t.ref} before retrying)` : ''}`);
  }
  const delay = backoffMs(t.attempts, d.alerts.outbox.base_delay, d.alerts.outbox.max_delay);
  await d.db.tx(async (db) => {
    // A post that certainly never left proves nothing new arrived; only then may maybe_sent drop
    // (it was already false, or a look-up had just proven the request absent).
    await updateTicket(db, t.id, ['sending'], { state: 'pending', lastError: reason, retryInMs: delay, ...(posted && err.failure === 'not_sent' ? { maybeSent: false } : {}) });
    await audit(db, { actor: 'outbox', entity: 'ticket', entityId: t.ref, action: 'attempt_failed', reason, data: { retryInMs: delay } });
  });
  d.log?.warn({ ref: t.ref, attempt: t.attempts, failure: err.failure, retryInMs: delay }, 'case system call failed; will retry');
}

async function deadLetter(d: OutboxDeps, t: TicketRow, reason: string): Promise<void> {
  await d.db.tx(async (db) => {
    const row = await updateTicket(db, t.id, ['sending'], { state: 'dead', lastError: reason });
    if (!row) return;
    await audit(db, { actor: 'outbox', entity: 'ticket', entityId: t.ref, action: 'dead_lettered', reason, data: { attempts: t.attempts } });
    const incident = await getIncident(db, t.incidentId);
    if (incident) await notifyCrews(db, d.alerts, d.evidence, 'ticket.dead', incident, row, reason);
  });
  d.log?.error({ ref: t.ref, reason }, 'ticket dead-lettered: an operator must retry it');
}
