/**
 * Plane-to-plane maps between a reference view and the current one, in fractions of each picture
 * (0..1 on both axes, as zones are drawn), so they hold whatever either picture's resolution. Pure.
 */

/** Row-major 3×3 matrix: [x', y', w'] = H · [x, y, 1]. */
export type Homography = readonly [number, number, number, number, number, number, number, number, number];

export type Point = readonly [number, number];

export const IDENTITY: Homography = [1, 0, 0, 0, 1, 0, 0, 0, 1];

export function applyHomography(h: Homography, [x, y]: Point): [number, number] {
  const w = h[6] * x + h[7] * y + h[8];
  return [(h[0] * x + h[1] * y + h[2]) / w, (h[3] * x + h[4] * y + h[5]) / w];
}

export function multiply(a: Homography, b: Homography): Homography {
  const out: number[] = [];
  for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) out.push(a[r * 3]! * b[c]! + a[r * 3 + 1]! * b[3 + c]! + a[r * 3 + 2]! * b[6 + c]!);
  return out as unknown as Homography;
}

export function invert(h: Homography): Homography | undefined {
  const [a, b, c, d, e, f, g, i, j] = h;
  const A = e * j - f * i;
  const B = -(d * j - f * g);
  const C = d * i - e * g;
  const det = a * A + b * B + c * C;
  if (!Number.isFinite(det) || Math.abs(det) < 1e-12) return undefined;
  const inv = [A, -(b * j - c * i), b * f - c * e, B, a * j - c * g, -(a * f - c * d), C, -(a * i - b * g), a * e - b * d];
  return inv.map((v) => v / det) as unknown as Homography;
}

/** A map estimated on two pictures' pixels → the same map on fractions of each picture. */
export function pixelsToFractions(h: Homography, from: { width: number; height: number }, to: { width: number; height: number }): Homography {
  const scaleFrom: Homography = [from.width, 0, 0, 0, from.height, 0, 0, 0, 1];
  const shrinkTo: Homography = [1 / to.width, 0, 0, 0, 1 / to.height, 0, 0, 0, 1];
  const out = multiply(shrinkTo, multiply(h, scaleFrom));
  return out.map((v) => v / out[8]) as unknown as Homography;
}

const CORNERS: Point[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

/** How far the view moved: the largest displacement of the reference picture's corners, in fractions of the picture. */
export function viewShift(h: Homography): number {
  return Math.max(...CORNERS.map((p) => Math.hypot(...subtract(applyHomography(h, p), p))));
}

/**
 * Could a camera have produced this map? The reference picture must land as a convex quadrilateral of
 * the same handedness and of a size within a factor of `maxScale` — degenerate RANSAC fits on a few
 * chance matches do not.
 */
export function isPlausible(h: Homography, maxScale = 2): boolean {
  if (!h.every(Number.isFinite)) return false;
  const quad = CORNERS.map((p) => applyHomography(h, p));
  if (!quad.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))) return false;
  for (const p of CORNERS) if (h[6] * p[0] + h[7] * p[1] + h[8] <= 0) return false;
  for (let k = 0; k < 4; k++) {
    const [a, b, c] = [quad[k]!, quad[(k + 1) % 4]!, quad[(k + 2) % 4]!];
    const turn = (b[0] - a[0]) * (c[1] - b[1]) - (b[1] - a[1]) * (c[0] - b[0]);
    if (turn <= 0) return false;
  }
  const area = polygonArea(quad);
  return area >= 1 / (maxScale * maxScale) && area <= maxScale * maxScale;
}

export function mapPolygon(h: Homography, points: readonly Point[]): [number, number][] {
  return points.map((p) => applyHomography(h, p));
}

/** Bounding box of a mapped box ([x1, y1, x2, y2] in fractions). */
export function mapBox(h: Homography, [x1, y1, x2, y2]: readonly [number, number, number, number]): [number, number, number, number] {
  const pts = mapPolygon(h, [
    [x1, y1],
    [x2, y1],
    [x2, y2],
    [x1, y2],
  ]);
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

function subtract(a: Point, b: Point): [number, number] {
  return [a[0] - b[0], a[1] - b[1]];
}

function polygonArea(pts: readonly Point[]): number {
  let s = 0;
  for (let k = 0; k < pts.length; k++) {
    const a = pts[k]!;
    const b = pts[(k + 1) % pts.length]!;
    s += a[0] * b[1] - b[0] * a[1];
  }
  return Math.abs(s) / 2;
}
