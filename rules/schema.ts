import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { parseException, parseWindow, type Schedule } from './schedule.js';
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

/** A text field parsed by `parse`; its error message becomes the zod issue, naming the field. */
function parsedText<T>(what: string, parse: (text: string) => T) {
  return z.string({ error: `${what} must be text, e.g. ${what === 'dwell' ? '5m' : '30s'}` }).transform((text, ctx) => {
    try {
      return parse(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: `${what}: ${(e as Error).message}` });
      return z.NEVER;
    }
  });
}

/** A duration that must be > 0 (`dwell`), with a clear word for negative or zero values. */
function positiveDuration(what: string) {
  return parsedText(what, (text) => {
    if (/^\s*-/.test(text)) throw new Error(`must be greater than zero, e.g. 30s or 5m (got ${text})`);
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error(`must be greater than zero, e.g. 30s or 5m (got ${text})`);
    return ms;
  });
}

/** A duration that may be zero (a cooldown that is off). */
function durationOrZero(what: string) {
  return parsedText(what, parseDuration);
}

/** How long something must hold: a duration (`20m`) or a number of consecutive samples (`5`). */
export type Persistence = { ms: number } | { samples: number };

function persistence(what: string) {
  return z.union(
    [
      z.number().int(`${what} as a number counts samples: use a whole number ≥ 1`).min(1, `${what} must be at least 1 sample`).transform((n): Persistence => ({ samples: n })),
      positiveDuration(what).transform((ms): Persistence => ({ ms })),
    ],
    { error: `${what} must be a duration (e.g. 20m) or a number of consecutive samples (e.g. 5)` },
  );
}

/** Weekly windows in the camera's time zone, minus excepted dates. Absent: always enforced. */
export const scheduleSchema = z.strictObject({
  /** e.g. `mon-fri 07:00-19:00`, `sat,sun 09:00-12:00`, `22:00-06:00` (every day, overnight). */
  windows: z.array(parsedText('schedule window', parseWindow)).min(1, 'a schedule needs at least one window, e.g. "mon-fri 07:00-19:00"'),
  /** Local dates (`2026-10-01`) or inclusive ranges (`2026-10-01..2026-10-07`) when the sign does not apply. */
  except: z.array(parsedText('excepted date', parseException)).default([]),
});

const fraction = (what: string) => z.number().min(0, `${what} is a fraction between 0 and 1`).max(1, `${what} is a fraction between 0 and 1`);

export const VEHICLE_CLASSES = ['car', 'truck', 'bus', 'motorcycle'];

export const noParkingZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('no_parking'),
  /** Operator-facing name, e.g. "School gate". */
  name: z.string().max(200).optional(),
  polygon: polygonSchema,
  /** How long a vehicle must stay (inside the schedule) before it is an offence. */
  dwell: positiveDuration('dwell'),
  /** Detector labels (or weisu categories such as `vehicle`) that count. */
  classes: z.array(z.string().min(1)).min(1, 'classes needs at least one label, e.g. [car, truck]').default(VEHICLE_CLASSES),
  /** Detections below this score are ignored by the zone. */
  min_score: fraction('min_score').default(0.3),
  /** Smallest box that counts, in fractions of the frame (far-away or spurious boxes are ignored). */
  min_box: z.strictObject({ width: fraction('min_box.width').default(0.01), height: fraction('min_box.height').default(0.01) }).prefault({}),
  /** `bottom_center`: the point where the vehicle meets the road is inside; `overlap`: at least `min_overlap` of the box is. */
  presence: z.enum(['bottom_center', 'overlap']).default('bottom_center'),
  min_overlap: fraction('min_overlap').default(0.5),
  /** "The box stays": IoU with where the vehicle stopped. Lower tolerates jitter; higher catches crawling sooner. */
  stationary_iou: fraction('stationary_iou').default(0.5),
  schedule: scheduleSchema.optional(),
  /** After an incident in a spot is cleared, no new incident in that spot is confirmed for this long. */
  cooldown: durationOrZero('cooldown').prefault('0s'),
  /** The vehicle must be gone (not seen, not hidden) this long or this many samples before the stay ends. */
  clear_grace: persistence('clear_grace').prefault(3),
  /** The longest a stay survives while the spot is hidden (a bus parked in front). */
  max_hidden: positiveDuration('max_hidden').prefault('5m'),
});

export const binSiteZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('bin_site'),
  name: z.string().max(200).optional(),
  /** The bin and the ground where overflow piles up; its bounding box is what the classifier sees. */
  polygon: polygonSchema,
  /** How long (or how many consecutive judged samples) the overflowing state must persist before an incident. */
  persist: persistence('persist').prefault('20m'),
  /** How long (or how many judged samples) the bin must look normal again before the incident is cleared. */
  clear_after: persistence('clear_after').prefault(2),
  /** Classifier model id from the registry. */
  model: z.string().min(1).default('bin-fullness-yolov8n-cls-256'),
  /** Classifier labels that mean overflowing (case-insensitive); any other label means normal. */
  overflow_labels: z.array(z.string().min(1)).min(1).default(['full', 'overflowing', 'overflow']),
  /** Probability of the overflow labels needed to call the bin overflowing. */
  min_score: fraction('min_score').default(0.5),
  /** Crops outside these limits are skipped, not judged (night, glare, lens covered). */
  exposure: z
    .strictObject({
      /** Mean brightness (0 black .. 1 white) below which the crop is too dark. */
      min_brightness: fraction('exposure.min_brightness').default(0.12),
      max_brightness: fraction('exposure.max_brightness').default(0.92),
      /** Largest fraction of pixels that may be clipped to black or white. */
      max_clipped: fraction('exposure.max_clipped').default(0.5),
    })
    .prefault({}),
  /** Labelled examples per class needed before the site's own calibration decides instead of the model. */
  calibration_k: z.number().int().min(1).max(100).default(3),
});

export const zoneSchema = z.discriminatedUnion('kind', [noParkingZoneSchema, binSiteZoneSchema]);

export type NoParkingZone = z.output<typeof noParkingZoneSchema>;
export type BinSiteZone = z.output<typeof binSiteZoneSchema>;
export type Zone = z.output<typeof zoneSchema>;
export type { Schedule };
