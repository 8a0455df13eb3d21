import type { Db } from './db.js';

/** A camera's view change as the alerts side recorded it (table `view_changes`). */
export interface ViewChangeRow {
  id: string;
  cameraId: string;
  event: string;
  state: string;
  reason: string | null;
  since: number;
  pictureSha256: string | null;
}

/** Records a change once: false when this id was recorded before (a re-delivered message). */
export async function recordViewChange(db: Db, c: Omit<ViewChangeRow, 'reason' | 'pictureSha256'> & { reason?: string; pictureSha256?: string }): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO view_changes (id, camera_id, event, state, reason, since, picture_sha256) VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0), $7)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [c.id, c.cameraId, c.event, c.state, c.reason ?? null, c.since, c.pictureSha256 ?? null],
  );
  return rows.length === 1;
}

export async function listViewChanges(db: Db, cameraId: string): Promise<ViewChangeRow[]> {
  return db.query<ViewChangeRow>(
    `SELECT id, camera_id AS "cameraId", event, state, reason, (extract(epoch FROM since) * 1000)::float8 AS since, picture_sha256 AS "pictureSha256"
     FROM view_changes WHERE camera_id = $1 ORDER BY since, recorded_at`,
    [cameraId],
  );
}
