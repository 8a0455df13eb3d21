import type { BBox, Detections } from '../core/types.js';
import type { Point } from '../core/geometry.js';
import { invert, mapBox, mapPolygon, type Homography } from './homography.js';

/**
 * Boxes between the current picture and the reference view the zones were drawn on. The rules work in
 * the reference's frame: zones stay as drawn, and a vehicle that stood still while the camera shifted
 * keeps its place, so its stay keeps its identity. Pure.
 */

/** The detections in the reference view's pixels (same picture size), given reference → current. */
export function detectionsInReference(d: Detections, toCurrent: Homography): Detections {
  const back = invert(toCurrent);
  if (!back) return d;
  return { ...d, items: d.items.map((item) => ({ ...item, box: mapPixelBox(back, item.box, d) })) };
}

/** A box of the reference view's pixels in the current picture's pixels (to draw on the current frame). */
export function boxInCurrent(box: BBox, toCurrent: Homography, size: { width: number; height: number }): BBox {
  return mapPixelBox(toCurrent, box, size);
}

/**
 * The camera with its zones where they lie in the current picture (fractions, clipped to it), given
 * reference → current: what the eyes crop and run again at full resolution. The rules keep the zones as drawn.
 */
export function zonesInCurrent<Z extends { polygon: Point[] }, C extends { zones: Z[] }>(camera: C, toCurrent: Homography): C {
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  return { ...camera, zones: camera.zones.map((z) => ({ ...z, polygon: mapPolygon(toCurrent, z.polygon).map(([x, y]) => [clip(x), clip(y)] as [number, number]) })) };
}

function mapPixelBox(h: Homography, [x1, y1, x2, y2]: BBox, { width, height }: { width: number; height: number }): BBox {
  const [a, b, c, d] = mapBox(h, [x1 / width, y1 / height, x2 / width, y2 / height]);
  return [a * width, b * height, c * width, d * height];
}
