import { describe, expect, it } from 'vitest';
import { plateCandidates } from '../../plates/candidates.js';
import type { TextBox } from '../../plates/text_boxes.js';

const box = (cx: number, cy: number, w: number, h: number, score = 0.9, angle = 0): TextBox => ({ rect: { cx, cy, w, h, angle }, score });
const centres = (c: { rows: TextBox[] }) => c.rows.map((r) => [r.rect.cx, r.rect.cy]);

describe('plateCandidates', () => {
  it('keeps wide text, drops tall blobs, steep lines and text outside the crop', () => {
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
    expect(out.map(centres)).toEqual([[[200, 300]]]);
  });

  it('offers a plate split at its separator as one line too', () => {
    const out = plateCandidates([box(100, 300, 40, 30), box(185, 300, 100, 30)], 400, 400);
    const merged = out.find((c) => c.rows.length === 1 && c.rows[0]!.rect.w > 140);
    expect(merged).toBeDefined();
    expect(merged!.rows[0]!.rect.cx).toBeCloseTo(157.5, 1);
    expect(merged!.rows[0]!.rect.w).toBeCloseTo(155, 1);
  });

  it('offers two stacked rows (smaller above, centred) as a two-row plate, top row first', () => {
    const top = box(200, 262, 60, 22);
    const bottom = box(200, 300, 160, 44);
    const out = plateCandidates([bottom, top], 400, 400);
    const twoRow = out.filter((c) => c.rows.length === 2);
    expect(twoRow).toHaveLength(1);
    expect(twoRow[0]!.rows).toEqual([top, bottom]);
    expect(twoRow[0]!.height).toBe(44);
    // Each row is still offered alone too (a read of one row fits no format); nothing is merged side by side.
    expect(out.filter((c) => c.rows.length === 1).map(centres)).toEqual([[[200, 300]], [[200, 262]]]);
  });

  it('does not stack text that is beside, far above, or larger than the line below', () => {
    const bottom = box(200, 300, 160, 44);
    for (const other of [box(340, 262, 60, 22), box(200, 180, 60, 22), box(200, 250, 150, 50)]) {
      expect(plateCandidates([bottom, other], 400, 400).filter((c) => c.rows.length === 2)).toEqual([]);
    }
  });
});
