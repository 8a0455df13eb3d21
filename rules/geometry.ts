/** Plane geometry on normalised [x, y] points. Pure. */
export type Point = [number, number];

export function polygonArea(pts: Point[]): number {
  let a = 0;
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]!;
    const [x2, y2] = pts[(i + 1) % pts.length]!;
    a += x1 * y2 - x2 * y1;
  }
  return Math.abs(a) / 2;
}

/** Even-odd ray casting; points on the boundary may fall either way. */
export function pointInPolygon([x, y]: Point, pts: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i]!;
    const [xj, yj] = pts[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function cross(o: Point, a: Point, b: Point): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

function segmentsCross(a: Point, b: Point, c: Point, d: Point): boolean {
  const d1 = cross(c, d, a);
  const d2 = cross(c, d, b);
  const d3 = cross(a, b, c);
  const d4 = cross(a, b, d);
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
}

/** Why a polygon is unusable as a zone, or null when it is fine. */
export function polygonProblem(pts: Point[]): string | null {
  if (pts.length < 3) return 'a zone polygon needs at least 3 points';
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      // Adjacent edges share a point; skip them (and the closing pair).
      if (j === i + 1 || (i === 0 && j === pts.length - 1)) continue;
      if (segmentsCross(pts[i]!, pts[(i + 1) % pts.length]!, pts[j]!, pts[(j + 1) % pts.length]!)) {
        return `the polygon crosses itself (edge ${i}–${i + 1} crosses edge ${j}–${(j + 1) % pts.length}): list the points in order around the zone`;
      }
    }
  }
  // After the crossing test: a bow-tie has zero signed area but its real problem is the crossing.
  if (polygonArea(pts) < 1e-4) return 'the polygon is empty (its points are collinear or nearly so): draw an area around the zone';
  return null;
}
