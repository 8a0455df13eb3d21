import { describe, expect, it } from 'vitest';
import { decodeYolov5, decodeYolov8 } from '../../detector/decoders/ultralytics.js';
import { decodeYolox } from '../../detector/decoders/yolox.js';
import { dropParts, iou, mergeWithinGroups, nmsPerClass, type Candidate } from '../../detector/nms.js';
import { WeisuError } from '../../core/errors.js';

/**
 * Synthetic output tensors with boxes placed by hand, in each supported layout, decoded back to known
 * boxes. (End-to-end runs of the real YOLOX and YOLOv8 files are in detector.test.ts.)
 */
const NC = 3;
const opts = { batchIndex: 0, inputWidth: 64, inputHeight: 32, scoreThreshold: 0.3, numClasses: NC };
const round = (c: Candidate) => ({ ...c, x1: +c.x1.toFixed(3), y1: +c.y1.toFixed(3), x2: +c.x2.toFixed(3), y2: +c.y2.toFixed(3), score: +c.score.toFixed(4) });

describe('YOLOX decoder ([B, N, 5+nc], grid offsets)', () => {
  // 64×32 input, strides 8 and 16: 8·4 + 4·2 = 40 rows.
  const strides = [8, 16];
  const rows = 40;
  function tensor(batch: number, set: (b: number, row: number, v: number[]) => void): Float32Array {
    const t = new Float32Array(batch * rows * (5 + NC));
    for (let b = 0; b < batch; b++) for (let r = 0; r < rows; r++) {
      const v = new Array<number>(5 + NC).fill(0);
      set(b, r, v);
      t.set(v, (b * rows + r) * (5 + NC));
    }
    return t;
  }

  it('turns grid offsets, log sizes, objectness and class scores into boxes', () => {
    // Stride 8, cell gx=3 gy=1 is row 1·8+3 = 11: centre (3.5·8, 1.5·8) = (28, 12), size e^1·8 × e^0·8.
    // Stride 16, cell gx=1 gy=0 is row 32+1 = 33: centre (1.25·16, 0.5·16) = (20, 8), size 16 × 32.
    const t = tensor(1, (_, r, v) => {
      if (r === 11) v.splice(0, 8, 0.5, 0.5, 1, 0, 0.9, 0.1, 0.8, 0.2);
      if (r === 33) v.splice(0, 8, 0.25, 0.5, 0, Math.log(2), 0.5, 0.9, 0, 0);
      if (r === 20) v.splice(0, 8, 0, 0, 0, 0, 0.2, 1, 1, 1); // objectness too low
    });
    const out = decodeYolox(t, [1, rows, 5 + NC], { ...opts, strides }).map(round);
    const w = 8 * Math.E;
    expect(out).toEqual([
      round({ x1: 28 - w / 2, y1: 8, x2: 28 + w / 2, y2: 16, score: 0.72, classId: 1 }),
      { x1: 12, y1: -8, x2: 28, y2: 24, score: 0.45, classId: 0 },
    ]);
  });

  it('reads the asked picture of a batch', () => {
    const t = tensor(2, (b, r, v) => {
      if (b === 1 && r === 0) v.splice(0, 8, 0.5, 0.5, 0, 0, 1, 0, 0, 0.7);
    });
    expect(decodeYolox(t, [2, rows, 5 + NC], { ...opts, strides })).toEqual([]);
    expect(decodeYolox(t, [2, rows, 5 + NC], { ...opts, strides, batchIndex: 1 }).map(round)).toEqual([{ x1: 0, y1: 0, x2: 8, y2: 8, score: 0.7, classId: 2 }]);
  });

  it('refuses a tensor whose rows do not match the grid or the labels', () => {
    expect(() => decodeYolox(new Float32Array(41 * 8), [1, 41, 8], { ...opts, strides })).toThrow(WeisuError);
    expect(() => decodeYolox(new Float32Array(40 * 9), [1, 40, 9], { ...opts, strides })).toThrow(/expected output shape \[B, 40, 8\]/);
  });
});

describe('Ultralytics YOLOv5 decoder ([B, N, 5+nc], decoded xywh with objectness)', () => {
  it('multiplies objectness by the best class score', () => {
    const t = Float32Array.from([
      32, 16, 10, 20, 0.8, 0.1, 0.9, 0.3, // car-like box, class 1, 0.72
      10, 10, 4, 4, 0.9, 0.2, 0.3, 0.25, // 0.27: below threshold
      50, 5, 6, 2, 0.25, 1, 1, 1, // objectness below threshold
    ]);
    expect(decodeYolov5(t, [1, 3, 8], opts).map(round)).toEqual([{ x1: 27, y1: 6, x2: 37, y2: 26, score: 0.72, classId: 1 }]);
    expect(() => decodeYolov5(t, [1, 3, 7], opts)).toThrow(/yolov5/);
  });
});

