import { convexHull, minAreaRect, type RotatedRect, type TextBox } from './text_boxes.js';

/**
 * Which text on the lower part of a vehicle can be its plate: lines wider than tall and near
 * horizontal. A plate the detector split at its separator (浙G · Z6825, DR · 68 651) is offered whole
 * too. Pure.
 */
export interface CandidateRules {
  /** Width / height range of a single-row plate's text. Two-row plates (≈2:1 with two lines) fall outside. */
  minAspect: number;
  maxAspect: number;
  /** Largest tilt from horizontal (radians). */
  maxTilt: number;
}

export const CANDIDATE_RULES: CandidateRules = { minAspect: 2, maxAspect: 14, maxTilt: (30 * Math.PI) / 180 };

/** Plate-shaped text lines of a crop `width`×`height`, best first (most likely text, then largest). */
export function plateCandidates(boxes: TextBox[], width: number, height: number, rules: CandidateRules = CANDIDATE_RULES): TextBox[] {
  const lines = [...boxes, ...mergedNeighbours(boxes)];
  return lines
    .filter(({ rect: r }) => r.w / r.h >= rules.minAspect && r.w / r.h <= rules.maxAspect)
    .filter(({ rect: r }) => Math.abs(r.angle) <= rules.maxTilt)
    .filter(({ rect: r }) => r.cx >= 0 && r.cx <= width && r.cy >= 0 && r.cy <= height)
    .sort((a, b) => b.score - a.score || b.rect.h - a.rect.h);
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
