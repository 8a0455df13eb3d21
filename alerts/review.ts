import { WeisuError } from '../core/errors.js';
import { audit } from '../store/audit.js';
import type { Db } from '../store/db.js';
import { transitionIncident } from '../store/incidents.js';
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
