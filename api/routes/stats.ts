import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cameraSchema } from '../../config/schema.js';
import { dailyCounts, hotspots, precision } from '../../store/incident_queries.js';
import { OPS_READERS } from '../auth.js';
import type { ApiDeps } from '../server.js';

/** A time zone PostgreSQL and Intl both know, for day boundaries; the cameras' default when omitted. */
const timezone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, 'tz must be an IANA time zone, e.g. Asia/Shanghai')
  .default(cameraSchema.shape.timezone.parse(undefined));

const dailyStats = z
  .strictObject({ items: z.array(z.strictObject({ day: z.string().describe('YYYY-MM-DD in tz'), camera_id: z.string(), kind: z.string(), count: z.number(), approved: z.number(), rejected: z.number() })) })
  .meta({ id: 'DailyStats' });

const hotspotList = z
  .strictObject({
    items: z.array(
      z.strictObject({
        camera_id: z.string(),
        zone_id: z.string(),
        kind: z.string(),
        count: z.number(),
        rejected: z.number(),
        last_at: z.iso.datetime(),
        name: z.string().nullable(),
        address: z.string().nullable(),
        location: z.strictObject({ lat: z.number(), lon: z.number() }).nullable(),
      }),
    ),
  })
  .meta({ id: 'Hotspots' });

const precisionList = z
  .strictObject({ items: z.array(z.strictObject({ kind: z.string(), camera_id: z.string(), approved: z.number(), rejected: z.number(), precision: z.number().nullable() })) })
  .meta({ id: 'Precision' });

const days = (fallback: number) => z.coerce.number().int().min(1).max(366).default(fallback);

/** The dashboard: incidents per day, the week's hotspots, precision from operators' verdicts. */
export async function statsRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const statsTags = ['stats'];

  r.get('/stats/daily', {
    config: { roles: OPS_READERS },
    schema: {
      tags: statsTags,
      operationId: 'getDailyStats', summary: 'Incidents per day, camera and kind, with operators\' verdicts',
      querystring: z.strictObject({ days: days(30), tz: timezone.describe('day boundaries in this time zone') }),
      response: { 200: dailyStats },
    },
    handler: async (req) => ({
      items: (await dailyCounts(db, req.query.days, req.query.tz)).map((d) => ({ day: d.day, camera_id: d.camera_id, kind: d.kind, count: d.count, approved: d.approved, rejected: d.rejected })),
    }),
  });

  r.get('/stats/hotspots', {
    config: { roles: OPS_READERS },
    schema: {
      tags: statsTags,
      operationId: 'getHotspots', summary: 'Top hotspots: camera, zone and category with most incidents (operators\' rejections excluded)',
      querystring: z.strictObject({ days: days(7), limit: z.coerce.number().int().min(1).max(100).default(10) }),
      response: { 200: hotspotList },
    },
    handler: async (req) => ({
      items: (await hotspots(db, req.query.days, req.query.limit)).map((h) => ({
        camera_id: h.camera_id,
        zone_id: h.zone_id,
        kind: h.kind,
        count: h.count,
        rejected: h.rejected,
        last_at: new Date(h.last_at).toISOString(),
        name: h.camera_name,
        address: h.address,
        location: h.lat === null || h.lon === null ? null : { lat: h.lat, lon: h.lon },
      })),
    }),
  });

  r.get('/stats/precision', {
    config: { roles: OPS_READERS },
    schema: {
      tags: statsTags,
      operationId: 'getPrecision', summary: 'Precision per kind and camera from operators\' verdicts (approved / (approved + rejected))',
      querystring: z.strictObject({ days: days(30) }),
      response: { 200: precisionList },
    },
    handler: async (req) => ({
      items: (await precision(db, req.query.days)).map((p) => ({ kind: p.kind, camera_id: p.camera_id, approved: p.approved, rejected: p.rejected, precision: p.approved + p.rejected ? p.approved / (p.approved + p.rejected) : null })),
    }),
  });
}
