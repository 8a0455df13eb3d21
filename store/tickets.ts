import type { Db } from './db.js';

/**
 * Ticket states (the outbox):
 *   review  – waits for an operator (review mode)      → pending | rejected
 *   shadow  – recorded only, never sent (shadow mode)
 *   pending – due at next_attempt_at                   → sending
 *   sending – claimed by a sender until lease_until    → filed | pending (retry) | dead
 *   filed   – the case system has it (request_id and/or token)
 *   dead    – dead-lettered with last_error; an operator may send it again
 * `maybe_sent` is set before every call and cleared only when a look-up proves the case system lacks
 * the request: while it is set, a retry looks the request up before posting again.
 * `fence` is the fencing token of the claim: every claim increments it, and the claiming sender's writes
 * (`updateClaimedTicket`) take effect only while it is still the latest, so a sender that stalled past
 * its lease changes nothing once another sender claimed the ticket.
 */
export type TicketState = 'review' | 'shadow' | 'pending' | 'sending' | 'filed' | 'dead' | 'rejected';

export interface TicketRow {
  id: number;
  incidentId: string;
  ref: string;
  adapter: string;
  state: TicketState;
  attempts: number;
  /** Fencing token of the latest claim (0: never claimed). */
  fence: number;
  nextAttemptAt: Date;
  maybeSent: boolean;
  /** When the first post went out (null: never posted). */
  firstPostAt: Date | null;
  lastError: string | null;
  requestId: string | null;
  token: string | null;
  caseStatus: string | null;
  statusNotes: string | null;
  expectedAt: Date | null;
  filedAt: Date | null;
  closedAt: Date | null;
  polledAt: Date | null;
  remindedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id::int AS id, incident_id AS "incidentId", ref, adapter, state, attempts, fence, next_attempt_at AS "nextAttemptAt",
  maybe_sent AS "maybeSent", first_post_at AS "firstPostAt", last_error AS "lastError", request_id AS "requestId", token, case_status AS "caseStatus",
  status_notes AS "statusNotes", expected_at AS "expectedAt", filed_at AS "filedAt", closed_at AS "closedAt",
  polled_at AS "polledAt", reminded_at AS "remindedAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

export async function insertTicket(db: Db, t: { incidentId: string; ref: string; adapter: string; state: TicketState }): Promise<TicketRow> {
  const rows = await db.query<TicketRow>(
    `INSERT INTO tickets (incident_id, ref, adapter, state) VALUES ($1, $2, $3, $4) RETURNING ${COLUMNS}`,
    [t.incidentId, t.ref, t.adapter, t.state],
  );
  return rows[0]!;
}

export async function getTicket(db: Db, id: number): Promise<TicketRow | undefined> {
  return (await db.query<TicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE id = $1`, [id]))[0];
}

export async function getTicketOfIncident(db: Db, incidentId: string): Promise<TicketRow | undefined> {
  return (await db.query<TicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE incident_id = $1`, [incidentId]))[0];
}

export async function listTickets(db: Db, f: { state?: TicketState; limit?: number } = {}): Promise<TicketRow[]> {
  return db.query<TicketRow>(`SELECT ${COLUMNS} FROM tickets WHERE ($1::text IS NULL OR state = $1) ORDER BY id LIMIT $2`, [f.state ?? null, f.limit ?? 1000]);
}

/**
 * Claims up to `limit` due tickets for one sender: pending ones whose time has come, and sending ones
 * whose sender's lease ran out (it crashed mid-call; maybe_sent makes the next one look up first).
 * SKIP LOCKED lets several senders share the table without taking the same ticket. Each claim gets a
 * new fencing token (`fence`): the earlier holder's writes are refused from then on.
 */