describe('Ultralytics YOLOv8/11 decoder ([B, 4+nc, N], channel-major, no objectness)', () => {
  it('reads each anchor down the channels', () => {
    // Three anchors; rows cx, cy, w, h, c0, c1, c2.
    const rows = [
      [10, 40, 60],
      [10, 16, 30],
      [4, 8, 2],
      [6, 16, 2],
      [0.9, 0.1, 0.2],
      [0.05, 0.2, 0.1],
      [0.1, 0.6, 0.29],
    ];
    const t = Float32Array.from([...rows.flat(), ...rows.flat().map(() => 0)]); // batch of 2, second empty
    expect(decodeYolov8(t, [2, 7, 3], opts).map(round)).toEqual([
      { x1: 8, y1: 7, x2: 12, y2: 13, score: 0.9, classId: 0 },
      { x1: 36, y1: 8, x2: 44, y2: 24, score: 0.6, classId: 2 },
    ]);
    expect(decodeYolov8(t, [2, 7, 3], { ...opts, batchIndex: 1 })).toEqual([]);
    expect(() => decodeYolov8(t, [2, 8, 3], opts)).toThrow(/\[B, 7, N\]/);
  });
});

describe('per-class NMS', () => {
  const box = (x1: number, score: number, classId: number): Candidate => ({ x1, y1: 0, x2: x1 + 10, y2: 10, score, classId });

  it('keeps the best of overlapping boxes of one class, and overlapping boxes of other classes', () => {
    const kept = nmsPerClass([box(0, 0.5, 0), box(1, 0.9, 0), box(1, 0.8, 1), box(30, 0.4, 0)], 0.45);
    expect(kept).toEqual([box(1, 0.9, 0), box(1, 0.8, 1), box(30, 0.4, 0)]);
  });

  it('keeps boxes overlapping less than the threshold and caps the total', () => {
    expect(iou(box(0, 1, 0), box(5, 1, 0))).toBeCloseTo(50 / 150);
    expect(nmsPerClass([box(0, 0.9, 0), box(5, 0.8, 0)], 0.45)).toHaveLength(2);
    expect(nmsPerClass([box(0, 0.9, 0), box(5, 0.8, 0)], 0.3)).toHaveLength(1);
    expect(nmsPerClass(Array.from({ length: 50 }, (_, i) => box(i * 20, 0.5, 0)), 0.45, 10)).toHaveLength(10);
  });

  it('merges one object boxed under two classes of the same category, and only then', () => {
    // COCO: 2 car, 7 truck (vehicle); 0 person.
    const groupOf = (c: number) => (c === 0 ? 'person' : 'vehicle');
    const truck = { ...box(0, 0.86, 7), x2: 11 };
    const car = box(0, 0.45, 2);
    const person = box(0, 0.4, 0);
    expect(mergeWithinGroups([truck, car, person], groupOf, 0.7)).toEqual([truck, person]);
    expect(mergeWithinGroups([truck, car], groupOf, 1)).toEqual([truck, car]);
    expect(mergeWithinGroups([box(0, 0.9, 2), box(6, 0.5, 7)], groupOf, 0.7)).toHaveLength(2); // IoU 0.54: two vehicles side by side
  });

  it('drops a part of a vehicle lying inside a larger, at least as confident box of its category, and only that', () => {
    const groupOf = (c: number) => (c === 0 ? 'person' : 'vehicle');
    const car: Candidate = { x1: 0, y1: 0, x2: 40, y2: 20, score: 0.8, classId: 2 };
    const bonnet: Candidate = { x1: 0, y1: 8, x2: 18, y2: 20, score: 0.6, classId: 2 };
    const all = [car, bonnet];
    expect(dropParts(all, all, groupOf)).toEqual([car]);
    // A weak box spanning two parked cars does not erase the cars inside it.
    const span: Candidate = { ...car, score: 0.4 };
    expect(dropParts([span, bonnet], [span, bonnet], groupOf)).toEqual([span, bonnet]);
    // Another category (a person before a bus) is not a part.
    const person: Candidate = { ...bonnet, classId: 0 };
    expect(dropParts([car, person], [car, person], groupOf)).toEqual([car, person]);
  });
});
