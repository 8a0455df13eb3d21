import type { BBox, Detection } from '../../core/types.js';
import { boxIou } from '../../core/geometry.js';
import type { NoParkingZone } from '../schema.js';
import { otherLook } from './look.js';
import { LIMITS } from './tuning.js';

/**
 * Things that look like vehicles but are part of the street: never stays. Two sources: the zone's
 * reference scene (what stood in the zone at the first sample it was watched, before any vehicle came —
 * a roadside loudspeaker box the detector calls "bus 67%"), and operators' "not a vehicle" verdicts, which
 * reach the rule as the zone's `masks`.
 */

export interface BackgroundObject {
  box: BBox;
  look?: [number, number, number];
  /** Last sample it was seen; one not seen for `max_hidden` has left (it was a vehicle after all). */
  lastSeen: number;
}

/** A zone's reference scene: every vehicle-like thing standing in it at its first sample. */
export function referenceScene(vehicles: readonly Detection[], ts: number): BackgroundObject[] {
  return vehicles.slice(0, LIMITS.background).map((v) => ({ box: [...v.box], ...(v.appearance ? { look: v.appearance } : {}), lastSeen: ts }));
}

/** Whether `det` lies on an operator's mask of this zone (masks are in fractions of the frame). */
function masked(det: Detection, zone: NoParkingZone, frame: { width: number; height: number }): boolean {
  if (!zone.masks.length) return false;
  const box: BBox = [det.box[0] / frame.width, det.box[1] / frame.height, det.box[2] / frame.width, det.box[3] / frame.height];
  return zone.masks.some((m) => boxIou(m.box, box) >= zone.tuning.mask_iou);
}

/**
 * The zone's vehicles without the background (`street`): those on a mask, and those where a reference
 * object stands looking as it did (a car of another colour parked in front of it is a vehicle). Reference
 * objects seen again are kept; ones unseen for `max_hidden` are dropped.
 */
export function withoutBackground(
  vehicles: readonly Detection[],
  background: readonly BackgroundObject[],
  zone: NoParkingZone,
  frame: { width: number; height: number },
  ts: number,
): { vehicles: Detection[]; street: Set<Detection>; background: BackgroundObject[] } {
  const seen = new Set<number>();
  const street = new Set<Detection>();
  for (const v of vehicles) {
    const b = background.findIndex((o) => boxIou(o.box, v.box) >= zone.tuning.mask_iou && !otherLook(o.look, v.appearance, zone.tuning));
    if (b >= 0) seen.add(b);
    if (b >= 0 || masked(v, zone, frame)) street.add(v);
  }
  const still = background.flatMap((o, i) => (seen.has(i) ? [{ ...o, lastSeen: ts }] : ts - o.lastSeen > zone.max_hidden ? [] : [o]));
  return { vehicles: vehicles.filter((v) => !street.has(v)), street, background: still };
}
