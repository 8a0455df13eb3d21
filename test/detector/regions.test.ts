import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/types.js';
import { createDetector, type Detector } from '../../detector/detector.js';
import { frameFromImage } from '../../detector/image.js';
import { regionGain, regionsFromConfig, tileRegions, zoneRegions } from '../../detector/regions.js';
import { regionsSchema } from '../../detector/schema.js';
import { media, MODELS_DIR } from '../support/paths.js';

const near = (r: { x1: number; y1: number; x2: number; y2: number }) => [r.x1, r.y1, r.x2, r.y2].map((v) => +v.toFixed(4));

describe('region geometry', () => {
  it('grows a zone by its margin, twice upwards, clipped to the frame', () => {
    const [r] = zoneRegions([[[0.4, 0.5], [0.6, 0.5], [0.6, 0.7], [0.4, 0.7]]], 0.25);
    expect(near(r!)).toEqual([0.35, 0.4, 0.65, 0.75]);
    expect(near(zoneRegions([[[0, 0.9], [0.2, 0.9], [0.2, 1], [0, 1]]], 0.5)[0]!)).toEqual([0, 0.8, 0.3, 1]);
  });

  it('merges overlapping zone areas and keeps apart ones apart', () => {
    const sq = (x: number, y: number): [number, number][] => [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1]];
    expect(zoneRegions([sq(0.1, 0.5), sq(0.15, 0.55), sq(0.8, 0.1)], 0)).toHaveLength(2);
    expect(near(zoneRegions([sq(0.1, 0.5), sq(0.15, 0.55)], 0)[0]!)).toEqual([0.1, 0.5, 0.25, 0.65]);
  });

  it('tiles the frame with overlapping tiles that cover it', () => {
    const t = tileRegions(2, 2, 0.2);
    expect(t).toHaveLength(4);
    expect(near(t[0]!)).toEqual([0, 0, 0.5556, 0.5556]);
    expect(near(t[3]!)).toEqual([0.4444, 0.4444, 1, 1]);
    expect(tileRegions(1, 1)).toEqual([{ x1: 0, y1: 0, x2: 1, y2: 1 }]);
  });

  it('measures the zoom a region gives over the whole frame', () => {
    expect(regionGain({ x1: 0, y1: 0, x2: 0.5, y2: 1 }, 1640, 590, 416, 416)).toBeCloseTo(2);
    expect(regionGain({ x1: 0, y1: 0, x2: 1, y2: 1 }, 1280, 720, 416, 416)).toBe(1);
  });

  it("builds regionsFor from the config: none, tiles, or the camera's zones", () => {
    const frame = { cameraId: 'a' } as Frame;
    expect(regionsFromConfig(undefined, () => [])).toBeUndefined();
    expect(regionsFromConfig(regionsSchema.parse({ mode: 'full' }), () => [])).toBeUndefined();
    expect(regionsFromConfig(regionsSchema.parse({}), () => [])!(frame)).toHaveLength(6); // the default: 3×2 tiles
    expect(regionsFromConfig(regionsSchema.parse({ mode: 'tiles', tiles: [3, 1] }), () => [])!(frame)).toHaveLength(3);
    const zones = regionsFromConfig(regionsSchema.parse({ mode: 'zones' }), (id) => (id === 'a' ? [[[0.1, 0.5], [0.3, 0.5], [0.2, 0.8]]] : undefined))!;
    expect(zones(frame)).toHaveLength(1);
    expect(zones({ cameraId: 'b' } as Frame)).toBeUndefined();
    expect(() => regionsSchema.parse({ mode: 'tiles', tiles: [0, 2] })).toThrow();
  });
});

describe('detector with inference regions', () => {
  let lane: Frame;
  let plain: Detector;
  beforeAll(async () => {
    lane = await frameFromImage(readFileSync(media('street/road_parked_cars_lane00000.jpg')), 'lane', 0, { pixelsLongSide: 416 });
    plain = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
  });
  afterAll(() => plain.close());

  it('finds the small parked cars of a zone that the whole-frame pass misses, boxed in full-frame pixels', async () => {
    // A no-parking zone along the far left kerb of the lane picture (cars 565–653 px wide, 1640×590 frame).
    const zone: [number, number][] = [[0.33, 0.52], [0.42, 0.52], [0.42, 0.6], [0.33, 0.6]];
    const zoned = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1, regionsFor: (f) => (f.cameraId === 'lane' ? zoneRegions([zone]) : undefined) });
    try {
      const inZone = (d: { box: number[] }) => { const cx = (d.box[0]! + d.box[2]!) / 2; return cx > 0.33 * 1640 && cx < 0.42 * 1640; };
      const [before] = await plain.run([lane]);
      const [after] = await zoned.run([lane]);
      const vehiclesIn = (d: typeof before) => d!.items.filter((i) => i.category === 'vehicle' && inZone(i));
      expect(vehiclesIn(after).length).toBeGreaterThan(vehiclesIn(before).length);
      // The brown car (by eye [565, 306, 623, 342]) is found, in full-frame pixels.
      expect(vehiclesIn(after).some((d) => Math.abs(d.box[0] - 565) < 12 && Math.abs(d.box[3] - 342) < 10)).toBe(true);
      // Everything the whole frame found is still there.
      for (const d of before!.items.filter((i) => i.score > 0.5)) expect(after!.items.some((a) => a.label === d.label && Math.abs(a.box[0] - d.box[0]) < 20)).toBe(true);
      expect(zoned.timings.runs).toBe(2); // whole frame + one region
    } finally {
      await zoned.close();
    }
  });

  it('skips a region that gives no more detail than the whole frame', async () => {
    const det = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1, regionsFor: () => [{ x1: 0, y1: 0, x2: 0.95, y2: 0.95 }] });
    try {
      await det.run([lane]);
      expect(det.timings.runs).toBe(1);
    } finally {
      await det.close();
    }
  });
});
