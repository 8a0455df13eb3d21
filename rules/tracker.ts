import type { BBox, Category, Detection, Detections } from '../core/types.js';
import { boxIou } from '../core/geometry.js';

/**
 * IoU tracker for one camera's samples: gives each object a stable track id while it moves a little
 * between samples, and keeps the id through a few missed samples (a detector flicker, a brief occlusion).
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
  /** Consecutive missed samples after which a track is dropped. */
  maxMisses: number;
}

export const DEFAULT_TRACKER: TrackerOptions = { iouThreshold: 0.3, maxMisses: 5 };

export function emptyTracker(): TrackerState {
  return { nextId: 1, tracks: [] };
}

/**
 * Greedy matching by descending IoU within the same category (a car re-labelled truck by the detector
 * stays the same vehicle). Unmatched detections start tracks; unmatched tracks age and are dropped after
 * `maxMisses` samples.
 */
export function stepTracker(
  state: TrackerState | undefined,
  dets: Detections,
  opts: TrackerOptions = DEFAULT_TRACKER,
): { state: TrackerState; items: Detection[] } {
  const prev = state ?? emptyTracker();
  const pairs: { t: number; d: number; iou: number }[] = [];
  prev.tracks.forEach((track, t) => {
    dets.items.forEach((det, d) => {
      if (det.category !== track.category) return;
      const iou = boxIou(track.box, det.box);
      if (iou >= opts.iouThreshold) pairs.push({ t, d, iou });
    });
  });
  pairs.sort((a, b) => b.iou - a.iou || a.t - b.t || a.d - b.d);

  const trackOf = new Map<number, number>();
  const usedTracks = new Set<number>();
  for (const p of pairs) {
    if (usedTracks.has(p.t) || trackOf.has(p.d)) continue;
    usedTracks.add(p.t);
    trackOf.set(p.d, p.t);
  }

  let nextId = prev.nextId;
  const tracks: Track[] = [];
  prev.tracks.forEach((track, t) => {
    if (usedTracks.has(t)) return;
    if (track.misses + 1 <= opts.maxMisses) tracks.push({ ...track, misses: track.misses + 1 });
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
