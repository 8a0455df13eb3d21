import { mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { log } from '../core/log.js';
import { acquireStoreLock, type StoreLock } from './lock.js';

/**
 * The store's connection: embedded PGlite (PostgreSQL in WASM) by default, a PostgreSQL server when
 * DATABASE_URL is set. Both speak the same SQL, so every query in store/ runs on either.
 * This folder is the only one that writes SQL.
 */
export interface Db {
  readonly kind: 'pglite' | 'postgres';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Several statements, no parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Runs fn in one transaction; rolls back if it throws. */
  tx<T>(fn: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /** The embedded store's owner lock (`<data_dir>/db.lock`); absent in memory and on a PostgreSQL server. */
  readonly lock?: StoreLock;
}

export interface DbOptions {
  /** postgres://... ; when unset, PGlite. */
  databaseUrl?: string;
  /** PGlite data directory; when unset (tests), an in-memory database. */
  dataDir?: string;
}

export async function openDb(opts: DbOptions): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir);
  await migrate(db);
  return db;
}

async function openPglite(dataDir?: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One owner, taken before PGlite touches the files (store/lock.ts says why).
  const lock = dataDir ? acquireStoreLock(`${dataDir}.lock`) : undefined;
  const pg = await (dataDir ? PGlite.create(dataDir) : PGlite.create()).catch((e: unknown) => {
    lock?.release();
    throw e;
  });
  type Q = Pick<typeof pg, 'query' | 'exec'>;
  const wrap = (q: Q, inTx: boolean): Db => ({
    kind: 'pglite',
    ...(lock && !inTx ? { lock } : {}),
    async query<T>(sql: string, params: unknown[] = []) {
      return (await q.query<T>(sql, params)).rows;
    },
    async exec(sql: string) {
      await q.exec(sql);
    },
    async tx<T>(fn: (db: Db) => Promise<T>) {
      // PGlite has one connection: a nested tx simply joins the open one.
      if (inTx) return fn(wrap(q, true));
      return pg.transaction((t) => fn(wrap(t, true)));
    },
    async close() {
      if (inTx) return;
      try {
        await pg.close();
      } finally {
        lock?.release();
      }
    },
  });
  return wrap(pg, false);
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pgmod } = await import('pg');
  const pool = new pgmod.Pool({ connectionString: url, max: 10 });
  pool.on('error', (e) => log.warn({ err: e.message }, 'postgres pool error'));
  type Client = Pick<InstanceType<typeof pgmod.Pool>, 'query'>;
  const wrap = (c: Client, inTx: boolean): Db => ({
    kind: 'postgres',
    async query<T>(sql: string, params: unknown[] = []) {
      return (await c.query(sql, params)).rows as T[];
    },
    async exec(sql: string) {
      await c.query(sql);
    },
    async tx<T>(fn: (db: Db) => Promise<T>) {
      if (inTx) return fn(wrap(c, true));
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const out = await fn(wrap(client, true));
        await client.query('COMMIT');
        return out;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        client.release();
      }
    },
    async close() {
      if (!inTx) await pool.end();
    },
  });
  return wrap(pool, false);
}

/**
 * Migrations are the files in store/migrations/, applied once each in name order. Each exports `sql`.
 * Numbering leaves room per owner: 0xx core, 1xx alerts, 2xx api, 3xx rules, 4xx plates.
 */
export async function migrate(db: Db): Promise<string[]> {
  await db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
  const dir = new URL('./migrations/', import.meta.url);
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const names = readdirSync(fileURLToPath(dir))
    .filter((f) => f.endsWith(ext) && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -ext.length))
    .sort();
  const done = new Set((await db.query<{ name: string }>('SELECT name FROM schema_migrations')).map((r) => r.name));
  const applied: string[] = [];
  for (const name of names) {
    if (done.has(name)) continue;
    const { sql } = (await import(new URL(`${name}${ext}`, dir).href)) as { sql: string };
    await db.tx(async (t) => {
      // Two processes starting at once against one server: the lock makes the second wait, then skip.
      if (db.kind === 'postgres') await t.exec('LOCK TABLE schema_migrations IN EXCLUSIVE MODE');
      const again = await t.query('SELECT 1 FROM schema_migrations WHERE name = $1', [name]);
      if (again.length) return;
      await t.exec(sql);
      await t.query('INSERT INTO schema_migrations (name) VALUES ($1)', [name]);
    });
    applied.push(name);
  }
  return applied;
}

/**
 * Where a process finds the store: DATABASE_URL when set, else the embedded database under the data
 * directory (`<data_dir>/db`). One embedded database belongs to one process at a time.
 */
export function storeOptions(dataDir: string, env: NodeJS.ProcessEnv = process.env): DbOptions {
  return env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: join(resolve(dataDir), 'db') };
}
