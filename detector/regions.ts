import type { SampledFrame } from '../core/types.js';
import { polygonBounds, type Point } from '../core/geometry.js';
import type { RegionsConfig } from './schema.js';

/**
 * Inference regions: parts of a frame run through the model again at full resolution, beside the whole
 * frame, so small far vehicles inside a zone are not lost when a 1920-px frame shrinks to a 416-px input.
 * Pure: rectangles in fractions of the frame, from zones or a tile grid.
 */
export interface Region {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

const clip = (v: number) => Math.min(1, Math.max(0, v));
const overlaps = (a: Region, b: Region) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/**
 * The area around each zone: its bounding box grown by `margin` of its size on each side, twice that
 * upwards (a vehicle whose bottom-centre is in the zone stands above it). Overlapping areas are merged.
 */
export function zoneRegions(polygons: Point[][], margin = 0.25): Region[] {
  let regions = polygons.map((pts) => {
    const [x1, y1, x2, y2] = polygonBounds(pts);
    const w = x2 - x1;
    const h = y2 - y1;
    return { x1: clip(x1 - margin * w), y1: clip(y1 - 2 * margin * h), x2: clip(x2 + margin * w), y2: clip(y2 + margin * h) };
  });
  for (let merged = true; merged; ) {
    merged = false;
    outer: for (let i = 0; i < regions.length; i++) {
      for (let j = i + 1; j < regions.length; j++) {
        const a = regions[i]!;
        const b = regions[j]!;
        if (!overlaps(a, b)) continue;
        regions[i] = { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) };
        regions = regions.filter((_, k) => k !== j);
        merged = true;
        break outer;
      }
    }
  }
  return regions;
}

/** A cols × rows grid of tiles over the whole frame, each overlapping its neighbours by `overlap` of a tile. */
export function tileRegions(cols: number, rows: number, overlap = 0.2): Region[] {
  const span = (n: number) => 1 / (n - (n - 1) * overlap);
  const tw = span(cols);
  const th = span(rows);
  const out: Region[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const x1 = c * tw * (1 - overlap);
      const y1 = r * th * (1 - overlap);
      out.push({ x1: clip(x1), y1: clip(y1), x2: clip(x1 + tw), y2: clip(y1 + th) });
    }
  }
  return out;
}

/**
 * How much more detail the model sees in a region than in the whole frame (ratio of input scales).
 * A region gaining little (a zone covering most of the frame) is not worth a second inference.
 */
export function regionGain(r: Region, frameW: number, frameH: number, inputW: number, inputH: number): number {
  const whole = Math.min(inputW / frameW, inputH / frameH);
  const part = Math.min(inputW / ((r.x2 - r.x1) * frameW), inputH / ((r.y2 - r.y1) * frameH));
  return part / whole;
}

/**
 * The `regionsFor` option of createDetector from the `detector.regions` config: nothing for `full` (or no
 * config), the camera's zones for `zones` (looked up by camera id, so zones edited at run time count), a
 * fixed grid for `tiles`.
 */
export function regionsFromConfig(cfg: RegionsConfig | undefined, zonesOf: (cameraId: string) => Point[][] | undefined): ((frame: SampledFrame) => Region[] | undefined) | undefined {
  if (!cfg || cfg.mode === 'full') return undefined;
  if (cfg.mode === 'tiles') {
    const tiles = tileRegions(cfg.tiles[0], cfg.tiles[1]);
    return () => tiles;
  }
  return (frame) => {
    const zones = zonesOf(frame.cameraId);
    return zones?.length ? zoneRegions(zones, cfg.margin) : undefined;
  };
}
