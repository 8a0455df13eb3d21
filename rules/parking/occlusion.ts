import type { BBox, Detection } from '../../core/types.js';
import { boxArea, boxIou, coverage } from '../../core/geometry.js';
import type { Stay } from './stay.js';
import { LIMITS, type ParkingTuning } from './tuning.js';

/**
 * Occlusion: whether a stay's spot that does not show its vehicle is hidden (something in front of it) or
 * seen empty. A hidden spot keeps the stay (up to `max_hidden`); an empty one counts towards `clear_grace`.
 */

/** Adds the boxes now covering `spot` (other than the vehicle's) to the remembered ones, newest first, bounded. */
export function remember(known: BBox[], items: Detection[], veh: Detection, spot: BBox, tuning: ParkingTuning): BBox[] {
  const now = items.filter((d) => d !== veh && coverage(d.box, spot) >= tuning.hidden_coverage).map((d): BBox => [...d.box]);
  const older = known.filter((k) => !now.some((n) => boxIou(n, k) >= tuning.same_static_iou));
  return [...now, ...older].slice(0, LIMITS.overlappers);
}

/**
 * Whether `box` stands in front of `anchor`: seen from above, it meets the ground clearly lower in the picture
 * (by more than `front_slack` of the vehicle's height). Such a box hides the spot; it is never the vehicle
 * standing in it, nor another vehicle taking it.
 */
export function inFront(box: BBox, anchor: BBox, tuning: ParkingTuning): boolean {
  return box[3] > anchor[3] + tuning.front_slack * (anchor[3] - anchor[1]);
}

/**
 * The spot is hidden, not empty, when something in front of it (lower in the picture) covers it that is not
 * the vehicle itself driving off (its own track counts only when it lies within the spot: the visible part of
 * a partly hidden vehicle), not another vehicle standing beside it in its own spot or in the vehicle's (`others`), and
 * not a static thing that was already there while the vehicle was visible. Something standing still must
 * also be of a plausible size: a still box many times the vehicle's (YOLOX draws one over a whole empty
 * road) is the scene, not a bus in front. A vehicle seen only once has shown no stay worth protecting.
 */
export function hiddenBy(
  stay: Stay,
  items: Detection[],
  standing: ReadonlySet<Detection>,
  still: ReadonlySet<number>,
  others: ReadonlySet<Detection> | undefined,
  tuning: ParkingTuning,
): boolean {
  if (stay.samples < 2) return false;
  const maxStill = tuning.max_still_occluder_area * boxArea(stay.anchor);
  return items.some(
    (d) =>
      // A vehicle standing in its own spot hides this one only from in front of it (a truck parked before a car).
      (!standing.has(d) || inFront(d.box, stay.anchor, tuning)) &&
      // Another vehicle standing or passing in the spot itself shows the spot, not something in front of it.
      !others?.has(d) &&
      // Its own track counts only as the visible part of it, never as it driving off.
      (d.trackId === undefined || d.trackId !== stay.trackId || coverage(stay.anchor, d.box) >= tuning.inside) &&
      coverage(d.box, stay.anchor) >= tuning.hidden_coverage &&
      d.box[3] >= stay.anchor[3] - tuning.front_slack * (stay.anchor[3] - stay.anchor[1]) &&
      !stay.overlappers.some((o) => boxIou(o, d.box) >= tuning.same_static_iou) &&
      !(d.trackId !== undefined && still.has(d.trackId) && boxArea(d.box) > maxStill),
  );
}
