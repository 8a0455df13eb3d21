import { describe, expect, it } from 'vitest';
import { convexHull, dbBoxes, minAreaRect, rectBounds, unclip } from '../../plates/text_boxes.js';

function map(width: number, height: number, paint: (x: number, y: number) => number): Float32Array {
  const m = new Float32Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) m[y * width + x] = paint(x, y);
  return m;
}

describe('DB post-processing', () => {
  it('finds one box per text region, grown back from its shrunk core', () => {
    // Two cores: 40×8 at (10,10) and 20×6 at (10,40).
    const m = map(80, 60, (x, y) => ((x >= 10 && x < 50 && y >= 10 && y < 18) || (x >= 10 && x < 30 && y >= 40 && y < 46) ? 0.9 : 0.05));
    const boxes = dbBoxes(m, 80, 60).sort((a, b) => a.rect.cy - b.rect.cy);
    expect(boxes).toHaveLength(2);
    const [a] = boxes;
    expect(a!.score).toBeCloseTo(0.9, 5);
    expect(a!.rect.cx).toBeCloseTo(30, 5);
    expect(a!.rect.cy).toBeCloseTo(14, 5);
    const d = (40 * 8 * 1.5) / (2 * 48);
    expect(a!.rect.w).toBeCloseTo(40 + 2 * d, 5);
    expect(a!.rect.h).toBeCloseTo(8 + 2 * d, 5);
    expect(a!.rect.angle).toBeCloseTo(0, 5);
  });

  it('drops specks and faint regions', () => {
    const m = map(40, 40, (x, y) => (x === 5 && y === 5 ? 0.99 : x >= 20 && x < 35 && y >= 20 && y < 30 ? 0.4 : 0));
    expect(dbBoxes(m, 40, 40)).toEqual([]);
  });

  it('measures a tilted line along its tilt', () => {
    const angle = (10 * Math.PI) / 180;
    const m = map(120, 80, (x, y) => {
      const u = (x - 60) * Math.cos(angle) + (y - 40) * Math.sin(angle);
      const v = -(x - 60) * Math.sin(angle) + (y - 40) * Math.cos(angle);
      return Math.abs(u) < 40 && Math.abs(v) < 6 ? 1 : 0;
    });
    const [box] = dbBoxes(m, 120, 80);
    expect(box!.rect.angle).toBeCloseTo(angle, 1);
    expect(box!.rect.w).toBeGreaterThan(box!.rect.h * 3);
  });
});

describe('geometry', () => {
  it('hull and minimum-area rectangle of a square', () => {
    const hull = convexHull([[0, 0], [4, 0], [4, 4], [0, 4], [2, 2], [1, 3]]);
    expect(hull).toHaveLength(4);
    const r = minAreaRect(hull);
    expect([r.cx, r.cy, r.w, r.h]).toEqual([2, 2, 4, 4]);
  });

  it('unclip grows every side by area × ratio / perimeter; rectBounds of an upright rect is itself', () => {
    const r = unclip({ cx: 10, cy: 10, w: 20, h: 4, angle: 0 }, 1.5);
    const d = (20 * 4 * 1.5) / 48;
    expect(r.w).toBeCloseTo(20 + 2 * d);
    expect(rectBounds({ cx: 10, cy: 10, w: 20, h: 4, angle: 0 })).toEqual([0, 8, 20, 12]);
  });
});
