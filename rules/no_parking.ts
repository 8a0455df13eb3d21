import type { BBox, Detection, RuleEvent } from '../core/types.js';
import { boxIou, coverage, pointInPolygon, polygonBoxIntersectionArea, boxArea, type Point } from '../core/geometry.js';
import { inSchedule } from './schedule.js';
import type { NoParkingZone } from './schema.js';

/**
 * The no-parking rule for one zone. A *stay* is one vehicle standing in one place: it starts when an
 * eligible vehicle appears in the zone, survives detector jitter (IoU with where it stopped), brief
 * misses and occlusion (something in front of the spot covering it), and ends when the spot has been seen
 * empty for `clear_grace`, or at once when a vehicle of another colour stands there after the spot was seen
 * empty, or when the vehicle has crept away from where it stopped. Only its own vehicle keeps a stay seen:
 * moving traffic, where each car lands near where the one before stood, is told apart by look, by where
 * the box comes back after a gap, and by tracks that drove in (see otherVehicle); and a stay confirms only
 * when its vehicle was seen in most samples. A stay confirmed after `dwell` of enforced time is one
 * incident, ever.
 */

/** A box is hidden (not gone) when another object covers at least this much of it. */
const HIDDEN_COVERAGE = 0.3;
/** A would-be occluder this similar to a box that already overlapped the spot while the vehicle was seen is that same static thing. */
const SAME_STATIC_IOU = 0.7;
/**
 * On a road seen from above, what stands in front of a vehicle meets the ground nearer the camera: lower in
 * the picture. An occluder's bottom edge may lie at most this fraction of the vehicle's height above the
 * vehicle's own (box noise); a car further up the lane overlaps the spot in the picture but hides nothing.
 */
const FRONT_SLACK = 0.1;
/** A still occluder larger than this many times the vehicle's box is not believed (see hiddenBy). */
const MAX_STILL_OCCLUDER_AREA = 4;
/**
 * Look thresholds (see otherLook): the same car seen again differs by < 0.01 in chromaticity and < 1.2×
 * in brightness across samples (a cloud or dusk between two sightings: up to ~1.7×); two cars of
 * different colours, or a white and a black one, by more.
 */
const LOOK_HUE = 0.035;
/**
 * Between two consecutive samples with the box unmoved, a look may be spoilt by someone walking past in front
 * (measured: up to ~0.04 in chromaticity); a grey car and a red one differ by ~0.18.
 */
const LOOK_HUE_UNMOVED = 3 * LOOK_HUE;
const LOOK_BRIGHTNESS = 2;
/** Sum of mean RGB below which a look says nothing (night). */
const DARK_LOOK = 0.15;
/** Distinct static overlapping boxes remembered per stay. */
const MAX_OVERLAPPERS = 8;
/** A box with this much of its area inside another is a part of it (a partly hidden car, a cab). */
const INSIDE = 0.8;
/** Two eligible boxes this similar are one vehicle seen twice (a truck also labelled car). */
const DUPLICATE_IOU = 0.7;
/** How quickly the remembered position follows the vehicle: averages over about this many samples. */
const ANCHOR_SAMPLES = 20;
/** A cooldown spot blocks stays whose position overlaps it at least this much. */
const SPOT_IOU = 0.3;
/** Bounded state: the most stays one zone keeps (unconfirmed, least recently seen dropped first). */
const MAX_STAYS = 64;
/**
 * A vehicle seen again after samples in which it was not (hidden or missed) is the one that stood there only
 * if its box is where it was last seen to within detector jitter (a standing car's box comes back to within
 * a few pixels); the next car of a stream of traffic passing the spot lands near it, not on it.
 */
const REAPPEAR_IOU = 0.75;
/** A stay confirms only once its vehicle has been seen at least this many times per sample its spot was seen empty. */
const SEEN_PER_MISSED = 2;
/** A tracked box whose area changed by more than this factor since its last sample is not one object moving (the tracker linked two). */
const SAME_SIZE = 2;

/** What the tracker knows about motion: ids of tracks that stood still since the previous sample, and every track's box before this sample. */
export interface TrackMotion {
  still: ReadonlySet<number>;
  before: ReadonlyMap<number, BBox>;
}

