import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCamera } from '../../store/cameras.js';
import { importConfigCameras } from '../../store/config_import.js';
import { media } from '../support/paths.js';
import { STORE_KINDS } from '../support/postgres.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

const JPEG = readFileSync(media('street/parked_car_in_bay.jpg'));

describe.each(STORE_KINDS)('cameras API on %s', (kind) => {
  let h: Harness;
  let changes = 0;
  const call = (method: string, url: string, payload?: unknown, token = h.tokens.admin) =>
    h.app.inject({ method: method as 'GET', url, headers: auth(token), ...(payload === undefined ? {} : { payload: payload as object }) });

  beforeAll(async () => {
    h = await startApi(kind, {
      deps: {
        onCamerasChanged: () => changes++,
        snapshot: async (id) => (id === 'cam-1' ? JPEG : undefined),
        health: async (id) => (id === 'cam-1' ? { state: 'degraded', consecutiveFailures: 2, lastFrameAt: Date.parse('2026-11-26T01:00:00Z'), lastError: 'rtsp://admin:leak@10.0.0.1/x: Connection refused' } : undefined),
      },
    });
  });
  afterAll(async () => h?.close());

  it('registers a camera and shows it back as written, credentials redacted and the password write-only', async () => {
    const before = changes;
    const res = await call('POST', '/api/v1/cameras', cameraBody('cam-1'));
    expect(res.statusCode, res.body).toBe(201);
    expect(changes).toBe(before + 1);
    const got = (await call('GET', '/api/v1/cameras/cam-1', undefined, h.tokens.viewer)).json();
    expect(got).toMatchObject({
      id: 'cam-1',
      url: 'rtsp://admin:***@127.0.0.1:8554/cam-1',
      username: 'admin',
      has_password: true,
      sample_every: '10s',
      managed_by: 'api',
      zones: [{ id: 'gate', kind: 'no_parking', dwell: '5m' }],
      zones_managed_by: { gate: 'api' },
    });
    expect(got).not.toHaveProperty('password');
    // The store keeps the real URL and password for the workers.
    const stored = (await getCamera(h.db, 'cam-1'))!.camera;
    expect(stored.url).toBe('rtsp://admin:url-secret-cam-1@127.0.0.1:8554/cam-1');
    expect(stored.password).toBe('field-secret-cam-1');
  });

  it('refuses a second camera with the same id, naming the field', async () => {
    const res = await call('POST', '/api/v1/cameras', cameraBody('cam-1'));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ field: 'id', type: 'urn:weisu:problem:conflict' });
  });

  it('PATCH merges; the redacted URL sent back keeps the stored credentials; null removes a field', async () => {
    const current = (await call('GET', '/api/v1/cameras/cam-1')).json();
    const res = await call('PATCH', '/api/v1/cameras/cam-1', { url: current.url, name: null, location: { address: 'Jinjiang Rd 3' }, sample_every: '30s' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ location: { lat: 40.129, lon: 124.394, address: 'Jinjiang Rd 3' }, sample_every: '30s', revision: 2 });
    expect(res.json()).not.toHaveProperty('name');
    const stored = (await getCamera(h.db, 'cam-1'))!.camera;
    expect(stored.url).toBe('rtsp://admin:url-secret-cam-1@127.0.0.1:8554/cam-1');
    expect(stored.sample_every).toBe(30_000);
    // A bad value after merging names its field and changes nothing.
    const bad = await call('PATCH', '/api/v1/cameras/cam-1', { location: { lat: 123 } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors).toEqual([expect.objectContaining({ field: 'location.lat' })]);
    expect((await getCamera(h.db, 'cam-1'))!.revision).toBe(2);
  });

  it('pages through cameras with a cursor, each once', async () => {
    for (const id of ['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e']) expect((await call('POST', '/api/v1/cameras', cameraBody(id))).statusCode).toBe(201);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await call('GET', `/api/v1/cameras?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const body = res.json() as { items: { id: string }[]; next_cursor: string | null };
      seen.push(...body.items.map((c) => c.id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(seen).toEqual([...seen].sort());
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expect.arrayContaining(['pg-a', 'pg-b', 'pg-c', 'pg-d', 'pg-e', 'cam-1']));
    expect(pages).toBe(Math.ceil(seen.length / 2));
    expect((await call('GET', '/api/v1/cameras?q=PG-C')).json().items.map((c: { id: string }) => c.id)).toEqual(['pg-c']);
    expect((await call('GET', '/api/v1/cameras?q=50%25_')).json().items).toEqual([]);
    const bad = await call('GET', '/api/v1/cameras?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().field).toBe('cursor');
  });

  it('zones: create, replace, delete; the body id must match the path', async () => {
    const zone = { id: 'curb', kind: 'no_parking', polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8]], dwell: '2m', schedule: { windows: ['mon-fri 07:00-19:00'] } };
    expect((await call('PUT', '/api/v1/cameras/pg-a/zones/curb', zone, h.tokens.operator)).statusCode).toBe(201);
    expect((await call('PUT', '/api/v1/cameras/pg-a/zones/curb', { ...zone, dwell: '3m' }, h.tokens.operator)).statusCode).toBe(200);
    const cam = (await call('GET', '/api/v1/cameras/pg-a')).json();
    expect(cam.zones.map((z: { id: string }) => z.id)).toEqual(['gate', 'curb']);
    expect(cam.zones[1]).toMatchObject({ dwell: '3m', schedule: { windows: ['mon-fri 07:00-19:00'] } });
    const mismatch = await call('PUT', '/api/v1/cameras/pg-a/zones/other', zone, h.tokens.operator);
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json().field).toBe('id');
    expect((await call('PUT', '/api/v1/cameras/nope/zones/curb', zone)).statusCode).toBe(404);
    expect((await call('DELETE', '/api/v1/cameras/pg-a/zones/curb', undefined, h.tokens.operator)).statusCode).toBe(204);
    expect((await call('DELETE', '/api/v1/cameras/pg-a/zones/curb', undefined, h.tokens.operator)).json()).toMatchObject({ status: 404, field: 'zoneId' });
  });

  it('If-Match: a write based on an old revision is refused with 412 and changes nothing', async () => {
    const got = await call('GET', '/api/v1/cameras/pg-b');
    const etag = got.headers.etag as string;
    expect(etag).toMatch(/^"\d+"$/);
    const zone = { id: 'curb', kind: 'no_parking', polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8]], dwell: '2m' };
    const first = await h.app.inject({ method: 'PUT', url: '/api/v1/cameras/pg-b/zones/curb', headers: { ...auth(h.tokens.operator), 'if-match': etag }, payload: zone });
    expect(first.statusCode).toBe(201);
    expect(first.headers.etag).not.toBe(etag);
    // A second operator still holding the old revision.
    const second = await h.app.inject({ method: 'PUT', url: '/api/v1/cameras/pg-b/zones/curb', headers: { ...auth(h.tokens.operator), 'if-match': etag }, payload: { ...zone, dwell: '9m' } });
    expect(second.statusCode).toBe(412);
    expect(second.json()).toMatchObject({ type: 'urn:weisu:problem:stale', field: 'if-match' });
    expect((await call('GET', '/api/v1/cameras/pg-b')).json().zones[1]).toMatchObject({ dwell: '2m' });
    const stalePatch = await h.app.inject({ method: 'PATCH', url: '/api/v1/cameras/pg-b', headers: { ...auth(h.tokens.admin), 'if-match': etag }, payload: { name: 'x' } });
    expect(stalePatch.statusCode).toBe(412);
    const badHeader = await h.app.inject({ method: 'PATCH', url: '/api/v1/cameras/pg-b', headers: { ...auth(h.tokens.admin), 'if-match': 'yesterday' }, payload: { name: 'x' } });
    expect(badHeader.json()).toMatchObject({ status: 400, errors: [{ field: 'if-match', in: 'headers' }] });
    expect((await h.app.inject({ method: 'DELETE', url: '/api/v1/cameras/pg-b/zones/curb', headers: { ...auth(h.tokens.operator), 'if-match': first.headers.etag as string } })).statusCode).toBe(204);
  });

  it('config-managed cameras are read-only here, but take API zones', async () => {
    await importConfigCameras(h.db, [{ ...cameraBody('from-file'), password: undefined } as never]);
    expect((await call('PATCH', '/api/v1/cameras/from-file', { name: 'x' })).json()).toMatchObject({ status: 409, type: 'urn:weisu:problem:managed_by_config' });
    expect((await call('DELETE', '/api/v1/cameras/from-file')).statusCode).toBe(409);
    const fileZone = { id: 'gate', kind: 'no_parking', polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]], dwell: '1m' };
    expect((await call('PUT', '/api/v1/cameras/from-file/zones/gate', fileZone, h.tokens.operator)).statusCode).toBe(409);
    expect((await call('PUT', '/api/v1/cameras/from-file/zones/extra', { ...fileZone, id: 'extra' }, h.tokens.operator)).statusCode).toBe(201);
    expect((await call('GET', '/api/v1/cameras/from-file')).json()).toMatchObject({ managed_by: 'config', zones_managed_by: { gate: 'config', extra: 'api' } });
  });

  it('bulk import: per-row errors with row and field, valid rows applied, modes', async () => {
    const rows = [cameraBody('imp-1'), { ...cameraBody('imp-2'), location: { lat: 'north', lon: 1 } }, { ...cameraBody('imp-3'), colour: 'red' }, cameraBody('from-file')];
    const res = await call('POST', '/api/v1/cameras/import', { cameras: rows }, h.tokens.integrator);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      created: ['imp-1'],
      errors: [
        { row: 2, field: 'location.lat' },
        { row: 3, field: 'colour' },
        { row: 4, field: 'id', message: expect.stringContaining('configuration file') },
      ],
    });
    const csv = 'id,name,url,lat,lon,address,sample_every\nimp-1,Renamed,rtsp://10.0.0.1/a,40.1,124.3,"Rd 1, north",10s\nimp-9,Nine,rtsp://10.0.0.9/a,abc,124.3,,10s\n';
    // A dry run answers what would happen and writes nothing: no camera created, none changed.
    // The live link is signed afresh on every read: the camera itself is what must not change.
    const stored = async (id: string) => ({ ...(await call('GET', `/api/v1/cameras/${id}`)).json(), live_url: undefined });
    const before = await stored('imp-1');
    const dry = await call('POST', '/api/v1/cameras/import?dry_run=true', { format: 'csv', content: `${csv}dry-new,New,rtsp://10.0.0.7/a,40.1,124.3,,10s\n` });
    expect(dry.json()).toMatchObject({ dry_run: true, created: ['dry-new'], updated: ['imp-1'], errors: [{ row: 2, field: 'lat' }] });
    expect((await call('GET', '/api/v1/cameras/dry-new')).statusCode).toBe(404);
    expect(await stored('imp-1')).toEqual(before);
    const upsert = await call('POST', '/api/v1/cameras/import', { format: 'csv', content: csv });
    expect(upsert.json()).toMatchObject({ dry_run: false, updated: ['imp-1'], errors: [{ row: 2, line: 3, field: 'lat' }] });
    expect((await call('GET', '/api/v1/cameras/imp-1')).json()).toMatchObject({ name: 'Renamed', location: { address: 'Rd 1, north' } });
    const create = await call('POST', '/api/v1/cameras/import?mode=create', { format: 'csv', content: csv.split('\n').slice(0, 2).join('\n') });
    expect(create.statusCode).toBe(422);
    expect(create.json().errors).toEqual([expect.objectContaining({ row: 1, field: 'id' })]);
    const yaml = 'cameras:\n  - id: y-1\n    url: rtsp://10.0.0.5/a\n    location: { lat: 1, lon: 2 }\n  - id: y-2\n    url: rtsp://10.0.0.6/a\n    location:\n      lat: 1\n      lon: 200\n';
    const y = await call('POST', '/api/v1/cameras/import', { format: 'yaml', content: yaml });
    expect(y.json()).toMatchObject({ created: ['y-1'], errors: [{ row: 2, line: 9, field: 'location.lon' }] });
  });

  it('latest snapshot as JPEG; health in the API spelling with errors redacted', async () => {
    const snap = await call('GET', '/api/v1/cameras/cam-1/snapshot', undefined, h.tokens.viewer);
    expect(snap.statusCode).toBe(200);
    expect(snap.headers['content-type']).toBe('image/jpeg');
    expect(snap.rawPayload.equals(JPEG)).toBe(true);
    expect((await call('GET', '/api/v1/cameras/pg-b/snapshot')).json()).toMatchObject({ status: 409, type: 'urn:weisu:problem:no_frame' });
    const health = (await call('GET', '/api/v1/cameras/cam-1/health')).json();
    expect(health).toMatchObject({ camera_id: 'cam-1', state: 'degraded', consecutive_failures: 2, last_frame_at: '2026-11-26T01:00:00.000Z' });
    expect(health.last_error).toBe('rtsp://admin:***@10.0.0.1/x: Connection refused');
    expect((await call('GET', '/api/v1/cameras/pg-b/health')).json()).toMatchObject({ camera_id: 'pg-b', state: 'unknown', reason: null, last_frame_at: null, consecutive_failures: 0 });
  });

  it('delete removes the camera with its zones', async () => {
    expect((await call('DELETE', '/api/v1/cameras/pg-e')).statusCode).toBe(204);
    expect((await call('GET', '/api/v1/cameras/pg-e')).statusCode).toBe(404);
    expect(await h.db.query("SELECT * FROM zones WHERE camera_id = 'pg-e'")).toEqual([]);
  });
});

