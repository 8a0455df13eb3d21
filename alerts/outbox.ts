import type { Logger } from '../core/log.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { getIncident } from '../store/incidents.js';
import { listEvidence } from '../store/evidence.js';
import { claimDueTickets, updateClaimedTicket, type TicketPatch, type TicketRow } from '../store/tickets.js';
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
 * Every write carries the claim's fencing token, so a sender that stalled (paused, swapped out, cut off)
 * past its lease while another took the ticket over posts nothing and records nothing.
 * Returns how many tickets it handled (0: nothing due).
 */
export async function sendDueTickets(d: OutboxDeps): Promise<number> {
  const o = d.alerts.outbox;
  const claimed = await claimDueTickets(d.db, o.concurrency, leaseMs(d));
  await Promise.all(claimed.map((t) => sendOne(d, t)));
  return claimed.length;
}

/** Lookup, post and token call may each take the full timeout; the lease must outlast all three. */
const leaseMs = (d: OutboxDeps) => d.callTimeoutMs * 4 + 30_000;

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
    if (!(await holdForPost(d, t))) return;
    posted = true;
    const filed = await d.adapter.file(req);
    await markFiled(d, t, filed, 'filed');
  } catch (e) {
    const err = e instanceof CaseCallError ? e : new CaseCallError('ambiguous', (e as Error).message, e);
    await failed(d, t, err, posted);
  }
}

/**
 * The last word before posting. The store marks the ticket "maybe sent" (from here a crash or a timeout
 * makes the next try look it up first) and renews the lease, only if this claim still holds the ticket and
 * its lease still runs. Then the local clock: a stall between the store's yes and this line (a process
 * paused, swapped out) may have outlived the lease, so the time since asking must leave the post a whole
 * call's time inside it. What remains unfenced is a stall inside the post itself (docs/security.md).
 */
async function holdForPost(d: OutboxDeps, t: TicketRow): Promise<boolean> {
  const lease = leaseMs(d);
  const asked = performance.now();
  const row = await updateClaimedTicket(d.db, t, { posting: true, renewLeaseMs: lease });
  const stalledMs = performance.now() - asked;
  if (row && stalledMs < lease - d.callTimeoutMs * 2) return true;
  d.log?.warn(
    { ref: t.ref, fence: t.fence, stalledMs: Math.round(stalledMs) },
    row ? 'sender stalled past its lease before posting: posts nothing, the next claim looks the ticket up first' : 'sender lost its claim on the ticket (lease ran out, another sender took it over): posts nothing',
  );
  return false;
}

/**
 * Records the outcome of this claim and what goes with it (audit, crews) in one transaction, if the
 * claim still holds the ticket. When it does not (an operator acted, or this sender stalled past its
 * lease and a later claim took over, which looks the request up before posting), nothing is written.
 */
async function record(d: OutboxDeps, t: TicketRow, patch: TicketPatch, then: (db: Db, row: TicketRow) => Promise<void>): Promise<boolean> {
  const done = await d.db.tx(async (db) => {
    const row = await updateClaimedTicket(db, t, patch);
    if (row) await then(db, row);
    return row !== undefined;
  });
  if (!done) d.log?.warn({ ref: t.ref, fence: t.fence }, 'the ticket is no longer held by this claim: its outcome here is not recorded');
  return done;
}

async function markFiled(d: OutboxDeps, t: TicketRow, f: Filed, how: string): Promise<void> {
  const done = await record(d, t, { state: 'filed', requestId: f.requestId, token: f.token, lastError: null, filed: true }, async (db, row) => {
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
  if (done) d.log?.info({ ref: t.ref, requestId: f.requestId, token: f.token ? '(token)' : undefined }, 'ticket filed');
}

async function failed(d: OutboxDeps, t: TicketRow, err: CaseCallError, posted: boolean): Promise<void> {
  const reason = `attempt ${t.attempts}: ${err.failure}: ${err.message}`;
  if (err.failure === 'rejected') return deadLetter(d, t, `the case system refused the request — ${err.message}`);
  if (t.attempts >= d.alerts.outbox.attempts) {
    const maybe = t.maybeSent || (posted && err.failure === 'ambiguous');
    return deadLetter(d, t, `gave up after ${t.attempts} attempts; last: ${err.message}${maybe ? ` (it may have reached the case system: look for reference ${t.ref} before retrying)` : ''}`);
  }
  const delay = backoffMs(t.attempts, d.alerts.outbox.base_delay, d.alerts.outbox.max_delay);
  // A post that certainly never left proves nothing new arrived; only then may maybe_sent drop
  // (it was already false, or a look-up had just proven the request absent).
  const patch: TicketPatch = { state: 'pending', lastError: reason, retryInMs: delay, ...(posted && err.failure === 'not_sent' ? { maybeSent: false } : {}) };
  const done = await record(d, t, patch, (db) => audit(db, { actor: 'outbox', entity: 'ticket', entityId: t.ref, action: 'attempt_failed', reason, data: { retryInMs: delay } }));
  if (done) d.log?.warn({ ref: t.ref, attempt: t.attempts, failure: err.failure, retryInMs: delay }, 'case system call failed; will retry');
}

async function deadLetter(d: OutboxDeps, t: TicketRow, reason: string): Promise<void> {
  const done = await record(d, t, { state: 'dead', lastError: reason }, async (db, row) => {
    await audit(db, { actor: 'outbox', entity: 'ticket', entityId: t.ref, action: 'dead_lettered', reason, data: { attempts: t.attempts } });
    const incident = await getIncident(db, t.incidentId);
    if (incident) await notifyCrews(db, d.alerts, d.evidence, 'ticket.dead', incident, row, reason);
  });
  if (done) d.log?.error({ ref: t.ref, reason }, 'ticket dead-lettered: an operator must retry it');
}
