import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDb, type Db } from '../../store/db.js';
import { audit } from '../../store/audit.js';
import { withPostgresDatabase } from '../support/postgres.js';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe.each(['pglite', 'postgres'] as const)('store on %s', (kind) => {
  async function open(): Promise<Db> {
    if (kind === 'pglite') return openDb({});
    const pg = await withPostgresDatabase();
    const db = await openDb({ databaseUrl: pg.url });
    cleanups.push(async () => {
      await db.close();
      await pg.drop();
    });
    return db;
  }

  it('applies migrations once and records them', async () => {
    const db = await open();
    const names = (await db.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).map((r) => r.name);
    expect(names).toContain('000_audit');
    expect(await migrate(db)).toEqual([]);
  });

  it('rolls a failed transaction back entirely', async () => {
    const db = await open();
    await expect(
      db.tx(async (t) => {
        await audit(t, { actor: 'test', entity: 'camera', entityId: 'a', action: 'created' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.query('SELECT * FROM audit')).toHaveLength(0);
    await db.tx((t) => audit(t, { actor: 'test', entity: 'camera', entityId: 'a', action: 'created', data: { x: 1 } }));
    const rows = await db.query<{ actor: string; data: unknown }>('SELECT actor, data FROM audit');
    expect(rows).toEqual([{ actor: 'test', data: { x: 1 } }]);
  });
});
