import { WeisuError } from '../core/errors.js';
import { audit } from './audit.js';
import type { Db } from './db.js';

/** An operator's verdict on an incident (see migrations/202_incident_reviews.ts). */
export interface Review {
  incidentId: string;
  decision: 'approved' | 'rejected';
  reason: string | null;
  actor: string;
  at: string;
}

interface ReviewRow {
  incident_id: string;
  decision: Review['decision'];
  reason: string | null;
  actor: string;
  at: Date | string;
}

const toReview = (r: ReviewRow): Review => ({
  incidentId: r.incident_id,
  decision: r.decision,
  reason: r.reason,
  actor: r.actor,
  at: (r.at instanceof Date ? r.at : new Date(r.at)).toISOString(),
});

/** Records the verdict once; a second verdict on the same incident is a conflict naming the first. */
export async function recordReview(db: Db, r: Omit<Review, 'at'>): Promise<Review> {
  const rows = await db.query<ReviewRow>(
    'INSERT INTO incident_reviews (incident_id, decision, reason, actor) VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id) DO NOTHING RETURNING *',
    [r.incidentId, r.decision, r.reason, r.actor],
  );
  if (!rows[0]) {
    const first = (await reviewsOf(db, [r.incidentId]))[0];
    throw new WeisuError('conflict', `incident ${r.incidentId} was already ${first?.decision} by ${first?.actor} at ${first?.at}`, {
      field: 'id',
      fix: 'a verdict is final; look at the incident\'s review',
    });
  }
  await audit(db, { actor: r.actor, entity: 'incident', entityId: r.incidentId, action: `review_${r.decision}`, reason: r.reason ?? undefined });
  return toReview(rows[0]);
}

export async function reviewsOf(db: Db, incidentIds: string[]): Promise<Review[]> {
  if (!incidentIds.length) return [];
  return (await db.query<ReviewRow>('SELECT * FROM incident_reviews WHERE incident_id = ANY($1)', [incidentIds])).map(toReview);
}
