/**
 * Per-site calibration, pure: operators label a few crops of one bin site as normal or overflowing; their
 * embeddings form one centroid per class, and a new crop takes the class of the nearest centroid (cosine).
 * Until every class has `k` examples the site is not calibrated and the generic model decides.
 */

export type BinLabel = 'normal' | 'overflowing';

/** The labelled embeddings of one site. */
export type CalibrationSet = Record<BinLabel, ArrayLike<number>[]>;

export interface CalibratedJudgement {
  state: BinLabel;
  /** Softmax over the scaled cosine similarities to the two centroids: a confidence in 0.5..1. */
  score: number;
  similarity: Record<BinLabel, number>;
}

/** Cosine-classifier temperature: similarities differ by hundredths between close classes. */
const SCALE = 20;

function normalised(v: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(v as ArrayLike<number>);
  const n = Math.hypot(...out);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

export function centroid(examples: ArrayLike<number>[]): Float64Array {
  const dim = examples[0]!.length;
  const sum = new Float64Array(dim);
  for (const e of examples) {
    if (e.length !== dim) throw new Error(`calibration embeddings differ in length (${e.length} vs ${dim}): were they made by different models?`);
    const n = normalised(e);
    for (let i = 0; i < dim; i++) sum[i]! += n[i]!;
  }
  return normalised(sum);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function isCalibrated(set: CalibrationSet | undefined, k: number): set is CalibrationSet {
  return !!set && set.normal.length >= k && set.overflowing.length >= k;
}

/** Nearest centroid. Returns undefined when the site has fewer than `k` examples of either class. */
export function judgeByCalibration(embedding: ArrayLike<number>, set: CalibrationSet | undefined, k: number): CalibratedJudgement | undefined {
  if (!isCalibrated(set, k)) return undefined;
  const q = normalised(embedding);
  const similarity = { normal: dot(q, centroid(set.normal)), overflowing: dot(q, centroid(set.overflowing)) };
  const state: BinLabel = similarity.overflowing > similarity.normal ? 'overflowing' : 'normal';
  const margin = Math.abs(similarity.overflowing - similarity.normal) * SCALE;
  return { state, score: 1 / (1 + Math.exp(-margin)), similarity };
}
