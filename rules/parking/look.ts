import { DEFAULT_TUNING, type ParkingTuning } from './tuning.js';

/**
 * Looks: the mean colour of a vehicle's body (detector/appearance.ts). Two sightings in one spot are two
 * vehicles when their hue (chromaticity, which the light level does not change) or their brightness is far
 * apart: a white car and a black one are both grey. Without both looks, or in the dark, nothing is known.
 */
export type Look = readonly number[];

/** Whether looks `a` and `b` belong to different vehicles, at hue tolerance `hue` (default: the tuning's). */
export function otherLook(a: Look | undefined, b: Look | undefined, tuning: ParkingTuning = DEFAULT_TUNING, hue = tuning.look_hue): boolean {
  if (!a || !b) return false;
  const sa = a[0]! + a[1]! + a[2]!;
  const sb = b[0]! + b[1]! + b[2]!;
  if (sa < tuning.dark_look || sb < tuning.dark_look) return false; // too dark to have a hue
  const chroma = Math.max(Math.abs(a[0]! / sa - b[0]! / sb), Math.abs(a[1]! / sa - b[1]! / sb));
  return chroma > hue || Math.max(sa / sb, sb / sa) > tuning.look_brightness;
}
