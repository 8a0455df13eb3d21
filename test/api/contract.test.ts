import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allErrorCodes, apiErrorCode, errorKind } from '../../api/errors.js';
import { problemIssueSchema, problemSchema } from '../../api/problem.js';
import { binSiteZoneView, cameraHealthSchema, cameraViewSchema, noParkingZoneView } from '../../api/views.js';
import { binSiteZoneSchema, noParkingZoneSchema } from '../../rules/schema.js';
import { auth, cameraBody, startApi, type Harness } from './harness.js';

/**
 * The API contract over the real server: one problem shape for every error, a closed set of codes with
 * one status each, plain messages naming field, limit and fix, 405 with Allow, and an OpenAPI document a
 * generated client can use.
 */

const ROOT = join(import.meta.dirname, '../..');

/** Every `new WeisuError('code'` in the folders the API runs code from. */
function thrownCodes(): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/new (?:WeisuError|StreamError)\('([a-z_]+)'/g)) found.set(m[1]!, path);
    }
  };
  for (const dir of ['api', 'store', 'alerts', 'rules', 'detector', 'models', 'plates', 'streams', 'pipeline', 'align', 'core']) walk(join(ROOT, dir));
  return found;
}

describe('API contract', () => {
  let h: Harness;
  const call = (method: string, url: string, payload?: unknown, token: string | null = h.tokens.admin, headers: Record<string, string> = {}) =>
    h.app.inject({ method: method as 'GET', url, headers: { ...(token ? auth(token) : {}), ...headers }, ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as object }) });

  /** A problem document, strictly of the one shape, with the content type RFC 9457 names. */
  const problemOf = (res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }) => {
    expect(String(res.headers['content-type'])).toMatch(/^application\/problem\+json/);
    const p = problemSchema.parse(res.json());
    expect(p.status).toBe(res.statusCode);
    expect(p.status).toBe(errorKind(p.code).status);
    expect(p.type).toBe(`urn:weisu:problem:${p.code}`);
    return p;
  };

  beforeAll(async () => {
    h = await startApi('pglite', {
      deps: { snapshot: async () => undefined, health: async (id) => (id === 'rt-1' ? { state: 'offline', reason: 'unreachable', lastError: 'getaddrinfo ENOTFOUND cam.local', consecutiveFailures: 4, failingSince: Date.parse('2026-12-01T08:00:00Z') } : undefined) },
    });
  });
  afterAll(async () => h?.close());

  it('has a closed set of error codes, each with one status, covering every code thrown where the API runs', () => {
    const codes = allErrorCodes();
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(errorKind(c).status).toBeGreaterThanOrEqual(400);
    // Codes below the API that it may pass on: each must be one of the API's (else it would be a 500).
    const notApi = ['frame_invalid', 'crop_invalid', 'crop_unjudgeable', 'incident_not_yet_stored', 'redis_url_invalid', 'redis_unreachable', 'redis_unknown', 'redis_start_failed', 'model_no_url', 'model_download_failed', 'model_checksum'];
    for (const [code, file] of thrownCodes()) {
      if (notApi.includes(code)) continue;
      expect(apiErrorCode(code) ?? apiErrorCode(`stream_${code}`), `${code} thrown in ${file}`).toBeDefined();
    }
  });

  it('says every invalid field at once, plainly, with its limit and fix', async () => {
    const body = cameraBody('bad-one', { location: { lat: 91, lon: 'east' }, sample_every: 'often', colour: 'red' });
    delete body.url;
    const res = await call('POST', '/api/v1/cameras', body);
    expect(res.statusCode).toBe(400);
    const p = problemOf(res);
    expect(p.code).toBe('validation_failed');
    const by = Object.fromEntries(p.errors.map((e) => [e.field, e]));
    expect(by['location.lat']).toMatchObject({ in: 'body', code: 'too_big', limit: 90, message: 'must be at most 90' });
    expect(by['location.lon']).toMatchObject({ code: 'wrong_type', message: 'must be a number, not text' });
    expect(by.url).toMatchObject({ code: 'required', message: 'is required', fix: 'add url' });
    expect(by.colour).toMatchObject({ code: 'unknown_key' });
    expect(by.sample_every?.message).toMatch(/number and a unit/);
    for (const e of p.errors) {
      expect(e.fix.length).toBeGreaterThan(3);
      // Never zod's programmer text, never the field said twice.
      expect(e.message).not.toMatch(/Invalid input|Too big|expected \w+ to be|received/);
      expect(e.message.startsWith(`${e.field}:`)).toBe(false);
    }
    expect(p.detail).toContain('location.lat must be at most 90');
  });

  it('answers 404, 405 with Allow, 401, 403 and 415 in the same problem shape', async () => {
    const missingRoute = await call('GET', '/api/v1/nothing-here');
    expect(missingRoute.statusCode).toBe(404);
    expect(problemOf(missingRoute).code).toBe('route_not_found');

    const missingCamera = await call('GET', '/api/v1/cameras/nope');
    expect(problemOf(missingCamera)).toMatchObject({ status: 404, code: 'not_found' });

    const put = await call('PUT', '/api/v1/cameras/nope', cameraBody('nope'));
    expect(put.statusCode).toBe(405);
    expect(problemOf(put).code).toBe('method_not_allowed');
    expect(String(put.headers.allow).split(', ')).toEqual(expect.arrayContaining(['DELETE', 'GET', 'PATCH']));
    expect(String(put.headers.allow)).not.toContain('PUT');

    const anonymous = await call('GET', '/api/v1/cameras', undefined, null);
    expect(problemOf(anonymous)).toMatchObject({ status: 401, code: 'unauthorized', field: 'authorization' });
    const viewer = await call('POST', '/api/v1/cameras', cameraBody('by-viewer'), h.tokens.viewer);
    expect(problemOf(viewer)).toMatchObject({ status: 403, code: 'forbidden' });

    const xml = await call('POST', '/api/v1/cameras', '<camera/>', h.tokens.admin, { 'content-type': 'application/xml' });
    expect(problemOf(xml)).toMatchObject({ status: 415, code: 'unsupported_media_type' });
    const broken = await call('POST', '/api/v1/cameras', '{"id":', h.tokens.admin, { 'content-type': 'application/json' });
    expect(problemOf(broken)).toMatchObject({ status: 400, code: 'invalid_json' });
  });

  it('gives one condition one status on every route: a camera without a frame is 409 for a snapshot and for a label', async () => {
    const cam = cameraBody('no-frame', { zones: [{ id: 'bins', kind: 'bin_site', polygon: [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5], [0.1, 0.5]] }] });
    expect((await call('POST', '/api/v1/cameras', cam)).statusCode).toBe(201);
    const snap = problemOf(await call('GET', '/api/v1/cameras/no-frame/snapshot'));
    const label = problemOf(await call('POST', '/api/v1/cameras/no-frame/zones/bins/calibration', { label: 'normal' }));
    expect([snap.code, snap.status]).toEqual(['no_frame', 409]);
    expect([label.code, label.status]).toEqual(['no_frame', 409]);
  });

  it('documents every operation for generated clients: operationId, tags, named schemas, every error response', async () => {
    const doc = (await call('GET', '/openapi.json')).json() as {
      paths: Record<string, Record<string, { operationId?: string; tags?: string[]; responses: Record<string, { description: string; content?: Record<string, { schema: { $ref?: string } }> }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    const ids = new Set<string>();
    let operations = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        operations++;
        const where = `${method.toUpperCase()} ${path}`;
        expect(op.operationId, where).toMatch(/^[a-z][A-Za-z]+$/);
        expect(ids.has(op.operationId!), `${where}: operationId used twice`).toBe(false);
        ids.add(op.operationId!);
        expect(op.tags?.length, where).toBeGreaterThan(0);
        const statuses = Object.keys(op.responses);
        expect(statuses.some((s) => s.startsWith('2')), where).toBe(true);
        for (const s of ['429', '500']) expect(statuses, where).toContain(s);
        for (const [status, r] of Object.entries(op.responses)) {
          expect(r.description, `${where} ${status}`).not.toBe('Default Response');
          if (Number(status) >= 400) expect(r.content?.['application/problem+json']?.schema.$ref, `${where} ${status}`).toBe('#/components/schemas/Problem');
        }
      }
    }
    expect(operations).toBeGreaterThanOrEqual(39);
    expect(Object.keys(doc.components.schemas)).toContain('Problem');
    for (const name of Object.keys(doc.components.schemas)) expect(name).not.toMatch(/^schema\d+$/);
    // Every reference resolves to a named component (no anonymous schema0 left dangling).
    for (const [, ref] of JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) expect(doc.components.schemas[ref!], ref).toBeDefined();
  });

  it('round-trips a camera: GET, edit, PATCH back whole (JSON or merge-patch); read-only fields ignored', async () => {
    const made = await call('POST', '/api/v1/cameras', cameraBody('rt-1'));
    expect(made.statusCode).toBe(201);
    expect(made.headers.location).toBe('/api/v1/cameras/rt-1');
    expect(made.headers.etag).toBe('"1"');
    const got = await call('GET', '/api/v1/cameras/rt-1');
    const camera = cameraViewSchema.parse(got.json());
    const edited = await call('PATCH', '/api/v1/cameras/rt-1', { ...camera, name: 'Renamed' }, h.tokens.admin, { 'if-match': String(got.headers.etag) });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json()).toMatchObject({ name: 'Renamed', revision: camera.revision + 1, has_password: true, url: camera.url });
    const merge = await call('PATCH', '/api/v1/cameras/rt-1', JSON.stringify({ location: { address: null } }), h.tokens.admin, { 'content-type': 'application/merge-patch+json' });
    expect(merge.statusCode, merge.body).toBe(200);
    expect(merge.json().location).toEqual({ lat: camera.location.lat, lon: camera.location.lon });
    const otherId = problemOf(await call('PATCH', '/api/v1/cameras/rt-1', { ...camera, id: 'rt-2' }));
    expect(otherId).toMatchObject({ status: 400, errors: [{ field: 'id' }] });
    // A zone read back is accepted as it is.
    const zone = camera.zones[0]!;
    expect((await call('PUT', `/api/v1/cameras/rt-1/zones/${zone.id}`, zone)).statusCode).toBe(200);
  });

  it('If-Match as RFC 9110 says: * and lists match, weak tags never, an old tag is 412, a malformed one 400', async () => {
    await call('POST', '/api/v1/cameras', cameraBody('im-1'));
    const etag = String((await call('GET', '/api/v1/cameras/im-1')).headers.etag);
    const patch = (ifMatch: string) => call('PATCH', '/api/v1/cameras/im-1', { name: `n ${ifMatch}` }, h.tokens.admin, { 'if-match': ifMatch });
    expect((await patch('*')).statusCode).toBe(200);
    const now = String((await call('GET', '/api/v1/cameras/im-1')).headers.etag);
    expect((await patch(`"999", ${now}`)).statusCode).toBe(200);
    expect(problemOf(await patch(etag))).toMatchObject({ status: 412, code: 'stale', field: 'if-match' });
    const current = String((await call('GET', '/api/v1/cameras/im-1')).headers.etag);
    expect((await patch(`W/${current}`)).statusCode).toBe(412);
    expect(problemOf(await patch('yesterday'))).toMatchObject({ status: 400, errors: [{ field: 'if-match', in: 'headers' }] });
    expect((await call('DELETE', '/api/v1/cameras/im-1', undefined, h.tokens.admin, { 'if-match': etag })).statusCode).toBe(412);
    expect((await call('DELETE', '/api/v1/cameras/im-1', undefined, h.tokens.admin, { 'if-match': '*' })).statusCode).toBe(204);
  });

  it('imports CSV, YAML and JSON bodies directly; a partial and a total failure report rows in one shape', async () => {
    const csv = 'id,name,url,lat,lon\nim-csv,CSV,rtsp://10.0.0.1/a,40.1,124.3\nim-bad,Bad,rtsp://10.0.0.2/a,95,124.3\n';
    const partial = await call('POST', '/api/v1/cameras/import', csv, h.tokens.integrator, { 'content-type': 'text/csv' });
    expect(partial.statusCode, partial.body).toBe(200);
    expect(partial.json()).toMatchObject({ created: ['im-csv'], errors: [{ row: 2, line: 3, field: 'lat', code: 'too_big', limit: 90, in: 'body' }] });
    for (const e of partial.json().errors) problemIssueSchema.parse(e);

    const yaml = '- id: im-yaml\n  url: rtsp://10.0.0.3/a\n  location: { lat: 1, lon: 2 }\n';
    const y = await call('POST', '/api/v1/cameras/import', yaml, h.tokens.integrator, { 'content-type': 'application/yaml' });
    expect(y.json()).toMatchObject({ created: ['im-yaml'], errors: [] });
    const list = await call('POST', '/api/v1/cameras/import', [cameraBody('im-json')], h.tokens.integrator);
    expect(list.json()).toMatchObject({ created: ['im-json'] });

    const none = await call('POST', '/api/v1/cameras/import', 'id,url,lat,lon\nim-no,rtsp://10.0.0.4/a,95,1\n', h.tokens.integrator, { 'content-type': 'text/csv' });
    const p = problemOf(none);
    expect(p).toMatchObject({ status: 422, code: 'import_failed' });
    // The same issue, in the same shape, as in the partial import.
    expect(p.errors).toEqual([expect.objectContaining({ row: 1, line: 2, field: 'lat', code: 'too_big', limit: 90, in: 'body' })]);
  });

  it('gives the health of every camera in one call, with the reason and the technical text apart', async () => {
    const res = await call('GET', '/api/v1/cameras/health', undefined, h.tokens.viewer);
    expect(res.statusCode).toBe(200);
    const items = (res.json() as { items: unknown[] }).items.map((i) => cameraHealthSchema.parse(i));
    const ids = ((await call('GET', '/api/v1/cameras?limit=500')).json() as { items: { id: string }[] }).items.map((c) => c.id);
    expect(items.map((i) => i.camera_id)).toEqual(ids);
    expect(items.find((i) => i.camera_id === 'rt-1')).toMatchObject({ state: 'offline', reason: 'unreachable', last_error: 'getaddrinfo ENOTFOUND cam.local', failing_since: '2026-12-01T08:00:00.000Z' });
    expect(items.find((i) => i.camera_id === 'im-csv')).toMatchObject({ state: 'unknown', reason: null, last_frame_at: null });
  });

  it('shows zones with exactly the fields the rules take (the view and the rules schema do not drift)', () => {
    expect(Object.keys(noParkingZoneView.shape).sort()).toEqual(Object.keys(noParkingZoneSchema.shape).sort());
    expect(Object.keys(binSiteZoneView.shape).sort()).toEqual(Object.keys(binSiteZoneSchema.shape).sort());
  });

  it('names every response schema as a strict component', async () => {
    const doc = (await call('GET', '/openapi.json')).json() as { components: { schemas: Record<string, { type?: string; additionalProperties?: unknown }> } };
    for (const name of ['Camera', 'CameraHealth', 'CameraPage', 'Incident', 'IncidentPage', 'Ticket', 'Zone', 'User', 'Token', 'Session', 'ImportResult']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
    for (const [name, schema] of Object.entries(doc.components.schemas)) if (schema.type === 'object' && !name.endsWith('Input')) expect(schema.additionalProperties, name).toBe(false);
  });
});
