import { readFileSync } from 'node:fs';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueToken, ROLES, type Role } from '../../store/users.js';
import { media } from '../support/paths.js';
import { STORE_KINDS } from '../support/postgres.js';
import { getTicketOfIncident, updateTicket } from '../../store/tickets.js';
import { auth, cameraBody, startIncidentApi, type Harness } from './harness.js';

/**
 * Every route × every role (and no token): allowed roles get the route's success status, the others
 * 403, anonymous callers 401 — all errors as problem+json. The expected roles are written out here, not
 * imported from api/auth.ts, so a change to the code's role sets must be a deliberate change to this table.
 * No response, to anyone, ever carries a camera password, a password hash or another token's secret.
 */
const ALL: Role[] = ['admin', 'operator', 'integrator', 'viewer'];
const CAMERAS: Role[] = ['admin', 'integrator'];
const ZONES: Role[] = ['admin', 'operator', 'integrator'];
const OPS: Role[] = ['admin', 'operator', 'viewer'];
const REVIEW: Role[] = ['admin', 'operator'];
const ADMIN: Role[] = ['admin'];

interface Ctx {
  h: Harness & { fileIncident: () => Promise<string> };
  /** Unique per case, for the objects a case creates. */
  n: string;
}

interface Case {
  route: string;
  allowed: Role[] | 'public';
  ok: number;
  request: (ctx: Ctx) => Promise<Omit<InjectOptions, 'headers'> & { headers?: Record<string, string> }>;
}

const JPEG = readFileSync(media('street/parked_car_in_bay.jpg'));

async function camera(ctx: Ctx, id = `cam-${ctx.n}`): Promise<string> {
  const res = await ctx.h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(ctx.h.tokens.admin), payload: cameraBody(id) });
  expect(res.statusCode).toBe(201);
  return id;
}

/** A fresh parking incident of jinjiang-north's gate zone (the camera made once), and when asked a "not a vehicle" mask from it. */
async function gateIncident(ctx: Ctx, masked = false): Promise<{ id: string; mask?: string }> {
  const made = await ctx.h.app.inject({ method: 'POST', url: '/api/v1/cameras', headers: auth(ctx.h.tokens.admin), payload: cameraBody('jinjiang-north') });
  expect([201, 409]).toContain(made.statusCode);
  const id = await ctx.h.fileIncident();
  if (!masked) return { id };
  const res = await ctx.h.app.inject({ method: 'POST', url: `/api/v1/incidents/${encodeURIComponent(id)}/not-a-vehicle`, headers: auth(ctx.h.tokens.admin), payload: {} });
  expect(res.statusCode, res.body).toBe(201);
  return { id, mask: (res.json() as { id: string }).id };
}

/** A camera with a bin site, and (when asked) one labelled example of it. */
async function binSite(ctx: Ctx, withExample = false): Promise<{ path: string; example?: number }> {
  const id = await camera(ctx, `bin-${ctx.n}`);
  const put = await ctx.h.app.inject({
    method: 'PUT',
    url: `/api/v1/cameras/${id}/zones/bins`,
    headers: auth(ctx.h.tokens.admin),
    payload: { id: 'bins', kind: 'bin_site', polygon: [[0.1, 0.3], [0.6, 0.3], [0.6, 0.9], [0.1, 0.9]] },
  });
  expect(put.statusCode, put.body).toBe(201);
  const path = `/api/v1/cameras/${id}/zones/bins/calibration`;
  if (!withExample) return { path };
  const res = await ctx.h.app.inject({ method: 'POST', url: path, headers: auth(ctx.h.tokens.admin), payload: { label: 'normal' } });
  expect(res.statusCode, res.body).toBe(201);
  return { path, example: (res.json() as { id: number }).id };
}

const zone = (id: string) => ({ id, kind: 'no_parking', polygon: [[0.2, 0.2], [0.8, 0.2], [0.8, 0.8], [0.2, 0.8]], dwell: '2m' });

/** One incident for the read-only routes; the review routes each get a fresh one. */
let sharedIncident: string | undefined;
async function incident(ctx: Ctx, fresh = false): Promise<string> {
  if (fresh) return ctx.h.fileIncident();
  sharedIncident ??= await ctx.h.fileIncident();
  return sharedIncident;
}

