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
      summary: 'Incidents per day, camera and kind, with operators\' verdicts',
      querystring: z.strictObject({ days: days(30), tz: timezone.describe('day boundaries in this time zone') }),
      response: { 200: z.object({ items: z.array(z.object({ day: z.string(), camera_id: z.string(), kind: z.string(), count: z.number(), approved: z.number(), rejected: z.number() })) }) },
    },
    handler: async (req) => ({ items: await dailyCounts(db, req.query.days, req.query.tz) }),
  });

  r.get('/stats/hotspots', {
    config: { roles: OPS_READERS },
    schema: {
      tags: statsTags,
      summary: 'Top hotspots: camera, zone and category with most incidents (operators\' rejections excluded)',
      querystring: z.strictObject({ days: days(7), limit: z.coerce.number().int().min(1).max(100).default(10) }),
      response: {
        200: z.object({
          items: z.array(
            z.object({
              camera_id: z.string(),
              zone_id: z.string(),
              kind: z.string(),
              count: z.number(),
              rejected: z.number(),
              last_at: z.string(),
              name: z.string().nullable(),
              address: z.string().nullable(),
              location: z.object({ lat: z.number(), lon: z.number() }).nullable(),
            }),
          ),
        }),
      },
    },
    handler: async (req) => ({
      items: (await hotspots(db, req.query.days, req.query.limit)).map((h) => ({
        camera_id: h.camera_id,
        zone_id: h.zone_id,
        kind: h.kind,
        count: h.count,
        rejected: h.rejected,
        last_at: h.last_at,
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
      summary: 'Precision per kind and camera from operators\' verdicts (approved / (approved + rejected))',
      querystring: z.strictObject({ days: days(30) }),
      response: { 200: z.object({ items: z.array(z.object({ kind: z.string(), camera_id: z.string(), approved: z.number(), rejected: z.number(), precision: z.number().nullable() })) }) },
    },
    handler: async (req) => ({
      items: (await precision(db, req.query.days)).map((p) => ({ ...p, precision: p.approved + p.rejected ? p.approved / (p.approved + p.rejected) : null })),
    }),
  });
}
