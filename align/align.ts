import type { CvMat, OpenCv } from './opencv.js';
import { DESCRIPTOR_BYTES, type ViewFeatures } from './features.js';
import { isPlausible, pixelsToFractions, viewShift, type Homography } from './homography.js';
import { judgeObstruction, type Obstruction } from './texture.js';

/**
 * Is the camera still looking at what its zones were drawn on? The current picture's corners are matched
 * to each reference view's (Hamming distance, Lowe's ratio test), and a homography is fitted with RANSAC;
 * the best-supported reference wins (one per PTZ preset). Robust to traffic passing, light changing and
 * compression, because only the street's fixed structure agrees on one plane-to-plane map.
 */
export interface ReferenceView {
  id: string;
  /** The PTZ preset this view belongs to; absent for a fixed camera. */
  preset?: string;
  features: ViewFeatures;
}

export type ViewMatch =
  | {
      state: 'aligned';
      referenceId: string;
      preset?: string;
      /** Reference fractions → current fractions. */
      homography: Homography;
      /** Largest displacement of the reference's corners, in fractions of the picture. */
      shift: number;
      inliers: number;
    }
  | { state: 'view_changed'; reason: 'no_match' | 'moved'; referenceId?: string; shift?: number; inliers: number }
  | { state: 'obstructed'; reason: Obstruction; referenceId?: string };

export interface AlignOptions {
  /** A match whose corners moved further than this (fraction of the picture) is another view, not a small shift. */
  maxShift: number;
}

/**
 * Vibration, drift and a dome's imprecise return to a preset move the view by a few percent. Beyond this
 * share of the picture the camera is taken to look elsewhere: the map could follow further, but zones
 * drawn near the border would leave the picture and an operator should look.
 */
export const DEFAULT_MAX_SHIFT = 0.15;

/** Matches that agree on one map, fewer than this: chance (unrelated street pictures reach about 10). */
const MIN_INLIERS = 20;
/** …or under this share of the ratio-test survivors: the fit explains a corner of the picture only. */
const MIN_INLIER_SHARE = 0.25;
/** Lowe's ratio: the best match must be clearly better than the second best. */
const RATIO = 0.8;
/** RANSAC's tolerance, as a share of the working picture's long side (3 px at 640). */
const REPROJECTION = 0.005;

interface Fit {
  ref: ReferenceView;
  homography: Homography;
  inliers: number;
}

export function alignView(cv: OpenCv, references: readonly ReferenceView[], current: ViewFeatures, opts: AlignOptions): ViewMatch {
  let best: Fit | undefined;
  for (const ref of references) {
    const fit = fitReference(cv, ref, current);
    if (fit && (!best || fit.inliers > best.inliers)) best = fit;
  }
  const shift = best && viewShift(best.homography);
  const sameView = shift !== undefined && shift <= opts.maxShift;
  // Texture is compared with the best-matching reference (the preset the camera is at), else the first.
  const judgeAgainst = best?.ref ?? references[0];
  const obstruction = judgeAgainst && judgeObstruction(judgeAgainst.features.texture, current.texture, sameView);
  if (obstruction) return { state: 'obstructed', reason: obstruction, ...(best ? { referenceId: best.ref.id } : {}) };
  if (!best || shift === undefined) return { state: 'view_changed', reason: 'no_match', inliers: 0 };
  if (!sameView) return { state: 'view_changed', reason: 'moved', referenceId: best.ref.id, shift, inliers: best.inliers };
  return {
    state: 'aligned',
    referenceId: best.ref.id,
    ...(best.ref.preset !== undefined ? { preset: best.ref.preset } : {}),
    homography: best.homography,
    shift,
    inliers: best.inliers,
  };
}

/** The reference → current map supported by enough corners, or undefined. */
function fitReference(cv: OpenCv, ref: ReferenceView, cur: ViewFeatures): Fit | undefined {
  const r = ref.features;
  if (r.count < MIN_INLIERS || cur.count < MIN_INLIERS) return undefined;
  const pairs = ratioMatches(cv, r, cur);
  if (pairs.length / 4 < MIN_INLIERS) return undefined;
  const n = pairs.length / 4;
  const src: number[] = [];
  const dst: number[] = [];
  for (let k = 0; k < n; k++) {
    src.push(pairs[4 * k]!, pairs[4 * k + 1]!);
    dst.push(pairs[4 * k + 2]!, pairs[4 * k + 3]!);
  }
  const mats: CvMat[] = [];
  try {
    const s = track(mats, cv.matFromArray(n, 1, cv.CV_32FC2, src));
    const d = track(mats, cv.matFromArray(n, 1, cv.CV_32FC2, dst));
    const mask = track(mats, new cv.Mat());
    const h = track(mats, cv.findHomography(s, d, cv.RANSAC, REPROJECTION * Math.max(cur.width, cur.height), mask));
    if (h.empty() || h.data64F.length < 9) return undefined;
    let inliers = 0;
    for (let i = 0; i < mask.rows; i++) if (mask.data[i]) inliers++;
    if (inliers < MIN_INLIERS || inliers < MIN_INLIER_SHARE * n) return undefined;
    const homography = pixelsToFractions(Array.from(h.data64F.subarray(0, 9)) as unknown as Homography, r, cur);
    return isPlausible(homography) ? { ref, homography, inliers } : undefined;
  } finally {
    for (const m of mats) m.delete();
  }
}

/** Reference x, y, current x, y for each current corner whose best reference match passes the ratio test. */
function ratioMatches(cv: OpenCv, ref: ViewFeatures, cur: ViewFeatures): number[] {
  const mats: CvMat[] = [];
  const matcher = new cv.BFMatcher(cv.NORM_HAMMING, false);
  const knn = new cv.DMatchVectorVector();
  try {
    const query = track(mats, cv.matFromArray(cur.count, DESCRIPTOR_BYTES, cv.CV_8UC1, cur.descriptors));
    const train = track(mats, cv.matFromArray(ref.count, DESCRIPTOR_BYTES, cv.CV_8UC1, ref.descriptors));
    matcher.knnMatch(query, train, knn, 2);
    const out: number[] = [];
    for (let i = 0; i < knn.size(); i++) {
      const pair = knn.get(i);
      if (pair.size() >= 2) {
        const [a, b] = [pair.get(0), pair.get(1)];
        if (a.distance < RATIO * b.distance) out.push(ref.points[2 * a.trainIdx]!, ref.points[2 * a.trainIdx + 1]!, cur.points[2 * a.queryIdx]!, cur.points[2 * a.queryIdx + 1]!);
      }
      pair.delete();
    }
    return out;
  } finally {
    knn.delete();
    matcher.delete();
    for (const m of mats) m.delete();
  }
}

function track(mats: CvMat[], m: CvMat): CvMat {
  mats.push(m);
  return m;
}