const CASES: Case[] = [
  { route: 'GET /health', allowed: 'public', ok: 200, request: async () => ({ method: 'GET', url: '/health' }) },
  { route: 'GET /metrics', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: '/metrics' }) },
  {
    route: 'POST /api/v1/auth/login',
    allowed: 'public',
    ok: 200,
    request: async ({ h }) => ({ method: 'POST', url: '/api/v1/auth/login', payload: { username: 'viewer', password: h.passwords.viewer } }),
  },
  {
    route: 'POST /api/v1/auth/logout',
    allowed: ALL,
    ok: 204,
    // Its own session, so logging out does not revoke the table's tokens.
    request: async () => ({ method: 'POST', url: '/api/v1/auth/logout', useOwnSession: true }),
  },
  { route: 'GET /api/v1/auth/me', allowed: ALL, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/auth/me' }) },
  { route: 'GET /api/v1/cameras', allowed: ALL, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/cameras' }) },
  { route: 'POST /api/v1/cameras', allowed: CAMERAS, ok: 201, request: async ({ n }) => ({ method: 'POST', url: '/api/v1/cameras', payload: cameraBody(`new-${n}`) }) },
  { route: 'GET /api/v1/cameras/{id}', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}` }) },
  {
    route: 'PATCH /api/v1/cameras/{id}',
    allowed: CAMERAS,
    ok: 200,
    request: async (c) => ({ method: 'PATCH', url: `/api/v1/cameras/${await camera(c)}`, payload: { name: 'renamed', password: 'new-secret' } }),
  },
  { route: 'DELETE /api/v1/cameras/{id}', allowed: CAMERAS, ok: 204, request: async (c) => ({ method: 'DELETE', url: `/api/v1/cameras/${await camera(c)}` }) },
  {
    route: 'POST /api/v1/cameras/import',
    allowed: CAMERAS,
    ok: 200,
    request: async ({ n }) => ({ method: 'POST', url: '/api/v1/cameras/import', payload: { cameras: [cameraBody(`imp-${n}`)] } }),
  },
  { route: 'GET /api/v1/cameras/{id}/snapshot', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/snapshot` }) },
  { route: 'GET /api/v1/cameras/health', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/health?${(await camera(c), '')}` }) },
  { route: 'GET /api/v1/setup', allowed: ALL, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/setup' }) },
  { route: 'POST /api/v1/cameras/{id}/reference', allowed: ZONES, ok: 201, request: async (c) => ({ method: 'POST', url: `/api/v1/cameras/${await camera(c)}/reference`, payload: {} }) },
  { route: 'GET /api/v1/cameras/{id}/references', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/references` }) },
  {
    route: 'GET /api/v1/cameras/{id}/reference',
    allowed: ALL,
    ok: 200,
    request: async (c) => {
      const id = await camera(c);
      const taken = await c.h.app.inject({ method: 'POST', url: `/api/v1/cameras/${id}/reference`, headers: auth(c.h.tokens.admin), payload: {} });
      expect(taken.statusCode, taken.body).toBe(201);
      return { method: 'GET', url: `/api/v1/cameras/${id}/reference` };
    },
  },
  // The harness camera has no onvif settings: an allowed caller gets the route's own 409 (test/api/presets.test.ts reads a real dome).
  { route: 'GET /api/v1/cameras/{id}/presets', allowed: ALL, ok: 409, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/presets` }) },
  { route: 'GET /api/v1/cameras/{id}/view', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/view` }) },
  // No view change on a camera that was never sampled: an allowed caller gets the route's own 404, the others 403.
  { route: 'GET /api/v1/cameras/{id}/view/picture', allowed: ALL, ok: 404, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/view/picture` }) },
  { route: 'GET /api/v1/cameras/{id}/health', allowed: ALL, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/${await camera(c)}/health` }) },
  {
    route: 'PUT /api/v1/cameras/{id}/zones/{zoneId}',
    allowed: ZONES,
    ok: 201,
    request: async (c) => ({ method: 'PUT', url: `/api/v1/cameras/${await camera(c)}/zones/curb`, payload: zone('curb') }),
  },
  {
    route: 'DELETE /api/v1/cameras/{id}/zones/{zoneId}',
    allowed: ZONES,
    ok: 204,
    request: async (c) => ({ method: 'DELETE', url: `/api/v1/cameras/${await camera(c)}/zones/gate` }),
  },
  {
    route: 'POST /api/v1/cameras/probe',
    allowed: CAMERAS,
    ok: 200,
    request: async () => ({ method: 'POST', url: '/api/v1/cameras/probe', payload: { url: media('video/video_road_cars_9s.mp4') } }),
  },
  { route: 'GET /api/v1/incidents', allowed: OPS, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/incidents?camera=${(await incident(c), 'jinjiang-north')}` }) },
  { route: 'GET /api/v1/incidents/{id}', allowed: OPS, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/incidents/${encodeURIComponent(await incident(c))}` }) },
  {
    route: 'POST /api/v1/incidents/{id}/approve',
    allowed: REVIEW,
    ok: 200,
    request: async (c) => ({ method: 'POST', url: `/api/v1/incidents/${encodeURIComponent(await incident(c, true))}/approve`, payload: {} }),
  },
  {
    route: 'POST /api/v1/incidents/{id}/reject',
    allowed: REVIEW,
    ok: 200,
    request: async (c) => ({ method: 'POST', url: `/api/v1/incidents/${encodeURIComponent(await incident(c, true))}/reject`, payload: { reason: 'car is loading, allowed' } }),
  },
  {
    route: 'POST /api/v1/incidents/{id}/retry',
    allowed: REVIEW,
    ok: 200,
    request: async (c) => {
      const id = await incident(c, true);
      const ticket = (await getTicketOfIncident(c.h.db, id))!;
      await updateTicket(c.h.db, ticket.id, ['review'], { state: 'dead', lastError: 'test' });
      return { method: 'POST', url: `/api/v1/incidents/${encodeURIComponent(id)}/retry` };
    },
  },
  { route: 'GET /api/v1/tickets', allowed: OPS, ok: 200, request: async (c) => ({ method: 'GET', url: `/api/v1/tickets?incident=${encodeURIComponent(await incident(c))}` }) },
  { route: 'GET /api/v1/plates/repeat-offenders', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/plates/repeat-offenders?week=2026-11-23&tz=Asia/Shanghai' }) },
  { route: 'GET /api/v1/plates/{plate}', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: `/api/v1/plates/${encodeURIComponent('浙G·Z6825')}` }) },
  { route: 'GET /api/v1/audit/export', allowed: ADMIN, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/audit/export?since=2026-01-01T00:00:00Z' }) },
  { route: 'GET /api/v1/stats/daily', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/stats/daily?days=7&tz=Asia/Shanghai' }) },
  { route: 'GET /api/v1/stats/hotspots', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/stats/hotspots?days=7' }) },
  { route: 'GET /api/v1/stats/precision', allowed: OPS, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/stats/precision' }) },
  { route: 'GET /api/v1/cameras/{id}/zones/{zoneId}/calibration', allowed: OPS, ok: 200, request: async (c) => ({ method: 'GET', url: (await binSite(c)).path }) },
  {
    route: 'POST /api/v1/cameras/{id}/zones/{zoneId}/calibration',
    allowed: REVIEW,
    ok: 201,
    request: async (c) => ({ method: 'POST', url: (await binSite(c)).path, payload: { label: 'overflowing' } }),
  },
  {
    route: 'GET /api/v1/cameras/{id}/zones/{zoneId}/calibration/{exampleId}/image',
    allowed: OPS,
    ok: 200,
    request: async (c) => {
      const site = await binSite(c, true);
      return { method: 'GET', url: `${site.path}/${site.example}/image` };
    },
  },
  {
    route: 'DELETE /api/v1/cameras/{id}/zones/{zoneId}/calibration/{exampleId}',
    allowed: REVIEW,
    ok: 204,
    request: async (c) => {
      const site = await binSite(c, true);
      return { method: 'DELETE', url: `${site.path}/${site.example}` };
    },
  },
  {
    route: 'POST /api/v1/incidents/{id}/not-a-vehicle',
    allowed: REVIEW,
    ok: 201,
    request: async (c) => ({ method: 'POST', url: `/api/v1/incidents/${encodeURIComponent((await gateIncident(c)).id)}/not-a-vehicle`, payload: { note: 'kiosk' } }),
  },
  {
    route: 'GET /api/v1/cameras/{id}/zones/{zoneId}/masks',
    allowed: OPS,
    ok: 200,
    request: async (c) => ({ method: 'GET', url: `/api/v1/cameras/jinjiang-north/zones/gate/masks?${(await gateIncident(c), '')}` }),
  },
  {
    route: 'DELETE /api/v1/cameras/{id}/zones/{zoneId}/masks/{maskId}',
    allowed: REVIEW,
    ok: 204,
    request: async (c) => ({ method: 'DELETE', url: `/api/v1/cameras/jinjiang-north/zones/gate/masks/${(await gateIncident(c, true)).mask!}` }),
  },
  { route: 'GET /api/v1/users', allowed: ADMIN, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/users' }) },
  {
    route: 'POST /api/v1/users',
    allowed: ADMIN,
    ok: 201,
    request: async ({ n }) => ({ method: 'POST', url: '/api/v1/users', payload: { username: `u-${n}`, password: 'a-long-password', role: 'viewer' } }),
  },
  {
    route: 'PATCH /api/v1/users/{username}',
    allowed: ADMIN,
    ok: 200,
    request: async ({ h, n }) => {
      await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(h.tokens.admin), payload: { username: `p-${n}`, password: 'a-long-password', role: 'viewer' } });
      return { method: 'PATCH', url: `/api/v1/users/p-${n}`, payload: { role: 'operator' } };
    },
  },
  {
    route: 'DELETE /api/v1/users/{username}',
    allowed: ADMIN,
    ok: 204,
    request: async ({ h, n }) => {
      await h.app.inject({ method: 'POST', url: '/api/v1/users', headers: auth(h.tokens.admin), payload: { username: `d-${n}`, password: 'a-long-password', role: 'viewer' } });
      return { method: 'DELETE', url: `/api/v1/users/d-${n}` };
    },
  },
  { route: 'GET /api/v1/users/{username}/tokens', allowed: ADMIN, ok: 200, request: async () => ({ method: 'GET', url: '/api/v1/users/viewer/tokens' }) },
  {
    route: 'POST /api/v1/users/{username}/tokens',
    allowed: ADMIN,
    ok: 201,
    request: async () => ({ method: 'POST', url: '/api/v1/users/integrator/tokens', payload: { name: 'erp', expires_in: '90d' } }),
  },
  {
    route: 'DELETE /api/v1/tokens/{tokenId}',
    allowed: ADMIN,
    ok: 204,
    request: async ({ h }) => {
      const { info } = await issueToken(h.db, { username: 'viewer', kind: 'api', name: 'to-revoke' }, 'test');
      return { method: 'DELETE', url: `/api/v1/tokens/${info.id}` };
    },
  },
];

describe.each(STORE_KINDS)('authorization on %s', (kind) => {
  let h: Ctx['h'];
  const bodies: string[] = [];
  let counter = 0;

  beforeAll(async () => {
    sharedIncident = undefined;
    h = await startIncidentApi(kind, { snapshot: async () => JPEG, health: async () => ({ state: 'online', consecutiveFailures: 0, lastFrameAt: Date.now() }) });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('the table lists every route the API documents', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
      .filter((r) => !r.includes(' /docs'))
      .sort();
    const listed = CASES.map((c) => c.route);
    expect(documented.filter((r) => !listed.includes(r)), 'documented routes missing from the table').toEqual([]);
    expect(listed.filter((r) => !documented.includes(r)), 'routes in the table the API does not document').toEqual([]);
  });

  for (const c of CASES) {
    describe(c.route, () => {
      const callers: (Role | 'anonymous')[] = [...ALL, 'anonymous'];
      it.each(callers)('as %s', async (who) => {
        const n = `${++counter}`;
        const { useOwnSession, ...req } = (await c.request({ h, n })) as InjectOptions & { useOwnSession?: boolean };
        let token = who === 'anonymous' ? undefined : h.tokens[who];
        if (useOwnSession && who !== 'anonymous') token = (await issueToken(h.db, { username: who, kind: 'session', name: 't', ttlMs: 60_000 }, 'test')).token;
        const res = await h.app.inject({ ...req, headers: { ...(req.headers as Record<string, string>), ...(token ? auth(token) : {}) } });
        bodies.push(res.body);
        const allowed = c.allowed === 'public' || (who !== 'anonymous' && c.allowed.includes(who));
        if (allowed) {
          expect(res.statusCode, res.body).toBe(c.ok);
          return;
        }
        expect(res.statusCode, res.body).toBe(who === 'anonymous' ? 401 : 403);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json()).toMatchObject({ status: res.statusCode, type: expect.stringMatching(/^urn:weisu:problem:/) });
      });
    });
  }

  it('no response carried a camera password, a password hash or a token secret', async () => {
    expect(bodies.length).toBe(CASES.length * 5);
    const joined = bodies.join('\n');
    expect(joined).not.toMatch(/url-secret|field-secret|new-secret/);
    expect(joined).not.toMatch(/scrypt\$/);
    for (const role of ROLES) expect(joined).not.toContain(h.tokens[role].slice('wsu_0123456789abcdef_'.length));
    expect(joined).toContain('rtsp://admin:***@127.0.0.1:8554/');
  });

  it('a revoked, expired or made-up token is refused', async () => {
    const { token, info } = await issueToken(h.db, { username: 'admin', kind: 'api', name: 'short', ttlMs: 1 }, 'test');
    await new Promise((r) => setTimeout(r, 20));
    for (const t of [token, `${h.tokens.admin}x`, 'wsu_0123456789abcdef_' + 'A'.repeat(43), 'garbage']) {
      const res = await h.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: auth(t) });
      expect(res.statusCode, t).toBe(401);
    }
    const fresh = await issueToken(h.db, { username: 'viewer', kind: 'api', name: 'revoke-me' }, 'test');
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: auth(fresh.token) })).statusCode).toBe(200);
    expect((await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${fresh.info.id}`, headers: auth(h.tokens.admin) })).statusCode).toBe(204);
    expect((await h.app.inject({ method: 'GET', url: '/api/v1/cameras', headers: auth(fresh.token) })).statusCode).toBe(401);
    expect(info.expiresAt).not.toBeNull();
  });
});
