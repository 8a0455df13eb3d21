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

/** Whether some incident refers to this file (the HTTP plugin serves only referenced evidence). */
export async function evidenceExists(db: Db, sha256: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM evidence WHERE sha256 = $1 LIMIT 1', [sha256])).length > 0;
}
