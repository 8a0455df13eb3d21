import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getCamera } from '../../store/cameras.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

/**
 * Camera URLs through the API with the defaults an installation gets: no allow_networks, local targets
 * off for API cameras. Every URL of the issue that used to answer 201 is now a 400 naming `url`.
 */
/** Many probes in a row: their budget is not what this file tests. */
const DEFAULTS = 'public_url: http://127.0.0.1:8080\nserver: { probe_rate_limit: { max: 1000, window: 1m } }\n';

describe('camera URLs through the API, default policy', () => {
  let h: Harness;
  const post = (payload: unknown, path = '/api/v1/cameras') => h.app.inject({ method: 'POST', url: path, headers: auth(h.tokens.admin), payload: payload as object });
  const patch = (id: string, payload: unknown) => h.app.inject({ method: 'PATCH', url: `/api/v1/cameras/${id}`, headers: auth(h.tokens.admin), payload: payload as object });

  beforeAll(async () => {
    h = await startApi('pglite', { configYaml: DEFAULTS });
  });
  afterAll(async () => h?.close());

  it('refuses URLs that cannot be read one way, local targets and files: 400 naming url with a fix', async () => {
    const bad = [
      'not a url',
      'rtsp://',
      '/etc/passwd',
      'file:///etc/passwd',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.100.100.200/latest/meta-data/',
      'http://[fd00:ec2::254]/latest/meta-data/',
      'rtsp://127.0.0.1:8554/x',
      'http://localhost:6379/',
      'http://0.0.0.0:5432/',
      'rtsp://[::ffff:127.0.0.1]/x',
      'http://127.0.0.1\\@10.0.0.2:80/x.m3u8',
      'rtsp://admin:p@ss@10.0.0.5/live',
      'rtsp://admin:12/34@10.0.0.5/live',
      'gopher://10.0.0.5/x',
      'rtsp://10.0.0.5:99999/x',
    ];
    for (const url of bad) {
      for (const [path, body] of [
        ['/api/v1/cameras', cameraBody('c-bad', { url })],
        ['/api/v1/cameras/probe', { url }],
      ] as const) {
        const res = await post(body, path);
        expect(res.statusCode, `${path} ${url}`).toBe(400);
        const p = res.json();
        expect(p.field ?? p.errors?.[0]?.field, `${path} ${url}`).toBe('url');
        expect(JSON.stringify(p), url).not.toMatch(/p@ss|12\/34/);
      }
    }
    expect(await getCamera(h.db, 'c-bad')).toBeUndefined();
    const imported = await post({ cameras: [cameraBody('i-ok', { url: 'rtsp://10.20.0.9/a' }), cameraBody('i-meta', { url: 'http://169.254.169.254/' }), cameraBody('i-junk', { url: 'not a url' })] }, '/api/v1/cameras/import');
    expect(imported.json()).toMatchObject({ created: ['i-ok'], errors: [{ row: 2, field: 'url' }, { row: 3, field: 'url' }] });
  });

  it('accepts camera networks, with a password holding / @ : % kept whole and never shown', async () => {
    const password = 'a/b@c:d%e';
    const res = await post(cameraBody('c-ok', { url: `rtsp://ops:${encodeURIComponent(password)}@192.168.1.64:554/ch1`, password: undefined, username: undefined }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().url).toBe('rtsp://ops:***@192.168.1.64:554/ch1');
    const field = await post(cameraBody('c-field', { url: 'rtsp://192.168.1.65/ch1', username: 'ops', password }));
    expect(field.statusCode, field.body).toBe(201);
    for (const id of ['c-ok', 'c-field']) {
      const got = await h.app.inject({ method: 'GET', url: `/api/v1/cameras/${id}`, headers: auth(h.tokens.viewer) });
      for (const leak of [password, encodeURIComponent(password), 'd%e', 'a/b']) expect(got.body).not.toContain(leak);
    }
  });

  it('PATCH to another host, scheme or port without the password drops the stored credentials', async () => {
    await post(cameraBody('c-move', { url: 'rtsp://admin:in-url@192.168.1.70/ch1', username: 'admin', password: 'in-field' }));
    // Same endpoint, other path: credentials stay.
    expect((await patch('c-move', { url: 'rtsp://admin:***@192.168.1.70/ch2' })).statusCode).toBe(400); // the redacted form of another URL is not a password
    expect((await patch('c-move', { url: 'rtsp://192.168.1.70:554/ch2' })).statusCode).toBe(200);
    expect((await getCamera(h.db, 'c-move'))!.camera.password).toBe('in-field');
    // Another host: dropped, so nothing is sent to it.
    const moved = await patch('c-move', { url: 'rtsp://192.168.1.99/ch1' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json()).toMatchObject({ has_password: false });
    const stored = (await getCamera(h.db, 'c-move'))!.camera;
    expect(stored.password).toBeUndefined();
    expect(stored.username).toBeUndefined();
    // Another port, with the password sent again: kept as sent.
    const again = await patch('c-move', { url: 'rtsp://192.168.1.99:8554/ch1', username: 'admin', password: 'new-one' });
    expect(again.statusCode).toBe(200);
    expect((await getCamera(h.db, 'c-move'))!.camera.password).toBe('new-one');
    const scheme = await patch('c-move', { url: 'rtsps://192.168.1.99:8554/ch1' });
    expect(scheme.json()).toMatchObject({ has_password: false });
  });
});

describe('camera URLs through the API, local targets allowed by the admin', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startApi('pglite', { configYaml: `${DEFAULTS}streams: { allow_local_from_api: true }\n` });
  });
  afterAll(async () => h?.close());

  it('streams.allow_local_from_api: true lets API cameras use loopback and files', async () => {
    for (const [id, url] of [['loop', 'rtsp://127.0.0.1:8554/x'], ['file', '/var/video/cam.mp4']]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody(id!, { url }) });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(201);
    }
  });
});