export interface Stay {
  incidentId: string;
  trackId?: number;
  /** Where the vehicle stands: a running mean of its boxes (pixels), so jitter averages out but crawling does not. */
  anchor: BBox;
  /** Its box when the stay began: the vehicle must also stay near where it stopped (a slow creep drags the mean along). */
  origin: BBox;
  samples: number;
  subject: { box: BBox; label: string; score: number };
  firstSeen: number;
  lastSeen: number;
  /** Last sample at which the vehicle was seen or its spot hidden by something in front of it. */
  lastAccounted: number;
  /** Mean colour of the vehicle at its latest sighting (when detections carry one). */
  look?: [number, number, number];
  /** Consecutive samples at which the spot was visible and the vehicle not in it. */
  goneSamples: number;
  /**
   * All samples since the stay began at which the spot was visible and the vehicle not in it: a vehicle that
   * stands there is seen in most samples, while a spot that cars of a stream happen to pass now and then
   * (looking alike, each landing near where the last stood) is empty about as often as not.
   */
  missed: number;
  /**
   * Other boxes that covered the spot while the vehicle was seen (the latest few distinct ones): a static
   * thing (a sign, a false detection over the whole road) that was there with the vehicle cannot be what hides it.
   */
  overlappers: BBox[];
  /** First sample of the current run of enforced (in-schedule) time; undefined outside the schedule. */
  enforcedSince?: number;
  confirmedAt?: number;
}

export interface NoParkingState {
  kind: 'no_parking';
  stays: Stay[];
  /** Spots of recently cleared incidents, blocked until `until` (cooldown). */
  spots: { box: BBox; until: number }[];
}

export interface RuleContext {
  cameraId: string;
  timezone: string;
  ts: number;
  frameSize: { width: number; height: number };
}

export function emptyNoParking(): NoParkingState {
  return { kind: 'no_parking', stays: [], spots: [] };
}

/** Whether a detection counts for this zone: class, score, size and presence in the polygon. */
export function eligible(det: Detection, zone: NoParkingZone, frame: { width: number; height: number }): boolean {
  if (!zone.classes.includes(det.label) && !zone.classes.includes(det.category)) return false;
  if (det.score < zone.min_score) return false;
  const [x1, y1, x2, y2] = det.box;
  const w = (x2 - x1) / frame.width;
  const h = (y2 - y1) / frame.height;
  if (w < zone.min_box.width || h < zone.min_box.height) return false;
  const norm: [number, number, number, number] = [x1 / frame.width, y1 / frame.height, x2 / frame.width, y2 / frame.height];
  if (zone.presence === 'bottom_center') {
    const foot: Point = [(norm[0] + norm[2]) / 2, norm[3]];
    return pointInPolygon(foot, zone.polygon as Point[]);
  }
  const area = boxArea(norm);
  return area > 0 && polygonBoxIntersectionArea(zone.polygon as Point[], norm) / area >= zone.min_overlap;
}

/** Eligible detections, one per vehicle (class-agnostic duplicate suppression, higher score wins). */
function vehiclesIn(items: Detection[], zone: NoParkingZone, frame: { width: number; height: number }): Detection[] {
  const kept: Detection[] = [];
  const sorted = items.filter((d) => eligible(d, zone, frame)).sort((a, b) => b.score - a.score || a.box[0] - b.box[0]);
  // A weaker box lying within a stronger one is a part of it (a truck's cab labelled car), not a second vehicle.
  for (const d of sorted) if (!kept.some((k) => boxIou(k.box, d.box) >= DUPLICATE_IOU || coverage(k.box, d.box) >= INSIDE)) kept.push(d);
  return kept;
}

/** Adds the boxes now covering `spot` (other than the vehicle's) to the remembered ones, newest first, bounded. */
function remember(known: BBox[], items: Detection[], veh: Detection, spot: BBox): BBox[] {
  const now = items.filter((d) => d !== veh && coverage(d.box, spot) >= HIDDEN_COVERAGE).map((d): BBox => [...d.box]);
  const older = known.filter((k) => !now.some((n) => boxIou(n, k) >= SAME_STATIC_IOU));
  return [...now, ...older].slice(0, MAX_OVERLAPPERS);
}

