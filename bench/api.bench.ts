import type { BenchTable } from './index.js';
import { buildApi } from '../api/server.js';
import { parseConfig } from '../config/load.js';
import { openDb, type Db } from '../store/db.js';
import { issueToken, createUser } from '../store/users.js';
import { withPostgresDatabase } from '../test/support/postgres.js';

/**
 * Registering a city's cameras through the API: one bulk import of N cameras (each with a zone), then
 * reading them all back page by page, and single-camera reads — on PGlite and on the PostgreSQL server.
 */
export const title = 'API: bulk camera import and listing (cameras with one zone each)';

const N = 2000;

function cameras(n: number): unknown[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `cam-${String(i).padStart(5, '0')}`,
    name: `Camera ${i}`,
    url: `rtsp://viewer:secret@10.${(i >> 8) & 255}.${i & 255}.1/stream1`,
    location: { lat: 40 + i / 1e4, lon: 124 + i / 1e4, address: `Road ${i}` },
    sample_every: '10s',
    zones: [{ id: 'curb', kind: 'no_parking', polygon: [[0.1, 0.5], [0.6, 0.5], [0.6, 0.95], [0.1, 0.95]], dwell: '5m' }],
  }));
}

async function measure(kind: string, db: Db): Promise<(string | number)[]> {
  const config = parseConfig('public_url: http://127.0.0.1:8080\nserver: { rate_limit: { max: 1000000 } }\n', 'bench', {});
  await createUser(db, { username: 'bench', password: 'bench-password', role: 'admin' }, 'bench');
  const { token } = await issueToken(db, { username: 'bench', kind: 'api', name: 'bench' }, 'bench');
  const app = await buildApi({ db, config });
  const headers = { authorization: `Bearer ${token}` };
  try {
    let t = performance.now();
    const res = await app.inject({ method: 'POST', url: '/api/v1/cameras/import', headers, payload: { cameras: cameras(N) } });
    const importMs = performance.now() - t;
    if (res.statusCode !== 200 || res.json().created.length !== N) throw new Error(`import failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
    t = performance.now();
    let cursor: string | null = null;
    let seen = 0;
    do {
      const page = (await app.inject({ method: 'GET', url: `/api/v1/cameras?limit=500${cursor ? `&cursor=${cursor}` : ''}`, headers })).json() as { items: unknown[]; next_cursor: string | null };
      seen += page.items.length;
      cursor = page.next_cursor;
    } while (cursor);
    const listMs = performance.now() - t;
    if (seen !== N) throw new Error(`listed ${seen} of ${N}`);
    t = performance.now();
    for (let i = 0; i < 200; i++) await app.inject({ method: 'GET', url: `/api/v1/cameras/cam-${String((i * 7) % N).padStart(5, '0')}`, headers });
    const getMs = (performance.now() - t) / 200;
    return [kind, N, Math.round(importMs), Math.round((N / importMs) * 1000), Math.round(listMs), getMs];
  } finally {
    await app.close();
  }
}

export async function run(): Promise<BenchTable> {
  const rows: (string | number)[][] = [];
  const lite = await openDb({});
  try {
    rows.push(await measure('pglite', lite));
  } finally {
    await lite.close();
  }
  const pg = await withPostgresDatabase();
  const server = await openDb({ databaseUrl: pg.url });
  try {
    rows.push(await measure('postgres', server));
  } finally {
    await server.close();
    await pg.drop();
  }
  return {
    columns: ['store', 'cameras', 'import ms', 'cameras/s', 'list all (500/page) ms', 'GET one ms'],
    rows,
    notes: ['One POST /api/v1/cameras/import with every camera (validated per row, one transaction), then GET /api/v1/cameras page by page, then 200 single GETs.'],
  };
}
