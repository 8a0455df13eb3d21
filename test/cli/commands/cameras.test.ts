import { mkdtempSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../api/server.js';
import { parseConfig } from '../../../config/load.js';
import { allCameras } from '../../../store/cameras.js';
import { openDb, type Db } from '../../../store/db.js';
import { media } from '../../support/paths.js';
import { withPostgresDatabase } from '../../support/postgres.js';
import { spawnWeisu } from '../../support/weisu.js';

/** `weisu cameras` and `weisu users` as real processes on a PostgreSQL store shared with this test. */
let pg: Awaited<ReturnType<typeof withPostgresDatabase>>;
let db: Db;
let dir: string;

async function weisu(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const p = spawnWeisu(args, { DATABASE_URL: pg.url, ...env });
  const { code } = await p.exited;
  return { code, out: p.output() };
}

beforeAll(async () => {
  pg = await withPostgresDatabase();
  db = await openDb({ databaseUrl: pg.url });
  dir = mkdtempSync(join(tmpdir(), 'weisu-cli-cameras-'));
});
afterAll(async () => {
  await db?.close();
  await pg?.drop();
});

describe('weisu cameras import / list', () => {
  it('reports each bad row with its line and field, applies the valid rows, never prints a password', async () => {
    const file = join(dir, 'cams.csv');
    writeFileSync(
      file,
      [
        'id,name,url,password,lat,lon,address,sample_every',
        'gate-a,Gate A,rtsp://admin:csv-secret@10.0.0.1/a,,40.1,124.3,"Jinjiang Rd 1, north",10s',
        'gate-b,Gate B,rtsp://10.0.0.2/b,field-secret,abc,124.3,,10s',
        'gate-c,"Two',
        'line name",rtsp://10.0.0.3/c,,40.1,124.3,,5x',
        'gate-d,Gate D,clips/d.mp4,,40.1,124.3,,30s',
        'gate-a,dup,rtsp://10.0.0.4/d,,40.1,124.3,,10s',
      ].join('\n'),
    );
    const r = await weisu(['cameras', 'import', file]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`${file}:3: row 2: lat: `);
    expect(r.out).toContain(`${file}:4: row 3: sample_every: `);
    expect(r.out).toContain(`${file}:7: row 5: id: camera id "gate-a" was already used by row 1`);
    expect(r.out).toMatch(/2 created, 0 updated, 3 row\(s\) with errors/);
    // Long imports show progress on stderr (a line per quarter when it is not a terminal).
    expect(r.out).toContain('weisu cameras import: 100%  2/2 cameras');
    expect(r.out).not.toMatch(/csv-secret|field-secret/);
    const stored = await allCameras(db);
    expect(stored.map((c) => c.id)).toEqual(['gate-a', 'gate-d']);
    expect(stored[0]!.location.address).toBe('Jinjiang Rd 1, north');
    // A file path in the import is relative to the imported file.
    expect(stored[1]!.url).toBe(join(dir, 'clips/d.mp4'));

    const list = await weisu(['cameras', 'list', '--json']);
    expect(JSON.parse(list.out)).toEqual([
      expect.objectContaining({ id: 'gate-a', url: 'rtsp://admin:***@10.0.0.1/a', managed_by: 'api' }),
      expect.objectContaining({ id: 'gate-d' }),
    ]);
  });

  it('a YAML file with only bad rows imports nothing; --dry-run writes nothing', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'cameras:\n  - id: Bad_Id\n    url: rtsp://x/y\n    location: { lat: 1, lon: 2 }\n  - id: ok-one\n    url: rtsp://x/y\n    location: { lat: 1, lon: 2 }\n    zones: [{ id: z, kind: no_parking, polygon: [[0,0],[1,1],[1,0],[0,1]], dwell: 1m }]\n');
    const r = await weisu(['cameras', 'import', file]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`${file}:2: row 1: id: `);
    expect(r.out).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:8: row 2: zones\\[0\\]\\.polygon: .*cross`));
    expect(r.out).toContain('no valid rows; nothing imported');
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify([{ id: 'json-one', url: 'rtsp://10.9.9.9/x', location: { lat: 1, lon: 2 } }]));
    const dry = await weisu(['cameras', 'import', good, '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('dry run, nothing written: would create 1, update 0, 0 row(s) with errors');
    expect(dry.out).toContain('weisu cameras import (dry run): 100%  1/1 cameras');
    expect((await allCameras(db)).map((c) => c.id)).not.toContain('json-one');
  });

  it('imports through a running API with a token (for an embedded store in use by weisu serve)', async () => {
    const config = parseConfig('public_url: http://127.0.0.1:8080\n', 'test', {});
    const app = await buildApi({ db, config });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const created = await weisu(['users', 'create', 'integ', '--role', 'integrator'], { WEISU_PASSWORD: 'integrator-password' });
      expect(created.out).toContain('user integ created with role integrator');
      const tok = await weisu(['users', 'token', 'integ', '--name', 'provisioning', '--expires', '30d']);
      const token = tok.out.match(/^wsu_[0-9a-f]{16}_\S+$/m)?.[0];
      expect(token, tok.out).toBeDefined();
      const file = join(dir, 'remote.csv');
      writeFileSync(file, 'id,url,lat,lon\nremote-1,rtsp://10.1.1.1/a,1,2\nremote-2,rtsp://10.1.1.2/a,1,north\n');
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const r = await weisu(['cameras', 'import', file, '--server', url], { WEISU_TOKEN: token! });
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain(`${file}:3: row 2: lon: `);
      expect(r.out).toMatch(/1 created, 0 updated, 1 row\(s\) with errors/);
      const denied = await weisu(['cameras', 'import', file, '--server', url], { WEISU_TOKEN: 'wsu_0000000000000000_' + 'A'.repeat(43) });
      expect(denied.code).toBe(1);
      expect(denied.out).toContain('401');
    } finally {
      await app.close();
    }
  });
});

describe('weisu cameras probe', () => {
  it('prints codec, resolution, fps and latency of a video and saves a frame', async () => {
    const out = join(dir, 'frame.jpg');
    const r = await weisu(['cameras', 'probe', media('video/video_road_cars_9s.mp4'), '--out', out]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/codec\s+h264/);
    expect(r.out).toMatch(/resolution\s+1280x720/);
    expect(r.out).toMatch(/latency\s+\d+ ms to first frame/);
    expect(await sharp(out).metadata()).toMatchObject({ format: 'jpeg', width: 1280, height: 720 });
  });

  it('names the failure and redacts the password of an unreachable camera', async () => {
    const r = await weisu(['cameras', 'probe', 'rtsp://admin:probe-secret@127.0.0.1:1/stream']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('rtsp://admin:***@127.0.0.1:1/stream');
    expect(r.out).not.toContain('probe-secret');
    expect(r.out).toMatch(/field: url/);
  });
});
