import type { Db } from '../store/db.js';
import { auditAfter, getCursor, setCursor, type AuditFilter, type AuditRecord } from '../store/audit_feed.js';
import { postSigned, type Target } from './webhooks.js';

const CURSOR = 'oversight';
const BATCH = 200;

/**
 * The oversight copy of the audit trail: every entry — of incidents, tickets, cameras, users, whoever
 * wrote it — posted in order, in signed batches (`{"entries":[…]}`, event `audit.batch`). The cursor only
 * moves after a 2xx, so a receiver that is down gets everything once it is back (entries carry their
 * `id`: a receiver drops ids it has seen, should a batch arrive twice).
 */
export async function sendAuditCopy(db: Db, target: Target, timeoutMs: number): Promise<number> {
  const after = await getCursor(db, CURSOR);
  const entries = await auditAfter(db, after, BATCH);
  if (!entries.length) return 0;
  const last = entries[entries.length - 1]!.id;
  await postSigned(target, 'audit.batch', JSON.stringify({ entries }), timeoutMs, `audit-${entries[0]!.id}-${last}`);
  await setCursor(db, CURSOR, last);
  return entries.length;
}

/** The whole audit trail (or one entity's, or since a time) as JSON lines, oldest first: the export format. */
export async function* exportAudit(db: Db, f: AuditFilter = {}): AsyncGenerator<string> {
  let after = 0;
  for (;;) {
    const rows: AuditRecord[] = await auditAfter(db, after, 1000, f);
    for (const r of rows) yield `${JSON.stringify(r)}\n`;
    if (rows.length < 1000) return;
    after = rows[rows.length - 1]!.id;
  }
}

/** exportAudit collected into one string. */
export async function exportAuditText(db: Db, f: AuditFilter = {}): Promise<string> {
  let out = '';
  for await (const line of exportAudit(db, f)) out += line;
  return out;
}
