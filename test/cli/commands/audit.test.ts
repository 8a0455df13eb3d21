import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../../store/audit.js';
import { openDb, type Db } from '../../../store/db.js';
import { createUser } from '../../../store/users.js';
import { withPostgresDatabase } from '../../support/postgres.js';
import { spawnWeisu } from '../../support/weisu.js';

/** `weisu audit export` as a real process, on a PostgreSQL server and on the embedded store of a config's data_dir. */
type Entry = { id: number; at: string; actor: string; entity: string; entityId: string; action: string; reason: string | null };

async function weisu(args: string[], env: Record<string, string | undefined>): Promise<{ code: number | null; out: string }> {
  const p = spawnWeisu(args, { WEISU_LOG_LEVEL: 'warn', ...env });
  const { code } = await p.exited;
  return { code, out: p.output() };
}

const parse = (out: string): Entry[] =>
  out
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Entry);

async function fill(db: Db): Promise<void> {
  await createUser(db, { username: 'ops', password: 'a-long-password', role: 'operator' }, 'test');
  await audit(db, { actor: 'rules', entity: 'incident', entityId: 'cam:gate:1', action: 'confirmed', reason: 'car in no_parking zone gate' });
  await audit(db, { actor: 'alerts', entity: 'incident', entityId: 'cam:gate:2', action: 'not_ticketed', reason: 'same plate within cooldown of incident cam:gate:1' });
}

describe('weisu audit export on PostgreSQL (DATABASE_URL)', () => {
  let pg: Awaited<ReturnType<typeof withPostgresDatabase>>;
  let db: Db;
  beforeAll(async () => {
    pg = await withPostgresDatabase();
    db = await openDb({ databaseUrl: pg.url });
    await fill(db);
  });
  afterAll(async () => {
    await db?.close();
    await pg?.drop();
  });

  it('prints every entry as one JSON line, oldest first; --since and --entity-id narrow it', async () => {
    const all = await weisu(['audit', 'export'], { DATABASE_URL: pg.url });
    expect(all.code, all.out).toBe(0);
    const entries = parse(all.out);
    expect(entries.map((e) => e.action)).toEqual(['created', 'confirmed', 'not_ticketed']);
    expect(entries[2]).toMatchObject({ actor: 'alerts', entityId: 'cam:gate:2', reason: 'same plate within cooldown of incident cam:gate:1' });
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => a - b));

    await db.query("UPDATE audit SET at = at - interval '2 days' WHERE entity = 'user'");
    const cut = new Date(Date.now() - 86_400_000).toISOString();
    const recent = await weisu(['audit', 'export', '--since', cut], { DATABASE_URL: pg.url });
    expect(parse(recent.out).map((e) => e.action)).toEqual(['confirmed', 'not_ticketed']);
    const one = await weisu(['audit', 'export', '--entity', 'incident', '--entity-id', 'cam:gate:1'], { DATABASE_URL: pg.url });
    expect(parse(one.out).map((e) => e.entityId)).toEqual(['cam:gate:1']);
  });

  it('refuses a time without a zone, naming the flag, and prints nothing on stdout', async () => {
    const p = spawnWeisu(['audit', 'export', '--since', '2026-05-01 08:00'], { DATABASE_URL: pg.url });
    let stdout = '';
    p.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const { code } = await p.exited;
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(p.output()).toContain('field: --since');
  });
});

describe('weisu audit export on the embedded store (--config data_dir)', () => {
  it('reads the data_dir the config names', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weisu-cli-audit-'));
    const db = await openDb({ dataDir: join(dir, 'db') });
    await fill(db);
    await db.close();
    const config = join(dir, 'weisu.yaml');
    writeFileSync(config, `data_dir: ${dir}\npublic_url: http://127.0.0.1:8080\n`);
    const r = await weisu(['audit', 'export', '--config', config], { DATABASE_URL: undefined });
    expect(r.code, r.out).toBe(0);
    expect(parse(r.out).map((e) => e.entity)).toEqual(['user', 'incident', 'incident']);
  }, 60_000);
});
