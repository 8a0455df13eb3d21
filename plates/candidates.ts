import { convexHull, minAreaRect, type RotatedRect, type TextBox } from './text_boxes.js';

/**
 * Which text on the lower part of a vehicle can be its plate: lines wider than tall and near
 * horizontal. A plate the detector split at its separator (浙G · Z6825, DR · 68 651) is offered whole
 * too, and so is a two-row plate (Chinese yellow plates of lorries and buses: 浙G above Z6825), whose
 * rows are read top to bottom as one. Pure.
 */
export interface CandidateRules {
  /** Width / height range of a single-row plate's text (or a two-row plate's lower row). */
  minAspect: number;
  maxAspect: number;
  /** Largest tilt from horizontal (radians). */
  maxTilt: number;
}

export const CANDIDATE_RULES: CandidateRules = { minAspect: 2, maxAspect: 14, maxTilt: (30 * Math.PI) / 180 };

/** A possible plate: one text line, or the two rows of a two-row plate, top first. */
export interface PlateCandidate {
  rows: TextBox[];
  score: number;
  /** Height of the plate's main (lowest, largest) row. */
  height: number;
}

/** Plate candidates in a crop `width`×`height`, best first (most likely text, then largest). */
export function plateCandidates(boxes: TextBox[], width: number, height: number, rules: CandidateRules = CANDIDATE_RULES): PlateCandidate[] {
  const inside = ({ rect: r }: TextBox) => r.cx >= 0 && r.cx <= width && r.cy >= 0 && r.cy <= height && Math.abs(r.angle) <= rules.maxTilt;
  const lines = [...boxes, ...mergedNeighbours(boxes)].filter(inside);
  const wide = lines.filter(({ rect: r }) => r.w / r.h >= rules.minAspect && r.w / r.h <= rules.maxAspect);
  const single = wide.map((b) => ({ rows: [b], score: b.score, height: b.rect.h }));
  const stacked = wide.flatMap((bottom) =>
    lines.filter((top) => top !== bottom && isUpperRow(top.rect, bottom.rect)).map((top) => ({ rows: [top, bottom], score: Math.min(top.score, bottom.score), height: bottom.rect.h })),
  );
  return [...single, ...stacked].sort((a, b) => b.score - a.score || b.height - a.height || a.rows.length - b.rows.length);
}

/**
 * Is `top` the upper row of a two-row plate whose lower row is `bottom`? Smaller characters
 * (30–90% of the lower row's height) just above it, no wider, centred over it, equally tilted.
 */
function isUpperRow(top: RotatedRect, bottom: RotatedRect): boolean {
  const ratio = top.h / bottom.h;
  const gap = bottom.cy - bottom.h / 2 - (top.cy + top.h / 2);
  return (
    ratio >= 0.3 && ratio <= 0.9 &&
    gap >= -0.2 * bottom.h && gap <= 0.5 * bottom.h &&
    top.w <= bottom.w &&
    Math.abs(top.cx - bottom.cx) <= bottom.w / 2 &&
    Math.abs(top.angle - bottom.angle) <= 0.2
  );
}

/** Pairs of boxes on one line (same height and tilt, small gap) merged into one box. */
function mergedNeighbours(boxes: TextBox[]): TextBox[] {
  const out: TextBox[] = [];
  const sorted = [...boxes].sort((a, b) => a.rect.cx - b.rect.cx);
  for (let i = 0; i < sorted.length; i++) {
    for (let j = i + 1; j < sorted.length; j++) {
      const a = sorted[i]!.rect;
      const b = sorted[j]!.rect;
      const h = Math.max(a.h, b.h);
      const sameHeight = Math.min(a.h, b.h) / h >= 0.7;
      const sameLine = Math.abs(a.cy - b.cy) <= 0.4 * h && Math.abs(a.angle - b.angle) <= 0.2;
      const gap = b.cx - b.w / 2 - (a.cx + a.w / 2);
      if (sameHeight && sameLine && gap <= 1.5 * h) {
        out.push({ rect: mergeRects(a, b), score: Math.min(sorted[i]!.score, sorted[j]!.score) });
      }
    }
  }
  return out;
}

function corners(r: RotatedRect): [number, number][] {
  const c = Math.cos(r.angle);
  const s = Math.sin(r.angle);
  return [[-1, -1], [1, -1], [1, 1], [-1, 1]].map(([u, v]) => [r.cx + (u! * r.w * c) / 2 - (v! * r.h * s) / 2, r.cy + (u! * r.w * s) / 2 + (v! * r.h * c) / 2]);
}

function mergeRects(a: RotatedRect, b: RotatedRect): RotatedRect {
  return minAreaRect(convexHull([...corners(a), ...corners(b)]));
}
