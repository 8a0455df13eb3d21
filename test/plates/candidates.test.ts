import { describe, expect, it } from 'vitest';
import { plateCandidates } from '../../plates/candidates.js';
import type { TextBox } from '../../plates/text_boxes.js';

const box = (cx: number, cy: number, w: number, h: number, score = 0.9, angle = 0): TextBox => ({ rect: { cx, cy, w, h, angle }, score });

describe('plateCandidates', () => {
  it('keeps wide text, drops tall blobs and steep lines', () => {
    const out = plateCandidates(
      [
        box(200, 300, 120, 30), // plate
        box(200, 440, 120, 30), // outside the crop
        box(60, 300, 40, 80), // tall blob: a logo
        box(300, 300, 120, 30, 0.9, 1), // steep: ~57°
      ],
      400,
      400,
    );
    expect(out.map((c) => [c.rect.cx, c.rect.cy])).toEqual([[200, 300]]);
  });

  it('offers a plate split at its separator as one line too', () => {
    const out = plateCandidates([box(100, 300, 40, 30), box(185, 300, 100, 30)], 400, 400);
    const merged = out.find((c) => c.rect.w > 140);
    expect(merged).toBeDefined();
    expect(merged!.rect.cx).toBeCloseTo(157.5, 1);
    expect(merged!.rect.w).toBeCloseTo(155, 1);
  });

  it('does not merge lines of another height or row (a two-row plate stays two lines)', () => {
    const out = plateCandidates([box(200, 260, 80, 20), box(200, 300, 160, 40)], 400, 400);
    expect(out.every((c) => c.rect.w <= 160)).toBe(true);
  });
});