/**
 * The spot is hidden, not empty, when something in front of it (lower in the picture) covers it that is not
 * the vehicle itself driving off (its own track counts only when it lies within the spot: the visible part of
 * a partly hidden vehicle), not another vehicle standing in its own spot or in the vehicle's (`others`), and
 * not a static thing that was already there while the
 * vehicle was visible. Something standing still must also be of a plausible size: a still box many times
 * the vehicle's (YOLOX draws one over a whole empty road) is the scene, not a bus in front.
 * A vehicle seen only once has shown no stay worth protecting.
 */
function hiddenBy(stay: Stay, items: Detection[], standing: Set<Detection>, still: ReadonlySet<number>, others: ReadonlySet<Detection> | undefined): boolean {
  if (stay.samples < 2) return false;
  const maxStill = MAX_STILL_OCCLUDER_AREA * boxArea(stay.anchor);
  return items.some(
    (d) =>
      !standing.has(d) &&
      // Another vehicle standing or passing in the spot itself shows the spot, not something in front of it.
      !others?.has(d) &&
      // Its own track counts only as the visible part of it, never as it driving off.
      (d.trackId === undefined || d.trackId !== stay.trackId || coverage(stay.anchor, d.box) >= INSIDE) &&
      coverage(d.box, stay.anchor) >= HIDDEN_COVERAGE &&
      d.box[3] >= stay.anchor[3] - FRONT_SLACK * (stay.anchor[3] - stay.anchor[1]) &&
      !stay.overlappers.some((o) => boxIou(o, d.box) >= SAME_STATIC_IOU) &&
      !(d.trackId !== undefined && still.has(d.trackId) && boxArea(d.box) > maxStill),
  );
}

/**
 * Two looks of different vehicles: another hue (chromaticity, which light level does not change), or a
 * brightness far off (a white car and a black one are both grey). Without both looks: the same.
 */
export function otherLook(a: readonly number[] | undefined, b: readonly number[] | undefined, hueTolerance = LOOK_HUE): boolean {
  if (!a || !b) return false;
  const sa = a[0]! + a[1]! + a[2]!;
  const sb = b[0]! + b[1]! + b[2]!;
  if (sa < DARK_LOOK || sb < DARK_LOOK) return false; // too dark to have a hue
  const hue = Math.max(Math.abs(a[0]! / sa - b[0]! / sb), Math.abs(a[1]! / sa - b[1]! / sb));
  return hue > hueTolerance || Math.max(sa / sb, sb / sa) > LOOK_BRIGHTNESS;
}

/**
 * Why `veh`, standing where the stay's vehicle stands, is another vehicle (undefined: it may be the same).
 * `look`: it looks different (far more so when it is seen again at once, its box unmoved: a look alone can
 * be spoilt for a sample by someone walking past in front); `reappeared`: the stay was not seen at its latest
 * sample and the box is not back where it was last seen; `arrived`: the tracker followed it here from
 * elsewhere since the previous sample (and it is the same size there: one object, not two linked).
 */
function otherVehicle(stay: Stay, veh: Detection, zone: NoParkingZone, motion: TrackMotion): 'look' | 'reappeared' | 'arrived' | undefined {
  const gap = stay.lastSeen < stay.lastAccounted || stay.goneSamples > 0;
  const moved = boxIou(stay.subject.box, veh.box) < Math.max(REAPPEAR_IOU, zone.stationary_iou);
  if (otherLook(stay.look, veh.appearance, gap || moved ? LOOK_HUE : LOOK_HUE_UNMOVED)) return 'look';
  if (gap && moved) return 'reappeared';
  const before = veh.trackId === undefined ? undefined : motion.before.get(veh.trackId);
  if (before && boxIou(before, stay.anchor) < zone.stationary_iou && boxIou(before, veh.box) < zone.stationary_iou) {
    const ratio = boxArea(before) / Math.max(boxArea(veh.box), 1);
    if (ratio <= SAME_SIZE && ratio >= 1 / SAME_SIZE) return 'arrived';
  }
  return undefined;
}

