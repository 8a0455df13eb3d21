import { randomBytes } from 'node:crypto';
import { openDb, type Db } from '../../store/db.js';

/** The PostgreSQL server on this machine (trust auth); each test run gets its own database, dropped after. */
export const PG_ADMIN = process.env.WEISU_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function withPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = await openDb({ databaseUrl: PG_ADMIN });
  const name = `weisu_t_${randomBytes(4).toString('hex')}`;
  await admin.exec(`CREATE DATABASE ${name}`);
  await admin.close();
  const url = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  return {
    url,
    drop: async () => {
      const a = await openDb({ databaseUrl: PG_ADMIN });
      await a.exec(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.close();
    },
  };
}

export type StoreKind = 'pglite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['pglite', 'postgres'];

/** A migrated, empty store of either kind; `close` also drops the PostgreSQL database. */
export async function openTestDb(kind: StoreKind): Promise<{ db: Db; close: () => Promise<void> }> {
  if (kind === 'pglite') {
    const db = await openDb({});
    return { db, close: () => db.close() };
  }
  const pg = await withPostgresDatabase();
  const db = await openDb({ databaseUrl: pg.url });
  return {
    db,
    close: async () => {
      await db.close();
      await pg.drop();
    },
  };
}
