import { describe, expect, it } from 'vitest';
import type { RawImage } from '../../core/types.js';
import { inputSchema } from '../../models/manifest.js';
import { placement, tensorWriter, toFrameBox } from '../../detector/preprocess.js';

const yoloxIn = inputSchema.parse({ width: 416, height: 416, channel_order: 'bgr', resize: 'letterbox', anchor: 'top_left' });
const v8In = inputSchema.parse({ width: 640, height: 640, channel_order: 'rgb', scale: 1 / 255, resize: 'letterbox', anchor: 'center' });
const clsIn = inputSchema.parse({ width: 4, height: 2, channel_order: 'rgb', scale: 1 / 255, mean: [0.5, 0.5, 0.5], std: [0.25, 0.5, 1], resize: 'stretch' });

describe('placement and box mapping', () => {
  it('letterboxes top-left (YOLOX) and centred (Ultralytics), stretches for classifiers', () => {
    expect(placement(1640, 590, yoloxIn)).toEqual({ scaleX: 416 / 1640, scaleY: 150 / 590, padX: 0, padY: 0, width: 416, height: 150 });
    expect(placement(1280, 720, v8In)).toMatchObject({ padX: 0, padY: 140, width: 640, height: 360 });
    expect(placement(810, 1080, v8In)).toMatchObject({ padX: 80, padY: 0, width: 480, height: 640 });
    expect(placement(100, 300, clsIn)).toEqual({ scaleX: 0.04, scaleY: 2 / 300, padX: 0, padY: 0, width: 4, height: 2 });
  });

  it('maps an input-space box back to full-frame pixels and clips it to the frame', () => {
    const p = placement(1280, 720, v8In); // scale 0.5, padY 140
    expect(toFrameBox(100, 190, 300, 290, p, 1280, 720)).toEqual([200, 100, 600, 300]);
    expect(toFrameBox(-10, 100, 700, 600, p, 1280, 720)).toEqual([0, 0, 1280, 720]);
  });
});

describe('tensor writer', () => {
  // 2×1 RGB picture: a red pixel then a blue one.
  const img: RawImage = { data: Buffer.from([255, 0, 0, 0, 0, 255]), width: 2, height: 1, channels: 3 };

  it('writes planar BGR 0..255 with the pad value around a top-left letterbox', () => {
    const input = inputSchema.parse({ width: 3, height: 2, channel_order: 'bgr', resize: 'letterbox', anchor: 'top_left' });
    const w = tensorWriter(input);
    const t = new Float32Array(w.size + 2).fill(-1);
    w.write(t, 1, img, placement(2, 1, input, { width: 2, height: 1 }));
    expect(t[0]).toBe(-1); // writes only its own slot
    expect(t[w.size + 1]).toBe(-1);
    const planes = [0, 1, 2].map((c) => Array.from(t.subarray(1 + c * 6, 1 + (c + 1) * 6)));
    expect(planes).toEqual([
      [0, 255, 114, 114, 114, 114], // B
      [0, 0, 114, 114, 114, 114], // G
      [255, 0, 114, 114, 114, 114], // R
    ]);
  });

  it('centres the picture and applies scale, mean and std per channel', () => {
    const w = tensorWriter(clsIn);
    const t = new Float32Array(w.size);
    const rgb: RawImage = { data: Buffer.from(Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 255 : 0))), width: 4, height: 2, channels: 3 };
    w.write(t, 0, rgb, placement(4, 2, clsIn));
    expect(t[0]).toBeCloseTo((1 - 0.5) / 0.25);
    expect(t[8]).toBeCloseTo((0 - 0.5) / 0.5);
    expect(t[16]).toBeCloseTo(-0.5);
    const centred = inputSchema.parse({ width: 2, height: 3, channel_order: 'rgb', resize: 'letterbox', anchor: 'center', pad_value: 0 });
    const c = tensorWriter(centred);
    const tc = new Float32Array(c.size);
    c.write(tc, 0, img, placement(2, 1, centred));
    expect(Array.from(tc.subarray(0, 6))).toEqual([0, 0, 255, 0, 0, 0]); // R plane: middle row holds the picture
  });

  it('refuses a picture that does not match its placement', () => {
    const w = tensorWriter(yoloxIn);
    expect(() => w.write(new Float32Array(w.size), 0, img, placement(1640, 590, yoloxIn))).toThrow(/does not match/);
  });
});
