import type { BBox, Category, Detection, Detections } from '../core/types.js';
import { boxArea, boxIou } from '../core/geometry.js';
import { greedyMatch } from './match.js';

/**
 * IoU tracker for one camera's samples: gives each object a stable track id while it moves a little
 * between samples, and keeps the id while it is missed for a short time (a detector flicker, a brief
 * occlusion) — a time, so that the same street sampled every 2 or 10 s keeps the same tracks.
 * Pure: (state, detections) → (state, detections with `trackId`). The state is plain JSON so it can live
 * in Redis between samples handled by different workers.
 */

export interface Track {
  id: number;
  box: BBox;
  label: string;
  category: Category;
  score: number;
  /** Source-time ms of the first and the latest sample the object was detected in. */
  firstSeen: number;
  lastSeen: number;
  /** Samples the object was detected in, and consecutive samples it was not. */
  hits: number;
  misses: number;
}

export interface TrackerState {
  nextId: number;
  tracks: Track[];
}

export interface TrackerOptions {
  /** Minimum IoU between a track's last box and a detection to continue the track. */
  iouThreshold: number;
  /** Source-time ms a track survives without being detected; one missed sample always survives (one sighting of a miss decides nothing). */
  maxLostMs: number;
  /**
   * Largest factor by which a track's box area may change between its samples: a bus stopping in front of
   * a parked car overlaps the car's box well enough, but it is a second object, not the car driving off.
   */
  maxAreaRatio: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { iouThreshold: 0.3, maxLostMs: 5000, maxAreaRatio: 1.6 };

export function emptyTracker(): TrackerState {
  return { nextId: 1, tracks: [] };
}

/**
 * Greedy matching by descending IoU within the same category (a car re-labelled truck by the detector
 * stays the same vehicle) and of about the same size (`maxAreaRatio`). Unmatched detections start tracks; unmatched tracks age and are dropped once
 * missed for longer than `maxLostMs` (and in more than one sample).
 */
export function stepTracker(
  state: TrackerState | undefined,
  dets: Detections,
  opts: TrackerOptions = DEFAULT_TRACKER,
): { state: TrackerState; items: Detection[] } {
  const prev = state ?? emptyTracker();
  const pairs: { a: number; b: number; iou: number }[] = [];
  prev.tracks.forEach((track, t) => {
    dets.items.forEach((det, d) => {
      if (det.category !== track.category) return;
      const iou = boxIou(track.box, det.box);
      const ratio = boxArea(det.box) / Math.max(boxArea(track.box), 1);
      if (iou >= opts.iouThreshold && ratio <= opts.maxAreaRatio && ratio >= 1 / opts.maxAreaRatio) pairs.push({ a: t, b: d, iou });
    });
  });
  const detectionOf = greedyMatch(pairs, (x, y) => y.iou - x.iou);
  const trackOf = new Map([...detectionOf].map(([t, d]) => [d, t]));

  let nextId = prev.nextId;
  const tracks: Track[] = [];
  prev.tracks.forEach((track, t) => {
    if (detectionOf.has(t)) return;
    if (track.misses === 0 || dets.ts - track.lastSeen <= opts.maxLostMs) tracks.push({ ...track, misses: track.misses + 1 });
  });
  const items = dets.items.map((det, d): Detection => {
    const t = trackOf.get(d);
    const old = t === undefined ? undefined : prev.tracks[t]!;
    const id = old ? old.id : nextId++;
    tracks.push({
      id,
      box: [...det.box],
      label: det.label,
      category: det.category,
      score: det.score,
      firstSeen: old ? old.firstSeen : dets.ts,
      lastSeen: dets.ts,
      hits: (old?.hits ?? 0) + 1,
      misses: 0,
    });
    return { ...det, trackId: id };
  });
  tracks.sort((a, b) => a.id - b.id);
  return { state: { nextId, tracks }, items };
}

/** Ids of tracks that were seen in both samples and barely moved between them (IoU ≥ `minIou`: detector jitter, not driving). */
export function stillTracks(before: TrackerState | undefined, after: TrackerState, minIou = 0.9): Set<number> {
  const prev = new Map((before?.tracks ?? []).filter((t) => t.misses === 0).map((t) => [t.id, t.box]));
  return new Set(after.tracks.filter((t) => t.misses === 0 && prev.has(t.id) && boxIou(prev.get(t.id)!, t.box) >= minIou).map((t) => t.id));
}

/** Every track's latest box before a sample (where each object was last seen), by track id. */
export function trackBoxes(state: TrackerState | undefined): Map<number, BBox> {
  return new Map((state?.tracks ?? []).map((t) => [t.id, t.box]));
}