describe('URL policy for API callers', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi('pglite', { configYaml: 'public_url: http://127.0.0.1:8080\nstreams: { allow_networks: ["10.20.0.0/16"] }\n' });
  });
  afterAll(async () => h?.close());

  it('refuses hosts outside streams.allow_networks and local files, naming the url field', async () => {
    for (const url of ['rtsp://127.0.0.1:8554/x', '/etc/passwd', 'file:///etc/passwd', 'ftp://10.20.0.1/x']) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('blocked', { url }) });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ field: 'url' });
    }
    const ok = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('allowed', { url: 'rtsp://10.20.3.4/x' }) });
    expect(ok.statusCode).toBe(201);
    const patch = await h.app.inject({ method: 'PATCH', url: '/api/v1/cameras/allowed', headers: auth(h.tokens.admin), payload: { url: 'rtsp://169.254.169.254/x' } });
    expect(patch.statusCode).toBe(400);
    const probe = await h.app.inject({ method: 'POST', url: '/api/v1/cameras/probe', headers: auth(h.tokens.admin), payload: { url: 'http://127.0.0.1:5432/' } });
    expect(probe.statusCode).toBe(400);
    const imported = await h.app.inject({ method: 'POST', url: '/api/v1/cameras/import', headers: auth(h.tokens.admin), payload: { cameras: [cameraBody('i-ok', { url: 'rtsp://10.20.0.9/a' }), cameraBody('i-bad', { url: 'rtsp://192.168.1.1/a' })] } });
    expect(imported.json()).toMatchObject({ created: ['i-ok'], errors: [{ row: 2, field: 'url' }] });
  });
});

