import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { checkTimeZone, parseException, parseWindow, type Schedule } from './schedule.js';
import { polygonProblem } from '../core/geometry.js';
import { presetToken } from '../core/preset.js';
import { parkingTuningSchema } from './parking/tuning.js';

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

const zoneId = z.string().regex(/^[a-z0-9-]+$/, 'zone id must use only a-z, 0-9 and -').describe('unique within the camera: a-z, 0-9 and -');

/** A text field parsed by `parse`; its error message becomes the zod issue. */
function parsedText<T>(what: string, example: string, parse: (text: string) => T) {
  return z.string({ error: `${what} must be text, e.g. ${example}` }).transform((text, ctx) => {
    try {
      return parse(text);
    } catch (e) {
      // The field is named beside the message wherever it is shown: saying it here too doubles it.
      ctx.addIssue({ code: 'custom', message: (e as Error).message });
      return z.NEVER;
    }
  });
}

/** A duration that must be > 0 (`dwell`), with a clear word for negative or zero values. */
function positiveDuration(what: string) {
  return parsedText(what, '5m', (text) => {
    const ms = /^\s*-/.test(text) ? -1 : parseDuration(text);
    if (ms <= 0) throw new Error(`must be greater than zero, e.g. 30s or 5m (got ${text})`);
    return ms;
  });
}

/** A duration that may be zero (a cooldown that is off). */
function durationOrZero(what: string) {
  return parsedText(what, '10m', parseDuration);
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

/**
 * A window of time such as `clear_grace`: a duration only. A number used to count samples, which made the
 * rule's meaning change with the sampling rate (3 samples: 6 s at 2 s sampling, 30 s at 10 s); it is
 * refused with the fix rather than guessed at.
 */
function timeWindow(what: string, example: string) {
  const duration = positiveDuration(what);
  return z.union([z.string(), z.number()], { error: `${what} must be a duration, e.g. ${example}` }).transform((value, ctx) => {
    if (typeof value === 'number') {
      ctx.addIssue({ code: 'custom', message: `${what} is a time, not a number of samples (got ${value}): write a duration such as ${example}, which means the same at any sampling interval` });
      return z.NEVER;
    }
    const parsed = duration.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message });
      return z.NEVER;
    }
    return parsed.data;
  });
}

/** A camera's IANA time zone, checked against what Intl knows (schedules are evaluated in it). */
export const timezoneSchema = z
  .string()
  .refine(
    (tz) => {
      try {
        checkTimeZone(tz);
        return true;
      } catch {
        return false;
      }
    },
    { message: 'timezone must be an IANA time zone name such as Asia/Shanghai or Europe/Berlin' },
  )
  .describe('IANA time zone of the camera, for schedules and evidence timestamps');

/** Weekly windows in the camera's time zone, minus excepted dates. Absent: always enforced. */
export const scheduleSchema = z
  .strictObject({
    windows: z
      .array(parsedText('schedule window', 'mon-fri 07:00-19:00', parseWindow))
      .min(1, 'a schedule needs at least one window, e.g. "mon-fri 07:00-19:00"')
      .describe('when the sign applies, in the camera time zone: "[days] HH:MM-HH:MM", e.g. "mon-fri 07:00-19:00", "sat,sun 09:00-12:00", "22:00-06:00" (overnight, every day)'),
    except: z
      .array(parsedText('excepted date', '2026-10-01', parseException))
      .default([])
      .describe('local dates when the sign does not apply: "2026-10-01" or an inclusive range "2026-10-01..2026-10-07"'),
  })
  .describe('when parking here is an offence; without a schedule, always');

const fraction = (what: string) => z.number().min(0, `${what} is a fraction between 0 and 1`).max(1, `${what} is a fraction between 0 and 1`);

/** A box in fractions of the frame: [x1, y1, x2, y2], x1 < x2 and y1 < y2. */
export const fractionBoxSchema = z
  .tuple([fraction('box x1'), fraction('box y1'), fraction('box x2'), fraction('box y2')])
  .refine(([x1, y1, x2, y2]) => x1 < x2 && y1 < y2, 'a box is [x1, y1, x2, y2] in fractions of the frame with x1 < x2 and y1 < y2');

/** An operator's "not a vehicle" verdict on one place of a zone. */
export const maskSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9._:~-]{1,200}$/, 'mask id: letters, digits and . _ : ~ - (at most 200)').optional().describe('set by the store for verdicts given through the API'),
  box: fractionBoxSchema.describe('the object that is not a vehicle: [x1, y1, x2, y2] in fractions of the frame'),
  note: z.string().max(500).optional().describe('what it is, e.g. "loudspeaker box"'),
  incident_id: z.string().max(300).optional().describe('the incident whose review said "not a vehicle"'),
});

export const VEHICLE_CLASSES = ['car', 'truck', 'bus', 'motorcycle'];

