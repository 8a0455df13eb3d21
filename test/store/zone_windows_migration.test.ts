import { afterAll, describe, expect, it } from 'vitest';
import { allCameras } from '../../store/cameras.js';
import { sql } from '../../store/migrations/301_zone_windows_in_time.js';
import { openTestDb, STORE_KINDS } from '../support/postgres.js';

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

const polygon = [[0.1, 0.5], [0.9, 0.5], [0.9, 0.9], [0.1, 0.9]];

describe.each(STORE_KINDS)('migration 301 on %s: clear_grace counted in samples becomes the time it meant', (kind) => {
  it('multiplies by the camera sample_every (10s when unset) and leaves durations and bin sites alone', async () => {
    const { db, close } = await openTestDb(kind);
    closers.push(close);
    // Rows as an earlier weisu stored them (the schema of today would refuse the numbers).
    const camera = (id: string, every?: string) =>
      db.query(`INSERT INTO cameras (id, spec, enabled, managed_by) VALUES ($1, $2, true, 'api')`, [
        id,
        JSON.stringify({ url: 'rtsp://10.0.0.1/x', location: { lat: 1, lon: 2 }, ...(every ? { sample_every: every } : {}) }),
      ]);
    const zone = (cam: string, id: string, spec: Record<string, unknown>) =>
      db.query(`INSERT INTO zones (camera_id, id, kind, spec, managed_by, position) VALUES ($1, $2, $3, $4, 'api', 0)`, [cam, id, spec.kind, JSON.stringify({ id, polygon, ...spec })]);
    await camera('two', '2s');
    await camera('plain');
    await camera('minute', '1m');
    await zone('two', 'kerb', { kind: 'no_parking', dwell: '30s', clear_grace: 3 });
    await zone('plain', 'kerb', { kind: 'no_parking', dwell: '30s', clear_grace: 3 });
    await zone('minute', 'kerb', { kind: 'no_parking', dwell: '5m', clear_grace: 2 });
    await zone('minute', 'timed', { kind: 'no_parking', dwell: '5m', clear_grace: '45s' });
    await zone('minute', 'bins', { kind: 'bin_site', persist: 4 });
    await db.exec(sql);

    const stored = new Map((await allCameras(db)).flatMap((c) => c.zones.map((z) => [`${c.id}/${z.id}`, z] as const)));
    expect(stored.get('two/kerb')).toMatchObject({ clear_grace: 6_000 });
    expect(stored.get('plain/kerb')).toMatchObject({ clear_grace: 30_000 });
    expect(stored.get('minute/kerb')).toMatchObject({ clear_grace: 120_000 });
    expect(stored.get('minute/timed')).toMatchObject({ clear_grace: 45_000 });
    expect(stored.get('minute/bins')).toMatchObject({ persist: { samples: 4 } });
  }, 180_000);
});