describe('HTTP surface', () => {
  let h: Harness;
  let consoleDir: string;
  beforeAll(async () => {
    consoleDir = mkdtempSync(join(tmpdir(), 'weisu-console-'));
    writeFileSync(join(consoleDir, 'index.html'), '<!doctype html><title>weisu console</title>');
    h = await startApi('pglite', {
      configYaml: 'public_url: http://127.0.0.1:8080\nserver: { auth: { login_rate_limit: { max: 3, window: 1m } } }\n',
      deps: { consoleDir, metrics: async () => 'weisu_queue_waiting{queue="samples"} 4\n' },
    });
  });
  afterAll(async () => h?.close());

  it('serves the console with security headers, its own paths as index.html, unknown API paths as problems', async () => {
    const page = await h.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('weisu console');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    const deep = await h.app.inject({ method: 'GET', url: '/cameras/cam-1', headers: { accept: 'text/html' } });
    expect(deep.body).toContain('weisu console');
    const api404 = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here', headers: auth(h.tokens.admin) });
    expect(api404.statusCode).toBe(404);
    expect(api404.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('CORS is off by default: no cross-origin headers, preflight not answered', async () => {
    const res = await h.app.inject({ method: 'OPTIONS', url: '/api/v1/cameras', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const get = await h.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: { origin: 'https://evil.example', ...auth(h.tokens.viewer) } });
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('CORS for listed origins only, when configured', async () => {
    const c = await startApi('pglite', { configYaml: 'public_url: http://127.0.0.1:8080\nserver: { cors_origins: ["https://ops.example.org"] }\n' });
    try {
      const ok = await c.app.inject({ method: 'OPTIONS', url: '/api/v1/cameras', headers: { origin: 'https://ops.example.org', 'access-control-request-method': 'GET' } });
      expect(ok.headers['access-control-allow-origin']).toBe('https://ops.example.org');
      const other = await c.app.inject({ method: 'OPTIONS', url: '/api/v1/cameras', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await c.close();
    }
  });

  it('login: a session token that works until logout; wrong passwords rate-limited', async () => {
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'operator', password: h.passwords.operator } });
    expect(login.statusCode).toBe(200);
    const { token, role, expires_at } = login.json();
    expect(role).toBe('operator');
    expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(11 * 3_600_000);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(token) })).json()).toMatchObject({ username: 'operator', token_kind: 'session' });
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: auth(token) })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: auth(token) })).statusCode).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: 'guess' } })).statusCode);
    expect(statuses).toEqual([401, 401, 429, 429]);
    const limited = await h.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'admin', password: h.passwords.admin } });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('metrics in Prometheus text, with the hook\'s series appended; OpenAPI 3.1 and the docs page', async () => {
    await h.app.inject({ method: 'GET', url: '/health' });
    const m = await h.app.inject({ method: 'GET', url: '/metrics', headers: auth(h.tokens.viewer) });
    expect(m.headers['content-type']).toMatch(/^text\/plain/);
    expect(m.body).toMatch(/^weisu_http_requests_total\{method="GET",route="\/health",status="200"\} \d+$/m);
    expect(m.body).toMatch(/weisu_http_request_duration_seconds_bucket\{method="GET",route="\/health",le="\+Inf"\} \d+/);
    expect(m.body).toContain('weisu_queue_waiting{queue="samples"} 4');
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.paths['/api/v1/cameras'].post.requestBody.content['application/json'].schema.properties.url).toBeDefined();
    expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
    const docs = await h.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });
});
