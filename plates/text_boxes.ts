/**
 * DB (Differentiable Binarization) post-processing, as PaddleOCR does it: threshold the text probability
 * map, take each connected region, fit its minimum-area rotated rectangle, and grow ("unclip") it back
 * to the full text, since the model is trained to mark a shrunk core of each text line. Pure functions.
 */

/** A rotated rectangle; `w` runs along `angle` (radians, in (-π/2, π/2]) and is the longer side. */
export interface RotatedRect {
  cx: number;
  cy: number;
  w: number;
  h: number;
  angle: number;
}

export interface TextBox {
  rect: RotatedRect;
  /** Mean text probability over the region. */
  score: number;
}

export interface DbOptions {
  /** Pixel probability above which a pixel is text. */
  threshold: number;
  /** Mean region probability below which a region is dropped. */
  boxThreshold: number;
  /** How far the shrunk core is grown back: distance = area × ratio / perimeter. */
  unclipRatio: number;
  /** Regions whose short side is below this (map px) are noise. */
  minSize: number;
}

export const DB_DEFAULTS: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3 };

type Point = [number, number];

/** Text boxes found in a probability map of `width`×`height` (row-major), in map pixels. */
export function dbBoxes(prob: Float32Array, width: number, height: number, opts: DbOptions = DB_DEFAULTS): TextBox[] {
  const labels = new Int32Array(width * height);
  const boxes: TextBox[] = [];
  const stack: number[] = [];
  let next = 0;
  for (let start = 0; start < prob.length; start++) {
    if (labels[start] !== 0 || prob[start]! <= opts.threshold) continue;
    next++;
    labels[start] = next;
    stack.push(start);
    let sum = 0;
    let count = 0;
    const edge: Point[] = [];
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % width;
      const y = (i - x) / width;
      sum += prob[i]!;
      count++;
      // Only the two ends of each horizontal run can be on the hull: their pixel corners suffice.
      const leftIn = x > 0 && prob[i - 1]! > opts.threshold;
      const rightIn = x < width - 1 && prob[i + 1]! > opts.threshold;
      if (!leftIn) edge.push([x, y], [x, y + 1]);
      if (!rightIn) edge.push([x + 1, y], [x + 1, y + 1]);
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const j = ny * width + nx;
          if (labels[j] === 0 && prob[j]! > opts.threshold) {
            labels[j] = next;
            stack.push(j);
          }
        }
      }
    }
    const score = sum / count;
    if (score < opts.boxThreshold) continue;
    const rect = minAreaRect(convexHull(edge));
    if (rect.h < opts.minSize) continue;
    const grown = unclip(rect, opts.unclipRatio);
    if (grown.h < opts.minSize + 2) continue;
    boxes.push({ rect: grown, score });
  }
  return boxes;
}

/** Convex hull (Andrew's monotone chain), counter-clockwise, without collinear points. */
export function convexHull(points: Point[]): Point[] {
  const pts = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  if (pts.length <= 2) return pts;
  const cross = (o: Point, a: Point, b: Point) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(pts), ...half(pts.reverse())];
}

/** Minimum-area enclosing rectangle of a convex polygon (one side lies on a hull edge: try each). */
export function minAreaRect(hull: Point[]): RotatedRect {
  if (hull.length === 0) return { cx: 0, cy: 0, w: 0, h: 0, angle: 0 };
  let best: { area: number; ux: number; uy: number; u0: number; u1: number; n0: number; n1: number } | null = null;
  const edges = hull.length < 2 ? [[1, 0] as Point] : hull.map((p, i) => {
    const q = hull[(i + 1) % hull.length]!;
    return [q[0] - p[0], q[1] - p[1]] as Point;
  });
  for (const [ex, ey] of edges) {
    const len = Math.hypot(ex, ey);
    if (len === 0) continue;
    const ux = ex / len;
    const uy = ey / len;
    let u0 = Infinity, u1 = -Infinity, n0 = Infinity, n1 = -Infinity;
    for (const [x, y] of hull) {
      const u = x * ux + y * uy;
      const n = -x * uy + y * ux;
      u0 = Math.min(u0, u); u1 = Math.max(u1, u);
      n0 = Math.min(n0, n); n1 = Math.max(n1, n);
    }
    const area = (u1 - u0) * (n1 - n0);
    if (!best || area < best.area) best = { area, ux, uy, u0, u1, n0, n1 };
  }
  if (!best) return { cx: hull[0]![0], cy: hull[0]![1], w: 0, h: 0, angle: 0 };
  const { ux, uy, u0, u1, n0, n1 } = best;
  const um = (u0 + u1) / 2;
  const nm = (n0 + n1) / 2;
  // Back from (u, n) coordinates: p = u·(ux, uy) + n·(−uy, ux).
  const cx = um * ux - nm * uy;
  const cy = um * uy + nm * ux;
  let w = u1 - u0;
  let h = n1 - n0;
  let angle = Math.atan2(uy, ux);
  if (h > w) {
    [w, h] = [h, w];
    angle += Math.PI / 2;
  }
  return { cx, cy, w, h, angle: normalizeAngle(angle) };
}

/** Grows a rectangle on every side by area × ratio / perimeter (PaddleOCR's unclip, exact for rectangles). */
export function unclip(r: RotatedRect, ratio: number): RotatedRect {
  const d = (r.w * r.h * ratio) / (2 * (r.w + r.h) || 1);
  return { ...r, w: r.w + 2 * d, h: r.h + 2 * d };
}

/** Angle of an undirected axis, into (-π/2, π/2]. */
function normalizeAngle(a: number): number {
  while (a > Math.PI / 2) a -= Math.PI;
  while (a <= -Math.PI / 2) a += Math.PI;
  return a;
}

/** Axis-aligned bounds of a rotated rectangle. */
export function rectBounds(r: RotatedRect): [number, number, number, number] {
  const c = Math.abs(Math.cos(r.angle));
  const s = Math.abs(Math.sin(r.angle));
  const hw = (r.w * c + r.h * s) / 2;
  const hh = (r.w * s + r.h * c) / 2;
  return [r.cx - hw, r.cy - hh, r.cx + hw, r.cy + hh];
}
