import { describe, expect, it } from 'vitest';
import type { BBox, Detection, Detections } from '../../core/types.js';
import { stepTracker, type TrackerState } from '../../rules/tracker.js';

const det = (box: BBox, label = 'car'): Detection => ({ box, score: 0.8, classId: 2, label, category: label === 'person' ? 'person' : 'vehicle' });
const at = (ts: number, items: Detection[]): Detections => ({ cameraId: 'c', ts, width: 1000, height: 1000, items });

function track(frames: Detection[][]): { ids: (number | undefined)[][]; state: TrackerState } {
  let state: TrackerState | undefined;
  const ids: (number | undefined)[][] = [];
  frames.forEach((items, i) => {
    const out = stepTracker(state, at(i * 1000, items));
    state = out.state;
    ids.push(out.items.map((d) => d.trackId));
  });
  return { ids, state: state! };
}

describe('tracker', () => {
  it('keeps one id for an object that moves a little between samples and records first and last seen', () => {
    const { ids, state } = track([0, 1, 2, 3].map((i) => [det([100 + i * 10, 100, 200 + i * 10, 200])]));
    expect(ids).toEqual([[1], [1], [1], [1]]);
    expect(state.tracks).toEqual([expect.objectContaining({ id: 1, firstSeen: 0, lastSeen: 3000, hits: 4, misses: 0 })]);
  });

  it('keeps the id through a few missed samples and drops the track once missed for longer than maxLostMs', () => {
    const box: BBox = [100, 100, 200, 200];
    const { ids } = track([[det(box)], [], [], [det(box)], [], [], [], [], [], [], [det(box)]]);
    expect(ids[3]).toEqual([1]);
    expect(ids[10]).toEqual([2]);
  });

  it('gives separate ids to separate objects and does not swap them when they are close', () => {
    const a = (i: number): BBox => [100 + i * 5, 100, 200 + i * 5, 200];
    const b = (i: number): BBox => [190 - i * 5, 100, 290 - i * 5, 200];
    const { ids } = track([0, 1, 2].map((i) => [det(a(i)), det(b(i))]));
    expect(ids).toEqual([[1, 2], [1, 2], [1, 2]]);
  });

  it('does not continue a track with an object of another category', () => {
    const box: BBox = [100, 100, 200, 200];
    const { ids } = track([[det(box)], [det(box, 'person')]]);
    expect(ids).toEqual([[1], [2]]);
  });

  it('starts a new track for an object that jumped (IoU below the threshold)', () => {
    const { ids } = track([[det([100, 100, 200, 200])], [det([180, 100, 280, 200])]]);
    expect(ids).toEqual([[1], [2]]);
  });

  it('does not continue a track with a much larger object over it (a bus stopping in front of a parked car)', () => {
    const { ids } = track([[det([100, 100, 200, 200])], [det([80, 90, 250, 240], 'bus')]]);
    expect(ids).toEqual([[1], [2]]);
  });

  it('is deterministic and its state survives JSON', () => {
    const frames = [0, 1, 2].map((i) => [det([100 + i * 10, 100, 200 + i * 10, 200]), det([500, 500, 600, 600])]);
    const a = track(frames).state;
    expect(JSON.parse(JSON.stringify(a))).toEqual(track(frames).state);
  });
});
