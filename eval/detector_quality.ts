import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BBox } from '../core/types.js';
import type { Detector } from '../detector/detector.js';
import { frameFromImage } from '../detector/image.js';
import labels from './street_vehicles.json' with { type: 'json' };

/**
 * Detector quality on the hand-labelled street photographs (eval/street_vehicles.json: how the labels were
 * made is written in it). Class-agnostic over vehicles: each vehicle detection, best score first, takes the
 * unmatched label it overlaps most (IoU ≥ 0.5); an unmatched detection lying mostly inside an `ignore`
 * region counts neither way; all others are false positives. Pictures reach the detector as a camera
 * source delivers them (the JPEG and an inference copy whose long side is the model input), so this is
 * the path of the worker and of `weisu detect`.
 */
export type View = 'street' | 'overhead';
export interface Labelled { view: View; vehicles: BBox[]; ignore: BBox[] }
export const LABELLED = labels.images as unknown as Record<string, Labelled>;
export const EXCLUDED = labels.excluded as Record<string, string>;

/**
 * Pictures kept out of every choice of settings (model, regions, thresholds): the default path is tuned on
 * the others and checked on these (test/detector/quality.test.ts). Chosen before tuning, spread over kinds
 * of scene: a parked row, moving traffic, a far car, close single vehicles.
 */
export const HELD_OUT = ['street_parked_cars_005.png', 'road_cars_4s.jpg', 'road_cars_004.png', 'parked_car_in_bay.jpg', 'parked_car_red.jpg', 'street_bus.jpg'];

export interface Score { tp: number; fp: number; labels: number }

const area = (b: BBox) => Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
const inter = (a: BBox, b: BBox) => area([Math.max(a[0], b[0]), Math.max(a[1], b[1]), Math.min(a[2], b[2]), Math.min(a[3], b[3])]);
const iou = (a: BBox, b: BBox) => inter(a, b) / (area(a) + area(b) - inter(a, b));

export function scorePicture(dets: readonly { box: BBox; score: number }[], truth: Labelled): Score {
  const used = new Set<number>();
  let tp = 0;
  let fp = 0;
  for (const d of [...dets].sort((a, b) => b.score - a.score)) {
    let best = -1;
    let bestIou = 0.5;
    truth.vehicles.forEach((t, i) => {
      const v = iou(d.box, t);
      if (!used.has(i) && v >= bestIou) [best, bestIou] = [i, v];
    });
    if (best >= 0) {
      used.add(best);
      tp++;
    } else if (!truth.ignore.some((g) => inter(d.box, g) >= 0.5 * area(d.box))) fp++;
  }
  return { tp, fp, labels: truth.vehicles.length };
}

export const sumScores = (xs: readonly Score[]): Score => xs.reduce((a, b) => ({ tp: a.tp + b.tp, fp: a.fp + b.fp, labels: a.labels + b.labels }), { tp: 0, fp: 0, labels: 0 });
export const recallOf = (s: Score) => (s.labels ? s.tp / s.labels : 1);
export const precisionOf = (s: Score) => (s.tp + s.fp ? s.tp / (s.tp + s.fp) : 1);

export interface PictureScore extends Score { file: string; view: View }

/** Scores of one detector over the labelled pictures (all, or the `only` ones), in file order. */
export async function scoreDetector(det: Detector, mediaDir: string, only?: readonly string[]): Promise<PictureScore[]> {
  const longSide = Math.max(det.manifest.input.width, det.manifest.input.height);
  const out: PictureScore[] = [];
  for (const [file, truth] of Object.entries(LABELLED)) {
    if (only && !only.includes(file)) continue;
    const frame = await frameFromImage(readFileSync(join(mediaDir, 'street', file)), 'quality', 0, { pixelsLongSide: longSide });
    const [d] = await det.run([frame]);
    out.push({ file, view: truth.view, ...scorePicture(d!.items.filter((i) => i.category === 'vehicle'), truth) });
  }
  return out;
}

/** Rows of the quality table: each picture, then street view (tuned on, held out, both), overhead view and all. */
export function qualityRows(scores: readonly PictureScore[]): (string | number)[][] {
  const row = (name: string, s: Score) => [name, s.labels, s.tp, s.fp, recallOf(s).toFixed(3), precisionOf(s).toFixed(3)];
  const sumOf = (keep: (s: PictureScore) => boolean) => sumScores(scores.filter(keep));
  const street = (s: PictureScore) => s.view === 'street';
  return [
    ...scores.map((s) => row(`${s.file}${HELD_OUT.includes(s.file) ? ' (held out)' : ''}`, s)),
    row('street view, tuned on', sumOf((s) => street(s) && !HELD_OUT.includes(s.file))),
    row('street view, held out', sumOf((s) => street(s) && HELD_OUT.includes(s.file))),
    row('street view', sumOf(street)),
    row('overhead view', sumOf((s) => s.view === 'overhead')),
    row('all', sumOf(() => true)),
  ];
}
export const QUALITY_COLUMNS = ['picture', 'vehicles', 'found', 'false', 'recall', 'precision'];
