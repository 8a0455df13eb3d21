import type { Db } from './db.js';

export interface AuditEntry {
  actor: string;
  entity: string;
  entityId: string;
  action: string;
  reason?: string;
  data?: unknown;
}

/** The one function everyone appends to the audit trail through. */
export async function audit(db: Db, e: AuditEntry): Promise<void> {
  await db.query('INSERT INTO audit (actor, entity, entity_id, action, reason, data) VALUES ($1, $2, $3, $4, $5, $6)', [
    e.actor,
    e.entity,
    e.entityId,
    e.action,
    e.reason ?? null,
    e.data === undefined ? null : JSON.stringify(e.data),
  ]);
}
