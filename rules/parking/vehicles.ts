import type { Detection } from '../../core/types.js';
import { boxArea, boxIou, coverage, pointInPolygon, polygonBoxIntersectionArea, type Point } from '../../core/geometry.js';
import type { NoParkingZone } from '../schema.js';

/** Which detections are vehicles of this zone, one per vehicle. */

export interface FrameSize {
  width: number;
  height: number;
}

/** Whether a detection counts for this zone: class, score, size and presence in the polygon. */
export function eligible(det: Detection, zone: NoParkingZone, frame: FrameSize): boolean {
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
export function vehiclesIn(items: Detection[], zone: NoParkingZone, frame: FrameSize): Detection[] {
  const { duplicate_iou, inside } = zone.tuning;
  const kept: Detection[] = [];
  const sorted = items.filter((d) => eligible(d, zone, frame)).sort((a, b) => b.score - a.score || a.box[0] - b.box[0]);
  // A weaker box lying within a stronger one is a part of it (a truck's cab labelled car), not a second vehicle.
  for (const d of sorted) if (!kept.some((k) => boxIou(k.box, d.box) >= duplicate_iou || coverage(k.box, d.box) >= inside)) kept.push(d);
  return kept;
}
