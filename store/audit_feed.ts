import type { Db } from './db.js';

/** One audit entry as read back (export, oversight copy). */
export interface AuditRecord {
  id: number;
  at: string;
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  reason: string | null;
  data: unknown;
}

/** Which entries: of one entity kind or one entity, written at or after `since`. */
export interface AuditFilter {
  entity?: string;
  entityId?: string;
  since?: Date;
}

/** Entries after `afterId`, oldest first, optionally filtered. */
export async function auditAfter(db: Db, afterId: number, limit: number, f: AuditFilter = {}): Promise<AuditRecord[]> {
  return db.query<AuditRecord>(
    `SELECT id::int AS id, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, actor, entity, entity_id AS "entityId", action, reason, data
     FROM audit WHERE id > $1 AND ($3::text IS NULL OR entity = $3) AND ($4::text IS NULL OR entity_id = $4)
       AND ($5::timestamptz IS NULL OR at >= $5) ORDER BY id LIMIT $2`,
    [afterId, limit, f.entity ?? null, f.entityId ?? null, f.since?.toISOString() ?? null],
  );
}

/** Where a reader of the audit feed got to (e.g. the oversight copy). */
export async function getCursor(db: Db, name: string): Promise<number> {
  const rows = await db.query<{ lastId: number }>('SELECT last_id::float8 AS "lastId" FROM feed_cursors WHERE name = $1', [name]);
  return rows[0]?.lastId ?? 0;
}

export async function setCursor(db: Db, name: string, lastId: number): Promise<void> {
  await db.query(
    'INSERT INTO feed_cursors (name, last_id) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET last_id = GREATEST(feed_cursors.last_id, EXCLUDED.last_id)',
    [name, lastId],
  );
}
