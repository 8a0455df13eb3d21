/**
 * Candidates and per-class non-maximum suppression, in model-input pixels. Pure functions: decoders make
 * candidates from output tensors, NMS keeps the best box of each overlapping group of the same class.
 */
export interface Candidate {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  score: number;
  classId: number;
}

const area = (a: Candidate) => (a.x2 - a.x1) * (a.y2 - a.y1);

function intersection(a: Candidate, b: Candidate): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
  return w <= 0 || h <= 0 ? 0 : w * h;
}

export function iou(a: Candidate, b: Candidate): number {
  const inter = intersection(a, b);
  return inter === 0 ? 0 : inter / (area(a) + area(b) - inter);
}

/** Greedy NMS within each class; highest scores first; at most `maxDetections` boxes kept overall. */
export function nmsPerClass(cands: Candidate[], iouThreshold: number, maxDetections = 300): Candidate[] {
  const sorted = [...cands].sort((a, b) => b.score - a.score);
  const keptByClass = new Map<number, Candidate[]>();
  const kept: Candidate[] = [];
  for (const c of sorted) {
    const same = keptByClass.get(c.classId) ?? [];
    if (same.some((k) => iou(k, c) > iouThreshold)) continue;
    same.push(c);
    keptByClass.set(c.classId, same);
    kept.push(c);
    if (kept.length >= maxDetections) break;
  }
  return kept;
}

/**
 * Second pass after per-class NMS: COCO models often box one vehicle twice, as `car` and as `truck`.
 * Within one weisu category, a box overlapping a better-scored box of another class by more than
 * `iouThreshold` is the same object under a second name and is dropped.
 */
export function mergeWithinGroups(kept: Candidate[], groupOf: (classId: number) => string, iouThreshold: number): Candidate[] {
  const out: Candidate[] = [];
  for (const c of kept) {
    const g = groupOf(c.classId);
    if (!out.some((k) => k.classId !== c.classId && groupOf(k.classId) === g && iou(k, c) > iouThreshold)) out.push(c);
  }
  return out;
}

/**
 * Boxes that are only a part of a larger box of the same category (a bonnet, a door, a wheel of a car, seen
 * as a small car; a tile's view of half a vehicle) are dropped: `part` lies at least `within` inside
 * `whole`, which is at least twice as large and at least as confident. Called with the same list twice, it
 * cleans one frame's final boxes whichever pass (whole frame or a region) found them. The confidence
 * condition matters: a weak box spanning two parked cars must not erase the two cars (measured on the
 * labelled street photographs, eval/detector_quality.ts).
 */
export function dropParts(parts: Candidate[], wholes: Candidate[], groupOf: (classId: number) => string, within = 0.8): Candidate[] {
  return parts.filter((p) => !wholes.some((w) => groupOf(w.classId) === groupOf(p.classId) && w.score >= p.score && area(w) >= 2 * area(p) && intersection(w, p) >= within * area(p)));
}
