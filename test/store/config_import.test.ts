import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCamera, deleteCamera, getCamera, putZone, replaceCamera, type CameraInput } from '../../store/cameras.js';
import { importConfigCameras, importConfigFile, readConfigCameras } from '../../store/config_import.js';
import type { Db } from '../../store/db.js';
import { openTestDb, STORE_KINDS } from '../support/postgres.js';

const square = (x: number) => [[x, 0.2], [x + 0.2, 0.2], [x + 0.2, 0.6], [x, 0.6]];

function cam(id: string, extra: Partial<CameraInput> = {}): CameraInput {
  return {
    id,
    url: `rtsp://user:pw-${id}@10.1.0.1/${id}`,
    location: { lat: 40.1, lon: 124.3 },
    zones: [{ id: 'gate', kind: 'no_parking', polygon: square(0.1) as [number, number][], dwell: '5m' }],
    ...extra,
  } as CameraInput;
}

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of closers) await c();
});

describe.each(STORE_KINDS)('config-as-code import on %s', (kind) => {
  async function open(): Promise<Db> {
    const t = await openTestDb(kind);
    closers.push(t.close);
    return t.db;
  }

  it('the file wins for what it defines; API additions persist; cameras dropped from the file go', async () => {
    const db = await open();
    expect(await importConfigCameras(db, [cam('a'), cam('b')])).toMatchObject({ created: ['a', 'b'], updated: [], removed: [] });
    // A restart with the same file writes nothing (and audits nothing).
    const auditBefore = (await db.query('SELECT count(*)::int AS n FROM audit'))[0];
    expect(await importConfigCameras(db, [cam('a'), cam('b')])).toMatchObject({ created: [], updated: [], unchanged: ['a', 'b'] });
    expect((await db.query('SELECT count(*)::int AS n FROM audit'))[0]).toEqual(auditBefore);

    // The API cannot change config-managed cameras or their file zones...
    await expect(replaceCamera(db, { ...cam('a'), name: 'edited' }, 'api', 'user:x')).rejects.toMatchObject({ code: 'managed_by_config' });
    await expect(deleteCamera(db, 'a', 'user:x')).rejects.toMatchObject({ code: 'managed_by_config' });
    await expect(putZone(db, 'a', { id: 'gate', kind: 'no_parking', polygon: square(0.3) as [number, number][], dwell: '1m' }, 'user:x')).rejects.toMatchObject({ code: 'managed_by_config' });
    // ...but may add zones to them, which survive a restart.
    expect(await putZone(db, 'a', { id: 'curb', kind: 'no_parking', polygon: square(0.5) as [number, number][], dwell: '2m' }, 'user:x')).toBe('created');
    await importConfigCameras(db, [cam('a'), cam('b')]);
    let a = (await getCamera(db, 'a'))!;
    expect(a.zoneManagedBy).toEqual({ gate: 'config', curb: 'api' });
    expect(a.camera.zones.map((z) => z.id)).toEqual(['gate', 'curb']);

    // The file now defines "curb" too: the file's zone replaces the API's.
    const withCurb = cam('a', { zones: [...cam('a').zones!, { id: 'curb', kind: 'no_parking', polygon: square(0.6) as [number, number][], dwell: '10m' }] });
    expect(await importConfigCameras(db, [withCurb, cam('b')])).toMatchObject({ updated: ['a'] });
    a = (await getCamera(db, 'a'))!;
    expect(a.zoneManagedBy).toEqual({ gate: 'config', curb: 'config' });
    expect(a.camera.zones.find((z) => z.id === 'curb')).toMatchObject({ dwell: 600_000 });

    // An API camera the file later lists is taken over by the file (and becomes read-only).
    await createCamera(db, cam('c', { name: 'from api' }), 'api', 'user:x');
    const r = await importConfigCameras(db, [withCurb, cam('c', { name: 'from file' })]);
    expect(r).toMatchObject({ tookOver: ['c'], removed: ['b'] });
    expect(await getCamera(db, 'b')).toBeUndefined();
    const c = (await getCamera(db, 'c'))!;
    expect(c.managedBy).toBe('config');
    expect(c.camera.name).toBe('from file');

    // API-managed cameras the file never mentions persist.
    await createCamera(db, cam('d'), 'api', 'user:x');
    await importConfigCameras(db, [withCurb]);
    expect((await getCamera(db, 'd'))?.managedBy).toBe('api');
    expect(await getCamera(db, 'c')).toBeUndefined();
  });

  it('reads the file as written: durations stay text, ${VAR} expands, relative paths resolve beside the file', async () => {
    const db = await open();
    const dir = mkdtempSync(join(tmpdir(), 'weisu-cfg-'));
    const path = join(dir, 'weisu.yaml');
    writeFileSync(
      path,
      `public_url: http://127.0.0.1:8080
cameras:
  - id: file-cam
    url: clips/gate.mp4
    location: { lat: 1, lon: 2 }
    sample_every: 30s
    zones:
      - { id: gate, kind: no_parking, polygon: [[0.1,0.1],[0.5,0.1],[0.5,0.5]], dwell: 3m, schedule: { windows: ["mon-fri 07:00-19:00"] } }
  - id: rtsp-cam
    url: rtsp://admin:\${CAM_PASSWORD}@10.0.0.9/stream
    location: { lat: 1, lon: 2 }
`,
    );
    const inputs = readConfigCameras(path, { CAM_PASSWORD: 's3cret' });
    expect(inputs[0]).toMatchObject({ url: join(dir, 'clips/gate.mp4'), sample_every: '30s', zones: [{ dwell: '3m', schedule: { windows: ['mon-fri 07:00-19:00'] } }] });
    expect(inputs[1]!.url).toBe('rtsp://admin:s3cret@10.0.0.9/stream');
    const result = await importConfigFile(db, path, { CAM_PASSWORD: 's3cret' });
    expect(result.created).toEqual(['file-cam', 'rtsp-cam']);
    const stored = (await getCamera(db, 'file-cam'))!;
    expect(stored.input.sample_every).toBe('30s');
    expect(stored.camera.sample_every).toBe(30_000);
    // The audit trail never holds the URL or its password.
    expect(JSON.stringify(await db.query('SELECT * FROM audit'))).not.toContain('s3cret');
  });

  it('an invalid camera in the import names the field and writes nothing', async () => {
    const db = await open();
    const bad = cam('bad', { location: { lat: 95, lon: 2 } });
    await expect(importConfigCameras(db, [cam('ok'), bad])).rejects.toMatchObject({ issues: [{ field: 'location.lat' }] });
    expect(await db.query('SELECT id FROM cameras')).toEqual([]);
  });
});
