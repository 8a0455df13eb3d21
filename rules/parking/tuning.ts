import { z } from 'zod';
import { durationField } from '../../core/duration.js';

/**
 * Every judgement constant of the parking rule in one place, with the reason for its default. A zone may
 * override any of them (`tuning:` in its config) and the eval sweeps them; defaults are measured on the
 * scenario suite and the shared street footage, never set for one scenario. Windows are durations (the same
 * street sampled every 2, 5 or 10 s must give the same incidents); the only counts are sample floors where
 * one sighting cannot decide, and ratios of samples, which do not change with the sampling rate.
 */

const fraction = (what: string) => z.number().min(0, `tuning.${what} is a fraction between 0 and 1`).max(1, `tuning.${what} is a fraction between 0 and 1`);
const factor = (what: string) => z.number().min(1, `tuning.${what} is a factor of at least 1`);

export const parkingTuningSchema = z
  .strictObject({
    hidden_coverage: fraction('hidden_coverage').default(0.3).describe('a box is hidden (not gone) when another object covers at least this much of it'),
    same_static_iou: fraction('same_static_iou')
      .default(0.7)
      .describe('a would-be occluder this similar to a box that already overlapped the spot while the vehicle was seen is that same static thing, not something in front'),
    front_slack: fraction('front_slack')
      .default(0.1)
      .describe(
        'seen from above, what stands in front of a vehicle meets the ground lower in the picture: an occluder\'s bottom edge may lie at most this fraction of the vehicle\'s height above the vehicle\'s own (box noise)',
      ),
    max_still_occluder_area: factor('max_still_occluder_area')
      .default(4)
      .describe('a still occluder larger than this many times the vehicle\'s box is the scene (YOLOX draws one over a whole empty road), not a bus in front'),
    look_hue: fraction('look_hue')
      .default(0.035)
      .describe('chromaticity difference above which two looks are two vehicles (the same car seen again: < 0.01; a grey car and a red one: ~0.18)'),
    look_hue_unmoved: fraction('look_hue_unmoved')
      .default(0.105)
      .describe('the same, between consecutive samples with the box unmoved: someone walking past in front spoils a look by up to ~0.04'),
    look_brightness: factor('look_brightness')
      .default(2)
      .describe('brightness ratio above which two looks are two vehicles (a white car and a black one are both grey; a cloud or dusk between sightings: up to ~1.7)'),
    dark_look: z.number().min(0).max(3).default(0.15).describe('sum of mean RGB below which a look has no hue (night)'),
    inside: fraction('inside').default(0.8).describe('a box with this much of its area inside another is a part of it (a partly hidden car, a truck\'s cab)'),
    duplicate_iou: fraction('duplicate_iou').default(0.7).describe('two eligible boxes this similar are one vehicle seen twice (a truck also labelled car)'),
    anchor_window: durationField('tuning.anchor_window')
      .default(20_000)
      .describe('the remembered position follows the vehicle as a mean over about this much time: jitter averages out, crawling does not'),
    spot_iou: fraction('spot_iou').default(0.3).describe('a cooldown spot blocks stays whose position overlaps it at least this much'),
    reappear_iou: fraction('reappear_iou')
      .default(0.75)
      .describe(
        'a vehicle seen again after a gap is the one that stood there only if its box is where it was last seen to within detector jitter; the next car of a stream lands near the spot, not on it',
      ),
    reappear_iou_once: fraction('reappear_iou_once')
      .default(0.9)
      .describe(
        'the same for a vehicle seen only once before its spot was seen empty: it has not shown that it stands, so only a box back exactly where it was (a car hidden since) continues its stay',
      ),
    seen_per_gap: z
      .number()
      .min(0)
      .default(2)
      .describe(
        'a stay whose spot was seen empty confirms only when its vehicle was seen more than this many times per run of such samples (a hidden car has one gap per occlusion; each car of a stream landing where the last stood adds one sighting and one gap)',
      ),
    same_size: factor('same_size').default(2).describe('a tracked box whose area changed by more than this factor since its last sample is not one object moving (the tracker linked two)'),
    mask_iou: fraction('mask_iou')
      .default(0.5)
      .describe('a detection overlapping an operator\'s mask, or a reference-scene object looking as it did, at least this much (IoU) is that background thing'),
    empty_sightings: z
      .number()
      .int()
      .min(1)
      .default(2)
      .describe('sample floor of clear_grace: one sighting of an empty spot cannot tell a detector miss from a departure, however long the sampling interval'),
  })
  .describe('judgement constants of the parking rule (defaults measured on the scenario suite; the eval sweeps them)');

export type ParkingTuning = z.output<typeof parkingTuningSchema>;

export const DEFAULT_TUNING: ParkingTuning = parkingTuningSchema.parse({});

/** Memory bounds, not judgements: what one zone's state may hold whatever a camera shows. */
export const LIMITS = {
  /** Stays kept per zone (unconfirmed, least recently seen dropped first). */
  stays: 64,
  /** Distinct static boxes remembered per stay as having overlapped its spot. */
  overlappers: 8,
  /** Reference-scene objects kept per zone. */
  background: 16,
} as const;
