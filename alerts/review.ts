import { WeisuError } from '../core/errors.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { precisionCounts, setJudgement, transitionIncident, type PrecisionRow } from '../store/incidents.js';
import { getTicketOfIncident, updateTicket, type TicketRow, type TicketState } from '../store/tickets.js';

/**
 * What operators do to tickets (the API calls these): approve a reviewed incident, reject it, send a
 * dead-lettered ticket again. Each is a compare-and-set, so two operators cannot both act on one ticket.
 */

async function operate(
  db: Db,
  incidentId: string,
  from: TicketState[],
  to: TicketState,
  action: string,
  actor: string,
  reason: string | undefined,
  extra: { resetAttempts?: boolean } = {},
): Promise<TicketRow> {
  return db.tx(async (t) => {
    const ticket = await getTicketOfIncident(t, incidentId);
    if (!ticket) throw new WeisuError('not_found', `incident ${incidentId} has no ticket`, { field: 'incidentId' });
    const row = await updateTicket(t, ticket.id, from, { state: to, retryInMs: 0, ...extra });
    if (!row) {
      throw new WeisuError('conflict', `ticket ${ticket.ref} is ${ticket.state}; ${action} needs it to be ${from.join(' or ')}`, { field: 'state' });
    }
    await audit(t, { actor, entity: 'ticket', entityId: ticket.ref, action, reason, data: { incidentId } });
    // A review decision is also a verdict on the detection: it feeds the kind's precision.
    if (action === 'approved' || action === 'rejected') await setJudgement(t, incidentId, action === 'approved' ? 'correct' : 'wrong', actor);
    if (to === 'rejected') {
      await transitionIncident(t, incidentId, ['open', 'cleared'], 'dismissed');
      await audit(t, { actor, entity: 'incident', entityId: incidentId, action: 'dismissed', reason });
    }
    return row;
  });
}

/** Review mode: an operator confirms the incident; the ticket joins the outbox. */
export function approveTicket(db: Db, incidentId: string, actor: string, reason?: string): Promise<TicketRow> {
  return operate(db, incidentId, ['review'], 'pending', 'approved', actor, reason);
}

/** Review mode: an operator says it is not an offence; nothing is filed and the incident is dismissed. */
export function rejectTicket(db: Db, incidentId: string, actor: string, reason: string): Promise<TicketRow> {
  return operate(db, incidentId, ['review'], 'rejected', 'rejected', actor, reason);
}

/**
 * Sends a dead-lettered ticket again with a fresh set of attempts. If it may have reached the case
 * system before, the sender still looks it up first (maybe_sent is kept).
 */
export function retryDeadTicket(db: Db, incidentId: string, actor: string, reason?: string): Promise<TicketRow> {
  return operate(db, incidentId, ['dead'], 'pending', 'retried', actor, reason, { resetAttempts: true });
}

/**
 * An operator's verdict on any incident — typically shadow-mode ones, to measure precision before going
 * live. Changes no ticket.
 */
export async function judgeIncident(db: Db, incidentId: string, correct: boolean, actor: string, reason?: string): Promise<void> {
  await db.tx(async (t) => {
    if (!(await setJudgement(t, incidentId, correct ? 'correct' : 'wrong', actor))) {
      throw new WeisuError('not_found', `incident ${incidentId} does not exist`, { field: 'incidentId' });
    }
    await audit(t, { actor, entity: 'incident', entityId: incidentId, action: correct ? 'judged_correct' : 'judged_wrong', reason });
  });
}

/** Precision per kind and mode: correct / judged (null until something is judged). */
export async function precision(db: Db, since?: Date): Promise<(PrecisionRow & { precision: number | null })[]> {
  return (await precisionCounts(db, since)).map((r) => ({ ...r, precision: r.judged ? r.correct / r.judged : null }));
}