function gone(stay: Stay, zone: NoParkingZone, ts: number): boolean {
  if (ts - stay.lastSeen > zone.max_hidden) return true;
  if (stay.goneSamples === 0) return false;
  const g = zone.clear_grace;
  return 'samples' in g ? stay.goneSamples >= g.samples : ts - stay.lastAccounted >= g.ms;
}

function event(type: RuleEvent['type'], stay: Stay, zone: NoParkingZone, ctx: RuleContext): RuleEvent {
  return {
    type,
    incidentId: stay.incidentId,
    cameraId: ctx.cameraId,
    zoneId: zone.id,
    kind: 'no_parking',
    firstSeen: stay.firstSeen,
    confirmedAt: stay.confirmedAt!,
    lastSeen: stay.lastSeen,
    ts: ctx.ts,
    subject: { ...stay.subject, box: [...stay.subject.box], ...(stay.trackId === undefined ? {} : { trackId: stay.trackId }) },
    frameSize: { ...ctx.frameSize },
  };
}

/**
 * One sample for one zone. `items` are all of the camera's detections with track ids (every class:
 * a bus that is not eligible still hides a car behind it); `motion` the ids of tracks that have not moved
 * since the previous sample and where each track was before it. Returns the new state, the events, and the
 * incident ids of stays that began at this sample (so the caller can keep their first frame as evidence).
 */
