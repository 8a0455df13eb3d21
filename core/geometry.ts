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

export type PolygonDefect = { kind: 'too_few' } | { kind: 'crossing'; edges: [number, number] } | { kind: 'empty' };

/** What keeps a polygon from being a zone, or null when it is fine (the server's check and the console's warning). */
export function polygonDefect(pts: Point[]): PolygonDefect | null {
  if (pts.length < 3) return { kind: 'too_few' };
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      // Adjacent edges share a point; skip them (and the closing pair).
      if (j === i + 1 || (i === 0 && j === pts.length - 1)) continue;
      if (segmentsCross(pts[i]!, pts[(i + 1) % pts.length]!, pts[j]!, pts[(j + 1) % pts.length]!)) return { kind: 'crossing', edges: [i, j] };
    }
  }
  // After the crossing test: a bow-tie has zero signed area but its real problem is the crossing.
  if (polygonArea(pts) < 1e-4) return { kind: 'empty' };
  return null;
}

/** Why a polygon is unusable as a zone, in words for a config or API error, or null when it is fine. */
export function polygonProblem(pts: Point[]): string | null {
  const d = polygonDefect(pts);
  if (!d) return null;
  if (d.kind === 'too_few') return 'a zone polygon needs at least 3 points';
  if (d.kind === 'empty') return 'the polygon is empty (its points are collinear or nearly so): draw an area around the zone';
  const [i, j] = d.edges;
  return `the polygon crosses itself (edge ${i}–${i + 1} crosses edge ${j}–${(j + 1) % pts.length}): list the points in order around the zone`;
}

/** Box [x1, y1, x2, y2] in any unit (pixels or fractions). */
export type Box = readonly [number, number, number, number];

export function boxArea(b: Box): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

export function intersectionArea(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  return w > 0 && h > 0 ? w * h : 0;
}

/** Intersection over union of two boxes; 0 when either is empty. */
export function boxIou(a: Box, b: Box): number {
  const inter = intersectionArea(a, b);
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Fraction of `b` covered by `a` (how much of a parked car a passing bus hides). */
export function coverage(a: Box, b: Box): number {
  const area = boxArea(b);
  return area > 0 ? intersectionArea(a, b) / area : 0;
}

/** Axis-aligned bounding box of a polygon. */
export function polygonBounds(pts: Point[]): [number, number, number, number] {
  const xs = pts.map((p) => p[0]);
  const ys = pts.map((p) => p[1]);
  return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
}

/** A polygon's bounding box in pixels of a frame of `size` (the polygon in fractions of the frame). */
export function pixelBounds(pts: Point[], size: { width: number; height: number }): [number, number, number, number] {
  const [x1, y1, x2, y2] = polygonBounds(pts);
  return [x1 * size.width, y1 * size.height, x2 * size.width, y2 * size.height];
}

/**
 * Area of a polygon clipped to a box (Sutherland–Hodgman against the box's four half-planes).
 * Exact for any simple polygon because the clip region is convex.
 */
export function polygonBoxIntersectionArea(pts: Point[], b: Box): number {
  type Edge = { inside: (p: Point) => boolean; cut: (p: Point, q: Point) => Point };
  const atX = (x: number) => (p: Point, q: Point): Point => [x, p[1] + ((q[1] - p[1]) * (x - p[0])) / (q[0] - p[0])];
  const atY = (y: number) => (p: Point, q: Point): Point => [p[0] + ((q[0] - p[0]) * (y - p[1])) / (q[1] - p[1]), y];
  const edges: Edge[] = [
    { inside: (p) => p[0] >= b[0], cut: atX(b[0]) },
    { inside: (p) => p[0] <= b[2], cut: atX(b[2]) },
    { inside: (p) => p[1] >= b[1], cut: atY(b[1]) },
    { inside: (p) => p[1] <= b[3], cut: atY(b[3]) },
  ];
  let poly = pts;
  for (const e of edges) {
    if (poly.length === 0) break;
    const out: Point[] = [];
    for (let i = 0; i < poly.length; i++) {
      const cur = poly[i]!;
      const prev = poly[(i + poly.length - 1) % poly.length]!;
      if (e.inside(cur)) {
        if (!e.inside(prev)) out.push(e.cut(prev, cur));
        out.push(cur);
      } else if (e.inside(prev)) {
        out.push(e.cut(prev, cur));
      }
    }
    poly = out;
  }
  return poly.length >= 3 ? polygonArea(poly) : 0;
}
