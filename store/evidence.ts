import type { Db } from './db.js';

/** One stored evidence image of an incident; the file itself lives in the evidence store by its hash. */
export interface EvidenceRow {
  incidentId: string;
  /** `main` goes to the case system; `first_seen` / `confirmed` are the full-resolution pair. */
  role: string;
  sha256: string;
  bytes: number;
  width: number;
  height: number;
}

export async function insertEvidence(db: Db, e: EvidenceRow): Promise<void> {
  await db.query(
    `INSERT INTO evidence (incident_id, role, sha256, bytes, width, height) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (incident_id, role) DO NOTHING`,
    [e.incidentId, e.role, e.sha256, e.bytes, e.width, e.height],
  );
}

export async function listEvidence(db: Db, incidentId: string): Promise<EvidenceRow[]> {
  return db.query<EvidenceRow>(
    `SELECT incident_id AS "incidentId", role, sha256, bytes, width, height FROM evidence WHERE incident_id = $1 ORDER BY id`,
    [incidentId],
  );
}

/** Incident states after which nothing more will be done with an incident's pictures. */
const FINAL = ['verified', 'closed_not_fixed', 'dismissed'];

/**
 * Evidence files past retention: every incident using the file was created before `before` and is either
 * finished or never filed (shadow, rejected). Files still used by a live incident are kept.
 */
export async function evidenceToPurge(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db.query<{ sha256: string }>(
    `SELECT e.sha256 FROM evidence e
       JOIN incidents i ON i.id = e.incident_id
       LEFT JOIN tickets t ON t.incident_id = i.id
     GROUP BY e.sha256
     HAVING bool_or(e.purged_at IS NULL)
        AND bool_and(i.created_at < $1 AND (i.state = ANY($2::text[]) OR t.state IN ('shadow', 'rejected')))
     LIMIT $3`,
    [before, FINAL, limit],
  );
  return rows.map((r) => r.sha256);
}

export async function markPurged(db: Db, sha256: string): Promise<void> {
  await db.query('UPDATE evidence SET purged_at = now() WHERE sha256 = $1 AND purged_at IS NULL', [sha256]);
}
