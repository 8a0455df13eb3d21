import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/postgres.js';
import { auth, cameraBody, incidentConfig, startIncidentApi, type Harness } from './harness.js';

/**
 * Every write route fed malformed bodies — wrong types, huge strings, unknown keys, polygon garbage,
 * broken JSON — answers 4xx application/problem+json naming what is wrong, and the store is byte for
 * byte what it was before the request.
 */
type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

interface WriteRoute {
  /** As the OpenAPI document names it. */
  route: string;
  name: string;
  method: 'POST' | 'PUT' | 'PATCH';
  url: string;
  /** A body this route accepts (the mutations below break it in one place each). */
  valid: Record<string, Json>;
  /** Paths (dot-separated) of nested objects whose keys are mutated too. */
  nested?: string[];
  /** Paths of polygons to fill with garbage. */
  polygons?: string[];
  /** The body may be left out (a JSON null counts as left out). */
  optionalBody?: boolean;
}

const ZONE = { id: 'curb', kind: 'no_parking', polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]], dwell: '2m' };
const camera = cameraBody('fuzz-new') as Record<string, Json>;

const ROUTES: WriteRoute[] = [
  { route: 'POST /api/v1/cameras', name: 'create camera', method: 'POST', url: '/api/v1/cameras', valid: camera, nested: ['location', 'zones.0'], polygons: ['zones.0.polygon'] },
  {
    route: 'POST /api/v1/cameras',
    name: 'create patrolling dome',
    method: 'POST',
    url: '/api/v1/cameras',
    valid: {
      ...camera,
      id: 'fuzz-dome',
      zones: [{ ...ZONE, preset: 'gate' }],
      onvif: { address: 'http://127.0.0.1:8000/onvif/device_service', user: 'op', password: 'onvif-pass', timeout: '3s' },
      patrol: { stops: [{ preset: 'gate', settle: '2s', stay: '1m' }], manual_idle: '5m' },
    },
    nested: ['onvif', 'patrol', 'patrol.stops.0', 'zones.0'],
  },
  { route: 'PATCH /api/v1/cameras/{id}', name: 'patch camera', method: 'PATCH', url: '/api/v1/cameras/fuzz-cam', valid: { name: 'x', location: { lat: 1, lon: 2 }, sample_every: '5s', enabled: false }, nested: ['location'] },
  { route: 'POST /api/v1/cameras/import', name: 'import cameras', method: 'POST', url: '/api/v1/cameras/import', valid: { cameras: [camera] }, nested: ['cameras.0', 'cameras.0.location'], polygons: ['cameras.0.zones.0.polygon'] },
  { route: 'POST /api/v1/cameras/import', name: 'import camera file', method: 'POST', url: '/api/v1/cameras/import', valid: { format: 'csv', content: 'id,url,lat,lon\nfuzz-csv,rtsp://h/x,1,2\n' } },
  { route: 'PUT /api/v1/cameras/{id}/zones/{zoneId}', name: 'put zone', method: 'PUT', url: '/api/v1/cameras/fuzz-cam/zones/curb', valid: ZONE, polygons: ['polygon'] },
  { route: 'POST /api/v1/users', name: 'create user', method: 'POST', url: '/api/v1/users', valid: { username: 'fuzzer', password: 'a-long-password', role: 'viewer' } },
  { route: 'PATCH /api/v1/users/{username}', name: 'patch user', method: 'PATCH', url: '/api/v1/users/viewer', valid: { role: 'operator', disabled: true } },
  { route: 'POST /api/v1/users/{username}/tokens', name: 'create token', method: 'POST', url: '/api/v1/users/viewer/tokens', valid: { name: 'erp', expires_in: '30d' } },
  { route: 'POST /api/v1/auth/login', name: 'login', method: 'POST', url: '/api/v1/auth/login', valid: { username: 'viewer', password: 'viewer-password-123' } },
  { route: 'POST /api/v1/cameras/probe', name: 'probe', method: 'POST', url: '/api/v1/cameras/probe', valid: { url: 'rtsp://127.0.0.1:1/x', username: 'u', password: 'p', transport: 'tcp' } },
  { route: 'POST /api/v1/incidents/{id}/approve', name: 'approve incident', optionalBody: true, method: 'POST', url: '/api/v1/incidents/INCIDENT/approve', valid: { reason: 'seen on the picture' } },
  { route: 'POST /api/v1/incidents/{id}/reject', name: 'reject incident', method: 'POST', url: '/api/v1/incidents/INCIDENT/reject', valid: { reason: 'delivery van, allowed' } },
  { route: 'POST /api/v1/cameras/{id}/zones/{zoneId}/calibration', name: 'label bin site', method: 'POST', url: '/api/v1/cameras/fuzz-bin/zones/bins/calibration', valid: { label: 'normal', frame_jpeg_base64: 'AAAA' } },
  { route: 'POST /api/v1/incidents/{id}/not-a-vehicle', name: 'not a vehicle', optionalBody: true, method: 'POST', url: '/api/v1/incidents/INCIDENT/not-a-vehicle', valid: { note: 'loudspeaker box' } },
  { route: 'POST /api/v1/cameras/{id}/reference', name: 'take reference view', optionalBody: true, method: 'POST', url: '/api/v1/cameras/fuzz-cam/reference', valid: { preset: 'gate', frame_jpeg_base64: 'AAAA' } },
  { route: 'POST /api/v1/incidents/{id}/retry', name: 'retry ticket', optionalBody: true, method: 'POST', url: '/api/v1/incidents/INCIDENT/retry', valid: { reason: 'case system back' } },
];

