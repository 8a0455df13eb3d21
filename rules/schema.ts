import { z } from 'zod';
import { durationField } from '../core/duration.js';
import { polygonProblem } from './geometry.js';

const point = z.tuple([
  z.number().min(0, 'x must be a fraction of the frame width between 0 and 1').max(1, 'x must be a fraction of the frame width between 0 and 1'),
  z.number().min(0, 'y must be a fraction of the frame height between 0 and 1').max(1, 'y must be a fraction of the frame height between 0 and 1'),
]);

/** Polygon in fractions of the frame (0..1), at least 3 points, simple (not self-intersecting), non-empty. */
export const polygonSchema = z
  .array(point)
  .min(3, 'a zone polygon needs at least 3 points [x, y] in fractions of the frame')
  .superRefine((pts, ctx) => {
    if (pts.length < 3) return; // already reported by min()
    const problem = polygonProblem(pts as [number, number][]);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const zoneId = z.string().regex(/^[a-z0-9-]+$/, 'zone id must use only a-z, 0-9 and -');

export const noParkingZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('no_parking'),
  polygon: polygonSchema,
  /** How long a vehicle must stay before it is an offence. */
  dwell: durationField('dwell'),
});

export const binSiteZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('bin_site'),
  polygon: polygonSchema,
  /** How long the overflowing state must persist before an incident. */
  persist: durationField('persist').prefault('20m'),
});

export const zoneSchema = z.discriminatedUnion('kind', [noParkingZoneSchema, binSiteZoneSchema]);

export type NoParkingZone = z.output<typeof noParkingZoneSchema>;
export type BinSiteZone = z.output<typeof binSiteZoneSchema>;
export type Zone = z.output<typeof zoneSchema>;
