import type { BBox, Detection } from '../../core/types.js';
import { boxArea, boxIou, coverage } from '../../core/geometry.js';
import { greedyMatch } from '../match.js';
import type { NoParkingZone } from '../schema.js';
import { otherLook } from './look.js';
import { inFront } from './occlusion.js';
import type { Stay } from './stay.js';

/**
 * Which vehicle of this sample is which stay's. Only its own vehicle keeps a stay seen: moving traffic,
 * where each car lands near where the one before stood, is told apart by look, by where the box comes back
 * after a gap, and by tracks that drove in (see otherVehicle).
 */

/** What the tracker knows about motion: ids of tracks that stood still since the previous sample, and every track's box before this sample. */
export interface TrackMotion {
  still: ReadonlySet<number>;
  before: ReadonlyMap<number, BBox>;
}

/**
 * Why `veh`, standing where the stay's vehicle stands, is another vehicle (undefined: it may be the same).
 * `look`: it looks different (far more so when it is seen again at once, its box unmoved: a look alone can
 * be spoilt for a sample by someone walking past in front); `reappeared`: the stay was not seen at its latest
 * sample and the box is not back where it was last seen; `arrived`: the tracker followed it here from
 * elsewhere since the previous sample (and it is the same size there: one object, not two linked).
 */
function otherVehicle(stay: Stay, veh: Detection, zone: NoParkingZone, motion: TrackMotion): 'look' | 'reappeared' | 'arrived' | undefined {
  const { tuning } = zone;
  const gap = stay.lastSeen < stay.lastAccounted || stay.goneSamples > 0;
  // A vehicle seen once, then not in several sightings, continues its stay only if back exactly where it stood.
  const unproven = stay.samples < 2 && stay.goneSamples >= tuning.empty_sightings;
  const moved = boxIou(stay.subject.box, veh.box) < (unproven ? tuning.reappear_iou_once : Math.max(tuning.reappear_iou, zone.stationary_iou));
  if (otherLook(stay.look, veh.appearance, tuning, gap || moved ? tuning.look_hue : tuning.look_hue_unmoved)) return 'look';
  if (gap && moved) return 'reappeared';
  const before = veh.trackId === undefined ? undefined : motion.before.get(veh.trackId);
  if (before && boxIou(before, stay.anchor) < zone.stationary_iou && boxIou(before, veh.box) < zone.stationary_iou) {
    const ratio = boxArea(before) / Math.max(boxArea(veh.box), 1);
    if (ratio <= tuning.same_size && ratio >= 1 / tuning.same_size) return 'arrived';
  }
  return undefined;
}

export interface StayMatch {
  /** Per stay index, the index of its vehicle in this sample. */
  vehicleOf: Map<number, number>;
  /** Stays whose vehicle left: seen driving off, crept away from where it stopped, or its spot, seen empty, now holds a vehicle that is not theirs. */
  leftSpot: Set<number>;
  /** Per stay, the vehicles in its spot that are not its own (they neither keep it seen nor hide it). */
  others: Map<number, Set<Detection>>;
  /**
   * Vehicles that stand on some stay's spot yet are clearly not its vehicle (another look, or tracked in
   * from elsewhere) for every stay they overlap: they begin their own stay at once, so a car that takes a
   * spot between two samples is first seen when it is first seen, at any sampling interval.
   */
  newcomers: Set<number>;
}

/** Matches stays to vehicles where they stand; a stay's own track is preferred among equals. */
export function matchStays(stays: readonly Stay[], vehicles: readonly Detection[], zone: NoParkingZone, motion: TrackMotion): StayMatch {
  const { inside } = zone.tuning;
  const pairs: { a: number; b: number; iou: number; own: boolean }[] = [];
  const leftSpot = new Set<number>();
  const others = new Map<number, Set<Detection>>();
  const overlapping = new Map<number, boolean>(); // vehicle → whether it is clearly another vehicle for every stay it overlaps
  stays.forEach((stay, s) =>
    vehicles.forEach((veh, v) => {
      const own = veh.trackId !== undefined && veh.trackId === stay.trackId;
      // Something standing in front of the spot hides it (occlusion.ts): it neither is nor replaces its vehicle.
      if (!own && inFront(veh.box, stay.anchor, zone.tuning)) return;
      const iou = boxIou(stay.anchor, veh.box);
      const within = coverage(stay.anchor, veh.box) >= inside;
      if (iou < zone.stationary_iou) {
        // Its own track seen away from the spot (not the visible part of it within the spot): it drove off.
        if (own && !within) leftSpot.add(s);
        if (within) overlapping.set(v, (overlapping.get(v) ?? true) && isNewcomer(stay, otherVehicle(stay, veh, zone, motion)));
        return;
      }
      const other = otherVehicle(stay, veh, zone, motion);
      overlapping.set(v, (overlapping.get(v) ?? true) && isNewcomer(stay, other));
      if (other) {
        (others.get(s) ?? others.set(s, new Set()).get(s)!).add(veh);
        // Its spot was seen empty, and now holds a vehicle that looks other or stands elsewhere: the first one left.
        if (other !== 'arrived' && stay.goneSamples > 0) leftSpot.add(s);
      }
      // Near where it has been on average, but no longer where it stopped: creeping, as in a queue.
      else if (boxIou(stay.origin, veh.box) < zone.stationary_iou) leftSpot.add(s);
      else pairs.push({ a: s, b: v, iou, own });
    }),
  );
  const vehicleOf = greedyMatch(pairs, (x, y) => Number(y.own) - Number(x.own) || y.iou - x.iou);
  const newcomers = new Set([...overlapping].filter(([, clearly]) => clearly).map(([v]) => v));
  return { vehicleOf, leftSpot, others, newcomers };
}

/**
 * A vehicle that looks other or drove in is certainly not the stay's; one back elsewhere after a gap is not
 * either once the spot was seen empty (after a mere occlusion it may be the vehicle, partly hidden).
 */
function isNewcomer(stay: Stay, other: ReturnType<typeof otherVehicle>): boolean {
  return other === 'look' || other === 'arrived' || (other === 'reappeared' && stay.goneSamples > 0);
}
