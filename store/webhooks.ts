import type { Db } from './db.js';

/** A message for a crew's or the oversight webhook, committed with the change it reports (an outbox). */
export interface DeliveryRow {
  id: number;
  target: string;
  event: string;
  body: unknown;
  state: 'pending' | 'sending' | 'delivered' | 'dead';
  attempts: number;
  lastError: string | null;
}

const COLUMNS = `id::int AS id, target, event, body, state, attempts, last_error AS "lastError"`;

export async function insertDelivery(db: Db, d: { target: string; event: string; body: unknown }): Promise<void> {
  await db.query('INSERT INTO webhook_deliveries (target, event, body) VALUES ($1, $2, $3)', [d.target, d.event, JSON.stringify(d.body)]);
}

/** Claims due deliveries (and ones whose sender's lease ran out), as claimDueTickets does. */
export async function claimDueDeliveries(db: Db, limit: number, leaseMs: number): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    `UPDATE webhook_deliveries SET state = 'sending', attempts = attempts + 1, lease_until = now() + $2 * interval '1 millisecond'
     WHERE id IN (
       SELECT id FROM webhook_deliveries
       WHERE (state = 'pending' AND next_attempt_at <= now()) OR (state = 'sending' AND lease_until < now())
       ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [limit, leaseMs],
  );
}

export async function finishDelivery(db: Db, id: number, outcome: { state: 'delivered' | 'dead' | 'pending'; error?: string; retryInMs?: number }): Promise<void> {
  await db.query(
    `UPDATE webhook_deliveries SET state = $2, last_error = $3, lease_until = NULL,
       delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END,
       next_attempt_at = now() + COALESCE($4, 0) * interval '1 millisecond'
     WHERE id = $1`,
    [id, outcome.state, outcome.error ?? null, outcome.retryInMs ?? null],
  );
}

export async function listDeliveries(db: Db, f: { target?: string; state?: DeliveryRow['state'] } = {}): Promise<DeliveryRow[]> {
  return db.query<DeliveryRow>(
    `SELECT ${COLUMNS} FROM webhook_deliveries WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR state = $2) ORDER BY id`,
    [f.target ?? null, f.state ?? null],
  );
}
