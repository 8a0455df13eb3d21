import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORE_KINDS } from '../support/postgres.js';
import { auth, startIncidentApi, type Harness } from './harness.js';

/** The audit trail as JSON lines: everything, since a time, or one entity's; admins only. */
describe.each(STORE_KINDS)('audit export on %s', (kind) => {
  let h: Harness & { fileIncident: () => Promise<string> };
  let incident: string;
  const get = (url: string, token = h.tokens.admin) => h.app.inject({ method: 'GET', url, headers: auth(token) });
  const lines = (body: string) =>
    body
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { id: number; at: string; actor: string; entity: string; entityId: string; action: string });

  beforeAll(async () => {
    h = await startIncidentApi(kind);
    incident = await h.fileIncident();
  });
  afterAll(async () => {
    await h?.close();
  });

  it('streams every entry oldest first as JSON lines, users, tokens, incidents and tickets alike', async () => {
    const res = await get('/api/v1/audit/export');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const all = lines(res.body);
    expect(res.body.endsWith('\n')).toBe(true);
    const ids = all.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(all.map((e) => e.entity))).toEqual(new Set(['user', 'token', 'incident', 'ticket']));
    expect(all.find((e) => e.entity === 'incident')).toMatchObject({ entityId: incident, action: 'confirmed', actor: 'rules' });
    // Token secrets never reach the trail.
    for (const t of Object.values(h.tokens)) expect(res.body).not.toContain(t.slice(-20));
  });

  it('keeps only entries written at or after ?since= and about one entity when asked', async () => {
    const all = lines((await get('/api/v1/audit/export')).body);
    const cut = new Date(Date.parse(all[all.length - 1]!.at) - 1).toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const later = await h.fileIncident();
    const since = lines((await get(`/api/v1/audit/export?since=${encodeURIComponent(cut)}`)).body);
    // The users were created long before the first incident: left out.
    expect(since.some((e) => e.entity === 'user')).toBe(false);
    expect(since.every((e) => Date.parse(e.at) >= Date.parse(cut))).toBe(true);
    expect(since.some((e) => e.entityId === later)).toBe(true);
    expect(lines((await get(`/api/v1/audit/export?since=${encodeURIComponent('2999-01-01T00:00:00+08:00')}`)).body)).toEqual([]);

    const one = lines((await get(`/api/v1/audit/export?entity=incident&entity_id=${encodeURIComponent(incident)}`)).body);
    expect(one.map((e) => e.action)).toEqual(['confirmed']);
  });

  it('refuses a bad time with a problem naming the field, and everyone but admins', async () => {
    const bad = await get('/api/v1/audit/export?since=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({ status: 400, field: 'since' });
    for (const role of ['operator', 'integrator', 'viewer'] as const) expect((await get('/api/v1/audit/export', h.tokens[role])).statusCode).toBe(403);
  });
});