const clone = <T>(v: T): T => structuredClone(v);

function getAt(obj: Json, path: string): Json {
  return path.split('.').reduce<Json>((o, k) => (o as Record<string, Json>)[k]!, obj);
}

function setAt(obj: Json, path: string, value: Json | undefined): Json {
  const out = clone(obj);
  const keys = path.split('.');
  const parent = keys.slice(0, -1).reduce<Json>((o, k) => (o as Record<string, Json>)[k]!, out) as Record<string, Json>;
  if (value === undefined) delete parent[keys[keys.length - 1]!];
  else parent[keys[keys.length - 1]!] = value;
  return out;
}

function jsonType(v: Json): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const SAMPLES: Json[] = [7, true, 'text', [], { a: 1 }];
const HUGE = 'x'.repeat(5000);

const POLYGON_GARBAGE: Json[] = [
  [],
  [[0.1, 0.1]],
  [[0.1, 0.1], [0.2, 0.2]],
  [[2, 2], [3, 3], [4, 5]],
  [[-0.1, 0.1], [0.5, 0.1], [0.5, 0.5]],
  [[0, 0], [1, 1], [1, 0], [0, 1]],
  [[0, 0], [0.5, 0.5], [1, 1]],
  [['a', 'b'], ['c', 'd'], ['e', 'f']],
  [[0.1], [0.2], [0.3]],
  [[0.1, 0.1, 0.1], [0.2, 0.2, 0.2], [0.3, 0.1, 0.3]],
  Array.from({ length: 5000 }, (_, i) => [Math.abs(Math.sin(i)), Math.abs(Math.cos(i))]),
  'POLYGON((0 0, 1 0, 1 1, 0 0))',
  { x: 1 },
  [[[[[0.1, 0.2]]]]],
  [null, null, null],
];

/** Body variants, each malformed in one way, with a label for the failure message. */
function mutations(r: WriteRoute): { label: string; body: Json }[] {
  const out: { label: string; body: Json }[] = [];
  const notObjects: Json[] = r.optionalBody ? [[], 'text', 42, true] : [[], 'text', 42, true, null];
  for (const notObject of notObjects) out.push({ label: `body ${JSON.stringify(notObject)}`, body: notObject });
  out.push({ label: 'unknown top-level key', body: { ...r.valid, evil: 1 } });
  out.push({ label: '__proto__-like key', body: { ...r.valid, constructor: { prototype: { admin: true } } } });
  for (const path of ['', ...(r.nested ?? [])]) {
    const node = path ? getAt(r.valid, path) : r.valid;
    if (path) out.push({ label: `unknown key in ${path}`, body: setAt(r.valid, `${path}.evil`, 'x') });
    for (const [k, v] of Object.entries(node as Record<string, Json>)) {
      const at = path ? `${path}.${k}` : k;
      for (const wrong of SAMPLES) {
        if (jsonType(wrong) !== jsonType(v) && !(jsonType(v) === 'number' && typeof wrong === 'number')) out.push({ label: `${at} = ${JSON.stringify(wrong)}`, body: setAt(r.valid, at, wrong) });
      }
      if (typeof v === 'string' && !(r.name === 'import camera file' && k === 'content')) out.push({ label: `${at} huge`, body: setAt(r.valid, at, HUGE) });
      if (typeof v === 'number') out.push({ label: `${at} out of range`, body: setAt(r.valid, at, 1e308) });
    }
  }
  for (const p of r.polygons ?? []) POLYGON_GARBAGE.forEach((g, i) => out.push({ label: `${p} garbage #${i}`, body: setAt(r.valid, p, g) }));
  return out;
}

