import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { exportAudit } from '../../alerts/oversight.js';
import { WeisuError } from '../../core/errors.js';
import { openCliStore } from '../store.js';

export const summary = 'audit export [--since ISO] [--entity E] [--entity-id ID] [--config FILE]: the audit trail as JSON lines on stdout';

const USAGE = `usage:
  weisu audit export [--since 2026-05-01T00:00:00+08:00] [--entity incident|ticket|camera|user|...] [--entity-id ID] [--config FILE]

  Every state change of incidents, tickets, cameras, zones, users and tokens — who, when, why — one JSON
  object per line ({id, at, actor, entity, entityId, action, reason, data}), oldest first: the same as
  GET /api/v1/audit/export. The store is DATABASE_URL when set, else the embedded database in the
  config's data_dir (while \`weisu serve\` runs on an embedded database, use the API instead).`;

/** An ISO 8601 time with its zone, as the API takes it: a zoneless time would be read in this machine's zone. */
function sinceFlag(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value) && !Number.isNaN(Date.parse(value));
  if (!ok) {
    throw new WeisuError('bad_flag', `--since must be a time in ISO 8601 with a zone, got "${value}"`, { field: '--since', fix: 'e.g. --since 2026-05-01T00:00:00+08:00 or --since 2026-05-01T00:00:00Z' });
  }
  return new Date(value);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'export') {
    (sub === '--help' || sub === '-h' ? console.log : console.error)(USAGE);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const { values } = parseArgs({ args: rest, options: { config: { type: 'string' }, since: { type: 'string' }, entity: { type: 'string' }, 'entity-id': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const since = sinceFlag(values.since);
  const db = await openCliStore(values.config);
  try {
    for await (const line of exportAudit(db, { since, entity: values.entity, entityId: values['entity-id'] })) {
      // A year of audit is large: wait for the pipe rather than buffer it all in memory.
      if (!process.stdout.write(line)) await once(process.stdout, 'drain');
    }
    return 0;
  } finally {
    await db.close();
  }
}