export const noParkingZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('no_parking').describe('no_parking: a vehicle staying in the zone longer than `dwell` is an incident'),
  name: z.string().max(200).optional().describe('operator-facing name, e.g. "School gate"'),
  preset: presetToken.optional().describe('PTZ domes: the preset whose view the zone is drawn on; it is watched only while the dome is there (a patrol stop), and its stays carry across visits'),
  polygon: polygonSchema.describe('the zone: [x, y] points in fractions of the frame width and height, in order around it'),
  dwell: positiveDuration('dwell').describe('how long a vehicle must stay (inside the schedule) before it is an offence, e.g. 5m'),
  classes: z
    .array(z.string().min(1))
    .min(1, 'classes needs at least one label, e.g. [car, truck]')
    .default(VEHICLE_CLASSES)
    .describe('detector labels (or weisu categories such as vehicle) that count'),
  min_score: fraction('min_score').default(0.3).describe('detections scoring lower are ignored by this zone'),
  min_box: z
    .strictObject({
      width: fraction('min_box.width').default(0.01).describe('smallest box width, as a fraction of the frame width'),
      height: fraction('min_box.height').default(0.01).describe('smallest box height, as a fraction of the frame height'),
    })
    .prefault({})
    .describe('smallest box that counts, in fractions of the frame (far-away or spurious boxes are ignored)'),
  presence: z
    .enum(['bottom_center', 'overlap'])
    .default('bottom_center')
    .describe('bottom_center: the point where the vehicle meets the road is inside the zone; overlap: at least min_overlap of its box is'),
  min_overlap: fraction('min_overlap').default(0.5).describe('with presence: overlap, the fraction of the box that must lie inside the zone'),
  stationary_iou: fraction('stationary_iou')
    .default(0.5)
    .describe('"the box stays": IoU of the box with where the vehicle stopped; lower tolerates more jitter, higher catches crawling sooner'),
  schedule: scheduleSchema.optional(),
  cooldown: durationOrZero('cooldown')
    .prefault('0s')
    .describe('after an incident in a spot is cleared, no new incident in that spot is confirmed for this long (0s: off)'),
  clear_grace: timeWindow('clear_grace', '30s')
    .prefault('30s')
    .describe('the vehicle must be gone this long (its spot seen empty, not hidden, and in at least tuning.empty_sightings samples) before its stay ends; a vehicle back where it stood, looking as it did, within this time continues its stay'),
  max_hidden: timeWindow('max_hidden', '5m').prefault('5m').describe('the longest a stay survives while its spot is hidden (a bus standing in front)'),
  reference_scene: z
    .boolean()
    .default(true)
    .describe(
      'what stands in the zone at the first sample it is watched (a loudspeaker box, a kiosk the detector calls a vehicle) is part of the street, never a stay; a vehicle already parked then is not ticketed until it leaves and comes back',
    ),
  masks: z
    .array(maskSchema)
    .max(64, 'at most 64 masks per zone')
    .default([])
    .describe('places in the zone where what the detector sees is not a vehicle (operators\' "not a vehicle" verdicts); detections on them are ignored'),
  tuning: parkingTuningSchema.prefault({}),
});

export const binSiteZoneSchema = z.strictObject({
  id: zoneId,
  kind: z.literal('bin_site').describe('bin_site: a bin judged overflowing for `persist` is an incident'),
  name: z.string().max(200).optional().describe('operator-facing name, e.g. "Market St bins"'),
  polygon: polygonSchema.describe('the bin and the ground where overflow piles up; its bounding box is what the classifier sees'),
  persist: persistence('persist')
    .prefault('20m')
    .describe('how long (e.g. 20m) or how many consecutive judged samples (e.g. 5) overflowing must persist before an incident'),
  clear_after: persistence('clear_after')
    .prefault(2)
    .describe('how long, or how many judged samples, the bin must look normal again before the incident is cleared'),
  model: z.string().min(1).default('bin-fullness-yolov8n-cls-256').describe('classifier model id (weisu models list)'),
  overflow_labels: z
    .array(z.string().min(1))
    .min(1)
    .default(['full', 'overflowing', 'overflow'])
    .describe("the classifier's labels that mean overflowing (case-insensitive); any other label means normal"),
  min_score: fraction('min_score').default(0.5).describe('probability of the overflow labels needed to call the bin overflowing'),
  exposure: z
    .strictObject({
      min_brightness: fraction('exposure.min_brightness').default(0.12).describe('mean brightness (0 black .. 1 white) below which the crop is too dark'),
      max_brightness: fraction('exposure.max_brightness').default(0.92).describe('mean brightness above which the crop is washed out'),
      max_clipped: fraction('exposure.max_clipped').default(0.5).describe('largest fraction of pixels clipped to black or white'),
    })
    .prefault({})
    .describe('crops outside these limits are skipped, not judged (night, glare, lens covered)'),
  calibration_k: z
    .number()
    .int()
    .min(1)
    .max(100)
    .default(3)
    .describe('labelled examples per class (weisu calibrate) needed before the site is judged by its own calibration instead of the generic model'),
});

export const zoneSchema = z.discriminatedUnion('kind', [noParkingZoneSchema, binSiteZoneSchema]);

export type NoParkingZone = z.output<typeof noParkingZoneSchema>;
export type BinSiteZone = z.output<typeof binSiteZoneSchema>;
export type Mask = z.output<typeof maskSchema>;
export type Zone = z.output<typeof zoneSchema>;
export type { Schedule };
