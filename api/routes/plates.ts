import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { cameraSchema } from '../../config/schema.js';
import { plateKey } from '../../plates/formats.js';
import { plateHistory, repeatOffenders, weekStart } from '../../store/plates.js';
import { OPS_READERS } from '../auth.js';
import type { ApiDeps } from '../server.js';

const WEEK_MS = 7 * 86_400_000;
const frameTime = (what: string) => z.iso.datetime().describe(`${what}: the time of the frame`);

/** A calendar date; any day of the week asked for. */
const weekQuery = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'week must be a date YYYY-MM-DD (any day of the week; weeks start on Monday)')
  .refine((d) => !Number.isNaN(Date.parse(`${d}T12:00:00Z`)) && new Date(`${d}T12:00:00Z`).toISOString().startsWith(d), 'week is not a calendar date: use YYYY-MM-DD, e.g. 2026-11-23');

/** However the plate is written (浙G·Z6825, 浙GZ6825, dr-68651): matching uses its letters and digits. */
const plateParams = z.object({
  plate: z
    .string()
    .max(32)
    .refine((p) => (p.match(/[\p{L}\p{N}]/gu) ?? []).length >= 2, 'plate must have at least two letters or digits, e.g. 浙G·Z6825 (URL-encoded)'),
});

const offenderView = z.strictObject({
  plate: z.string().describe('as last written on a ticket, e.g. 浙G·Z6825'),
  plate_key: z.string().describe('letters and digits only: what matching uses'),
  offences: z.number().describe('ticketed offences that week; a car moved within the cooldown is one offence'),
  cameras: z.array(z.string()),
  incident_ids: z.array(z.string()).describe('the ticketed incidents, oldest first'),
  first_at: frameTime('first offence'),
  last_at: frameTime('last offence'),
}).meta({ id: 'RepeatOffender' });

const sightingView = z.strictObject({
  incident_id: z.string(),
  plate: z.string(),
  format: z.string(),
  confidence: z.number(),
  camera_id: z.string(),
  zone_id: z.string().nullable(),
  at: frameTime('confirmed'),
  repeat_of: z.string().nullable().describe('the ticketed incident this one repeated within the cooldown (it got no ticket of its own), or null'),
}).meta({ id: 'PlateSighting' });

const offenders = z.strictObject({ week_start: z.iso.datetime(), week_end: z.iso.datetime(), items: z.array(offenderView) }).meta({ id: 'RepeatOffenders' });
const history = z.strictObject({ plate_key: z.string(), offences: z.number().describe('ticketed offences among the items'), items: z.array(sightingView) }).meta({ id: 'PlateHistory' });

/** Repeat offenders per plate and week, and one plate's history: what the hotline uses to warn or fine owners. */
export async function plateRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { db } = deps;
  const tags = ['plates'];

  r.get('/plates/repeat-offenders', {
    config: { roles: OPS_READERS },
    schema: {
      tags,
      operationId: 'listRepeatOffenders', summary: 'Plates with several ticketed offences in one week, most first',
      querystring: z.strictObject({
        week: weekQuery.optional().describe('any day of the week (Monday to Sunday in tz); default: this week'),
        tz: cameraSchema.shape.timezone.describe('the week starts on Monday 00:00 in this time zone'),
        min_offences: z.coerce.number().int().min(1).max(1000).default(2),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
      response: { 200: offenders },
    },
    handler: async (req) => {
      const q = req.query;
      // Noon UTC falls on the same calendar day in every zone from UTC-11 to UTC+11.
      const start = weekStart(q.week ? Date.parse(`${q.week}T12:00:00Z`) : Date.now(), q.tz);
      const rows = await repeatOffenders(db, start, { minOffences: q.min_offences, limit: q.limit });
      return {
        week_start: new Date(start).toISOString(),
        week_end: new Date(start + WEEK_MS).toISOString(),
        items: rows.map((o) => ({ plate: o.plateText, plate_key: o.plateKey, offences: o.offences, cameras: o.cameras, incident_ids: o.incidentIds, first_at: new Date(o.firstAtMs).toISOString(), last_at: new Date(o.lastAtMs).toISOString() })),
      };
    },
  });

  r.get('/plates/:plate', {
    config: { roles: OPS_READERS },
    schema: {
      tags,
      operationId: 'getPlateHistory', summary: 'Every incident a plate was read on, newest first (offences and their repeats)',
      params: plateParams,
      querystring: z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: history },
    },
    handler: async (req) => {
      const rows = await plateHistory(db, req.params.plate, { limit: req.query.limit });
      return {
        plate_key: plateKey(req.params.plate),
        offences: rows.filter((s) => !s.repeatOf).length,
        items: rows.map((s) => ({
          incident_id: s.incidentId,
          plate: s.plateText,
          format: s.format,
          confidence: s.confidence,
          camera_id: s.cameraId,
          zone_id: s.zoneId,
          at: new Date(s.atMs).toISOString(),
          repeat_of: s.repeatOf,
        })),
      };
    },
  });
}