export function stepNoParking(
  prev: NoParkingState | undefined,
  items: Detection[],
  zone: NoParkingZone,
  ctx: RuleContext,
  motion: TrackMotion = { still: new Set(), before: new Map() },
): { state: NoParkingState; events: RuleEvent[]; started: string[] } {
  const { ts } = ctx;
  const state = upgraded(prev ?? emptyNoParking());
  const vehicles = vehiclesIn(items, zone, ctx.frameSize);
  const events: RuleEvent[] = [];

  // Match stays to vehicles where they stand; a stay's own track is preferred among equals.
  const pairs: { s: number; v: number; iou: number; own: boolean }[] = [];
  // Stays whose spot now holds a vehicle that is not theirs, or theirs crept away from where it stopped.
  const leftSpot = new Set<number>();
  // Per stay, the vehicles in its spot that are not its own (they neither keep it seen nor hide it).
  const others = new Map<number, Set<Detection>>();
  state.stays.forEach((stay, s) =>
    vehicles.forEach((veh, v) => {
      const iou = boxIou(stay.anchor, veh.box);
      if (iou < zone.stationary_iou) return;
      const other = otherVehicle(stay, veh, zone, motion);
      if (other) {
        (others.get(s) ?? others.set(s, new Set()).get(s)!).add(veh);
        // Seen again after its spot was seen empty, but looking like another vehicle: the first one left.
        if (other === 'look' && stay.goneSamples > 0) leftSpot.add(s);
      }
      // Near where it has been on average, but no longer where it stopped: creeping, as in a queue.
      else if (boxIou(stay.origin, veh.box) < zone.stationary_iou) leftSpot.add(s);
      else pairs.push({ s, v, iou, own: veh.trackId !== undefined && veh.trackId === stay.trackId });
    }),
  );
  pairs.sort((a, b) => Number(b.own) - Number(a.own) || b.iou - a.iou || a.s - b.s || a.v - b.v);
  const vehicleOf = new Map<number, number>();
  const taken = new Set<number>();
  for (const p of pairs) {
    if (vehicleOf.has(p.s) || taken.has(p.v)) continue;
    vehicleOf.set(p.s, p.v);
    taken.add(p.v);
  }

  const enforced = inSchedule(zone.schedule, ts, ctx.timezone);
  const spots = state.spots.filter((sp) => sp.until > ts);
  const stays: Stay[] = [];
  // Vehicles standing in their own spots this sample are accounted for: they hide nothing.
  const standing = new Set([...vehicleOf.values()].map((v) => vehicles[v]!));
  state.stays.forEach((old, s) => {
    const v = vehicleOf.get(s);
    let stay: Stay;
    if (v !== undefined) {
      const veh = vehicles[v]!;
      const n = Math.min(old.samples + 1, ANCHOR_SAMPLES);
      const anchor = old.anchor.map((a, i) => a + (veh.box[i]! - a) / n) as BBox;
      stay = {
        ...old,
        anchor,
        samples: old.samples + 1,
        trackId: veh.trackId ?? old.trackId,
        subject: { box: [...veh.box], label: veh.label, score: veh.score },
        ...(veh.appearance ? { look: veh.appearance } : {}),
        lastSeen: ts,
        lastAccounted: ts,
        goneSamples: 0,
        overlappers: remember(old.overlappers, items, veh, anchor),
      };
    } else {
      const hidden = hiddenBy(old, items, standing, motion.still, others.get(s));
      stay = hidden ? { ...old, lastAccounted: ts } : { ...old, goneSamples: old.goneSamples + 1, missed: old.missed + 1 };
    }
    stay.enforcedSince = enforced ? (stay.enforcedSince ?? ts) : undefined;

    if (gone(stay, zone, ts) || (v === undefined && leftSpot.has(s))) {
      if (stay.confirmedAt !== undefined) {
        events.push(event('cleared', stay, zone, ctx));
        if (zone.cooldown > 0) spots.push({ box: [...stay.anchor], until: ts + zone.cooldown });
      }
      return;
    }
    const present = v !== undefined;
    const blocked = spots.some((sp) => boxIou(sp.box, stay.anchor) >= SPOT_IOU);
    if (present && stay.confirmedAt === undefined && stay.samples >= SEEN_PER_MISSED * stay.missed && stay.enforcedSince !== undefined && ts - stay.enforcedSince >= zone.dwell && !blocked) {
      stay.confirmedAt = ts;
      events.push(event('confirmed', stay, zone, ctx));
    }
    stays.push(stay);
  });

  // Vehicles not standing where a stay is begin new stays (unless they merely overlap one heavily). A new
  // stay is never confirmed at its first sighting, whatever the dwell: one sighting cannot show a vehicle stays.
  const fresh = vehicles
    .filter((veh, v) => !taken.has(v) && !stays.some((st) => boxIou(st.anchor, veh.box) >= zone.stationary_iou || coverage(st.anchor, veh.box) >= INSIDE))
    .sort((a, b) => a.box[0] - b.box[0] || a.box[1] - b.box[1]);
  const started: string[] = [];
  const base = `${ctx.cameraId}:${zone.id}:${ts}`;
  fresh.forEach((veh, i) => {
    const incidentId = i === 0 ? base : `${base}~${i + 1}`;
    started.push(incidentId);
    stays.push({
      incidentId,
      ...(veh.trackId === undefined ? {} : { trackId: veh.trackId }),
      anchor: [...veh.box],
      origin: [...veh.box],
      samples: 1,
      subject: { box: [...veh.box], label: veh.label, score: veh.score },
      ...(veh.appearance ? { look: veh.appearance } : {}),
      firstSeen: ts,
      lastSeen: ts,
      lastAccounted: ts,
      goneSamples: 0,
      missed: 0,
      overlappers: remember([], items, veh, veh.box),
      ...(enforced ? { enforcedSince: ts } : {}),
    });
  });
  return { state: { kind: 'no_parking', stays: bounded(stays), spots }, events, started };
}

/** A state stored by an earlier weisu (in Redis across an upgrade) lacks fields added since: fill them in. */
function upgraded(state: NoParkingState): NoParkingState {
  return { ...state, spots: state.spots ?? [], stays: state.stays.map((s) => ({ ...s, origin: s.origin ?? s.anchor, overlappers: s.overlappers ?? [], missed: s.missed ?? 0 })) };
}

function bounded(stays: Stay[]): Stay[] {
  if (stays.length <= MAX_STAYS) return stays;
  const keep = new Set(
    [...stays]
      .sort((a, b) => Number(b.confirmedAt !== undefined) - Number(a.confirmedAt !== undefined) || b.lastSeen - a.lastSeen)
      .slice(0, MAX_STAYS),
  );
  return stays.filter((s) => keep.has(s));
}