describe.each(STORE_KINDS)('malformed bodies on %s', (kind) => {
  let h: Harness;
  let incident = '';
  const urlOf = (r: WriteRoute) => r.url.replace('INCIDENT', encodeURIComponent(incident));

  async function state(): Promise<string> {
    const tables = ['cameras', 'zones', 'users', 'api_tokens', 'audit', 'incidents', 'tickets', 'incident_reviews', 'calibration_examples', 'zone_masks'];
    // A token's last use is stamped at most once a minute by any request, refused or not: not a change a body made.
    const rows = await Promise.all(tables.map((t) => h.db.query(`SELECT * FROM ${t} ORDER BY 1, 2`).then((r) => (t === 'api_tokens' ? r.map(({ last_used_at: _, ...rest }) => rest) : r))));
    return JSON.stringify(rows);
  }

  beforeAll(async () => {
    const config = incidentConfig();
    config.server.auth.login_rate_limit.max = 100_000;
    config.server.probe_rate_limit.max = 100_000;
    const started = await startIncidentApi(kind, {}, config);
    h = started;
    incident = await started.fileIncident();
    const bin = { ...cameraBody('fuzz-bin'), zones: [{ id: 'bins', kind: 'bin_site', polygon: [[0.1, 0.3], [0.6, 0.3], [0.6, 0.9], [0.1, 0.9]] }] };
    expect((await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: bin })).statusCode).toBe(201);
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(h.tokens.admin), payload: cameraBody('fuzz-cam') });
    expect(res.statusCode).toBe(201);
  });
  afterAll(async () => {
    await h?.close();
  });

  it('covers every route that takes a body', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    const withBody = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.requestBody).map(([m]) => `${m.toUpperCase()} ${path}`));
    const listed = new Set(ROUTES.map((r) => r.route));
    expect(withBody.filter((r) => !listed.has(r)), 'routes taking a body that the fuzz table lacks').toEqual([]);
    expect([...listed].filter((r) => !withBody.includes(r)), 'fuzz routes the API does not document').toEqual([]);
  });

  for (const r of ROUTES) {
    it(`${r.name}: every malformed body is a 4xx problem and changes nothing`, async () => {
      const before = await state();
      const cases = mutations(r);
      expect(cases.length).toBeGreaterThan(8);
      for (const c of cases) {
        const res = await h.app.inject({ method: r.method, url: urlOf(r), headers: { ...auth(h.tokens.admin), 'content-type': 'application/json' }, payload: JSON.stringify(c.body) });
        expect(res.statusCode, `${c.label}: ${res.body}`).toBeGreaterThanOrEqual(400);
        expect(res.statusCode, `${c.label}: ${res.body}`).toBeLessThan(500);
        expect(res.headers['content-type'], c.label).toMatch(/^application\/problem\+json/);
        const p = res.json() as { status: number; detail: string; field?: string; errors?: { field: string }[] };
        expect(p.status).toBe(res.statusCode);
        expect(p.detail.length, c.label).toBeGreaterThan(5);
        if (res.statusCode === 400 && jsonType(c.body) === 'object' && r.name !== 'login') {
          expect(p.errors?.length ?? (p.field === undefined ? 0 : 1), `${c.label} names no field: ${res.body}`).toBeGreaterThan(0);
        }
      }
      expect(await state(), r.name).toBe(before);
    });

    it(`${r.name}: broken JSON, wrong media type, oversized and deeply nested bodies are refused`, async () => {
      const before = await state();
      const raw: { label: string; payload: string; type: string; status: number[] }[] = [
        { label: 'truncated JSON', payload: '{"id": "x", ', type: 'application/json', status: [400] },
        { label: 'empty body', payload: '', type: 'application/json', status: [400] },
        { label: 'text/plain', payload: 'id=x', type: 'text/plain', status: [415] },
        { label: 'form', payload: 'id=x&url=y', type: 'application/x-www-form-urlencoded', status: [415] },
        { label: 'proto poisoning', payload: '{"__proto__": {"role": "admin"}}', type: 'application/json', status: [400] },
        { label: 'nested 100000 deep', payload: `${'['.repeat(100_000)}${']'.repeat(100_000)}`, type: 'application/json', status: [400, 413] },
        { label: 'oversized', payload: JSON.stringify({ ...r.valid, pad: 'y'.repeat(60 * 1024 * 1024) }), type: 'application/json', status: [413] },
      ];
      for (const c of raw) {
        const res = await h.app.inject({ method: r.method, url: urlOf(r), headers: { ...auth(h.tokens.admin), 'content-type': c.type }, payload: c.payload });
        expect(c.status, `${c.label}: ${res.statusCode} ${res.body.slice(0, 300)}`).toContain(res.statusCode);
        expect(res.headers['content-type'], c.label).toMatch(/^application\/problem\+json/);
      }
      expect(await state(), r.name).toBe(before);
    });
  }
});