export async function claimDueTickets(db: Db, limit: number, leaseMs: number): Promise<TicketRow[]> {
  return db.query<TicketRow>(
    `UPDATE tickets SET state = 'sending', attempts = attempts + 1, fence = fence + 1, lease_until = now() + $2 * interval '1 millisecond', updated_at = now()
     WHERE id IN (
       SELECT id FROM tickets
       WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'sending' AND lease_until < now())
       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [limit, leaseMs],
  );
}

export interface TicketPatch {
  state?: TicketState;
  maybeSent?: boolean;
  /** About to post: maybe_sent is set and the first post's time kept. */
  posting?: boolean;
  lastError?: string | null;
  requestId?: string;
  token?: string;
  /** Delay from now for the next attempt. */
  retryInMs?: number;
  caseStatus?: string;
  statusNotes?: string | null;
  expectedAt?: Date | null;
  filed?: boolean;
  closed?: boolean;
  polled?: boolean;
  reminded?: boolean;
  resetAttempts?: boolean;
}

/**
 * Updates a ticket, only if it is in one of `from` (compare-and-set); returns the row or undefined.
 * Fields left out keep their value.
 */
export function updateTicket(db: Db, id: number, from: TicketState[], p: TicketPatch): Promise<TicketRow | undefined> {
  return writeTicket(db, id, from, p, {});
}

/** A sender's hold on a ticket it claimed: the ticket and the fencing token the claim got. */
export type Claim = Pick<TicketRow, 'id' | 'fence'>;

/**
 * The claiming sender's write: only while the ticket is `sending` under this very claim (no later claim
 * took it over); returns the row, or undefined when the claim is stale. With `renewLeaseMs` it also
 * needs the lease to be still running and extends it by that much from now: the check a sender makes
 * right before it posts, so that a sender whose lease ran out posts nothing.
 */
export function updateClaimedTicket(db: Db, claim: Claim, p: TicketPatch & { renewLeaseMs?: number }): Promise<TicketRow | undefined> {
  return writeTicket(db, claim.id, ['sending'], p, { fence: claim.fence, renewLeaseMs: p.renewLeaseMs });
}

async function writeTicket(db: Db, id: number, from: TicketState[], p: TicketPatch, held: { fence?: number; renewLeaseMs?: number }): Promise<TicketRow | undefined> {
  const rows = await db.query<TicketRow>(
    `UPDATE tickets SET
       state = COALESCE($3, state),
       maybe_sent = CASE WHEN $20::boolean THEN true ELSE COALESCE($4, maybe_sent) END,
       first_post_at = CASE WHEN $20::boolean THEN COALESCE(first_post_at, now()) ELSE first_post_at END,
       last_error = CASE WHEN $5::boolean THEN $6 ELSE last_error END,
       request_id = COALESCE($7, request_id),
       token = COALESCE($8, token),
       next_attempt_at = CASE WHEN $9::float8 IS NULL THEN next_attempt_at ELSE now() + $9 * interval '1 millisecond' END,
       case_status = COALESCE($10, case_status),
       status_notes = CASE WHEN $11::boolean THEN $12 ELSE status_notes END,
       expected_at = CASE WHEN $13::boolean THEN $14 ELSE expected_at END,
       filed_at = CASE WHEN $15::boolean THEN now() ELSE filed_at END,
       closed_at = CASE WHEN $16::boolean THEN now() ELSE closed_at END,
       polled_at = CASE WHEN $17::boolean THEN now() ELSE polled_at END,
       reminded_at = CASE WHEN $18::boolean THEN now() ELSE reminded_at END,
       attempts = CASE WHEN $19::boolean THEN 0 ELSE attempts END,
       lease_until = CASE WHEN $22::float8 IS NOT NULL THEN now() + $22 * interval '1 millisecond'
                          WHEN $3 IS NULL OR $3 = 'sending' THEN lease_until ELSE NULL END,
       updated_at = now()
     WHERE id = $1 AND state = ANY($2::text[])
       AND ($21::int IS NULL OR fence = $21) AND ($22::float8 IS NULL OR lease_until > now())
     RETURNING ${COLUMNS}`,
    [
      id, from, p.state ?? null, p.maybeSent ?? null,
      p.lastError !== undefined, p.lastError ?? null,
      p.requestId ?? null, p.token ?? null, p.retryInMs ?? null, p.caseStatus ?? null,
      p.statusNotes !== undefined, p.statusNotes ?? null,
      p.expectedAt !== undefined, p.expectedAt ?? null,
      p.filed ?? false, p.closed ?? false, p.polled ?? false, p.reminded ?? false, p.resetAttempts ?? false,
      p.posting ?? false,
      held.fence ?? null, held.renewLeaseMs ?? null,
    ],
  );
  return rows[0];
}

/** Filed tickets not yet closed whose last poll is older than `everyMs` (or that were never polled). */
export async function ticketsToPoll(db: Db, everyMs: number, limit: number): Promise<TicketRow[]> {
  return db.query<TicketRow>(
    `SELECT ${COLUMNS} FROM tickets
     WHERE state = 'filed' AND closed_at IS NULL AND (polled_at IS NULL OR polled_at < now() - $1 * interval '1 millisecond')
     ORDER BY polled_at NULLS FIRST, id LIMIT $2`,
    [everyMs, limit],
  );
}

/**
 * Filed, still-open tickets past their deadline — the case system's expected_at, else filed_at + the
 * kind's SLA — that were not reminded within `remindEveryMs`.
 */
export async function overdueTickets(db: Db, slaMs: Record<string, number>, remindEveryMs: number, limit: number): Promise<(TicketRow & { kind: string })[]> {
  return db.query<TicketRow & { kind: string }>(
    `SELECT ${COLUMNS}, kind FROM (SELECT t.*, i.kind FROM tickets t JOIN incidents i ON i.id = t.incident_id) x
     WHERE state = 'filed' AND closed_at IS NULL
       AND now() > COALESCE(expected_at, filed_at + (($1::jsonb ->> kind)::float8) * interval '1 millisecond')
       AND (reminded_at IS NULL OR reminded_at < now() - $2 * interval '1 millisecond')
     ORDER BY id LIMIT $3`,
    [JSON.stringify(slaMs), remindEveryMs, limit],
  );
}
