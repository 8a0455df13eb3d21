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

/**
 * Pictures of view changes recorded before `before`, used by no later change and by no evidence still
 * kept (the store is content-addressed: the same bytes may be both): retention may delete their files.
 */
export async function viewPicturesToPurge(db: Db, before: Date, limit: number): Promise<string[]> {
  const rows = await db.query<{ sha: string }>(
    `SELECT DISTINCT v.picture_sha256 AS sha FROM view_changes v
     WHERE v.picture_sha256 IS NOT NULL AND v.recorded_at < $1
       AND NOT EXISTS (SELECT 1 FROM view_changes w WHERE w.picture_sha256 = v.picture_sha256 AND w.recorded_at >= $1)
       AND NOT EXISTS (SELECT 1 FROM evidence e WHERE e.sha256 = v.picture_sha256 AND e.purged_at IS NULL)
     LIMIT $2`,
    [before, limit],
  );
  return rows.map((r) => r.sha);
}

/** The changes keep their record; only the link to a deleted picture goes. */
export async function forgetViewPicture(db: Db, sha256: string): Promise<void> {
  await db.query('UPDATE view_changes SET picture_sha256 = NULL WHERE picture_sha256 = $1', [sha256]);
}
