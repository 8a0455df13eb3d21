import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WeisuError } from '../../core/errors.js';
import type { Detections, Frame } from '../../core/types.js';
import { createDetector, type Detector } from '../../detector/detector.js';
import { frameFromImage } from '../../detector/image.js';
import { media, MODELS_DIR } from '../support/paths.js';

const LANE = 'street/road_parked_cars_lane00000.jpg';
const vehicles = (d: Detections) => d.items.filter((i) => i.category === 'vehicle');
/** A vehicle whose box centre lies in the given pixel ranges. */
const vehicleAt = (d: Detections, [xa, xb]: [number, number], [ya, yb]: [number, number]) =>
  vehicles(d).some(({ box: b }) => (b[0] + b[2]) / 2 > xa && (b[0] + b[2]) / 2 < xb && (b[1] + b[3]) / 2 > ya && (b[1] + b[3]) / 2 < yb);
// In the lane picture (1640×590, by eye): the white car left of the road and the black car right of it.
const WHITE_CAR: [[number, number], [number, number]] = [[300, 480], [320, 380]];
const BLACK_CAR: [[number, number], [number, number]] = [[900, 1050], [300, 360]];

/** Each confident box of `a` (score ≥ 0.5: borderline ones may flip) has a box of `b` with the same label whose corners are within `tol` pixels. */
function sameBoxes(a: Detections, b: Detections, tol: number): void {
  const confident = a.items.filter((i) => i.score >= 0.5);
  expect(confident.length).toBeGreaterThan(0);
  for (const x of confident) {
    const match = b.items.find((y) => y.label === x.label && y.box.every((v, i) => Math.abs(v - x.box[i]!) <= tol));
    expect(match, `${x.label} ${x.box.map(Math.round)} in ${JSON.stringify(b.items.map((i) => i.box.map(Math.round)))}`).toBeDefined();
  }
}

describe('YOLOX-nano detector on real pictures', () => {
  let det: Detector;
  let lane: Frame;
  beforeAll(async () => {
    det = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
    lane = await frameFromImage(readFileSync(media(LANE)), 'cam-a', 1234);
  });
  afterAll(() => det.close());

  it('finds the parked cars of the lane picture, boxed in full-frame pixels', async () => {
    const [d] = await det.run([lane]);
    expect(d).toMatchObject({ cameraId: 'cam-a', ts: 1234, width: 1640, height: 590 });
    expect(vehicles(d!).length).toBeGreaterThanOrEqual(4);
    expect(vehicleAt(d!, ...WHITE_CAR)).toBe(true);
    expect(vehicleAt(d!, ...BLACK_CAR)).toBe(true);
    for (const c of d!.items) {
      expect(c.box[0]).toBeGreaterThanOrEqual(0);
      expect(c.box[2]).toBeLessThanOrEqual(1640);
      expect(c.box[3]).toBeLessThanOrEqual(590);
      expect(c.score).toBeGreaterThanOrEqual(0.35);
    }
  });

  it('gives the same boxes from the JPEG alone as from the inference copy', async () => {
    const [withPixels] = await det.run([lane]);
    const [fromJpeg] = await det.run([{ ...lane, pixels: undefined }]);
    const small = await frameFromImage(readFileSync(media(LANE)), 'cam-a', 1234, { pixelsLongSide: 416 });
    const [fromExact] = await det.run([small]);
    // Different resampling paths move a box by a few pixels at most (1640 px wide frame).
    sameBoxes(withPixels!, fromJpeg!, 8);
    sameBoxes(withPixels!, fromExact!, 8);
  });

  it('runs frames of several cameras in one call, each answered with its own camera and size', async () => {
    const bus = await frameFromImage(readFileSync(media('street/street_bus.jpg')), 'cam-b', 5);
    const out = await det.run([lane, bus, lane]);
    expect(out.map((d) => [d.cameraId, d.width, d.height])).toEqual([['cam-a', 1640, 590], ['cam-b', 810, 1080], ['cam-a', 1640, 590]]);
    expect(out[1]!.items.some((i) => i.label === 'bus')).toBe(true);
    expect(out[1]!.items.filter((i) => i.category === 'person').length).toBeGreaterThanOrEqual(3);
    expect(out[2]).toEqual(out[0]);
    expect(await det.run([])).toEqual([]);
  });

  it('answers the good frames of a batch when one frame is corrupt, and names the bad one', async () => {
    const broken: Frame = { ...lane, cameraId: 'cam-broken', pixels: undefined, jpeg: lane.jpeg.subarray(0, 5000) };
    const out = await det.runSettled([lane, broken, lane]);
    expect(out[1]).toBeInstanceOf(WeisuError);
    expect(out[0]).toEqual(out[2]);
    expect(vehicleAt(out[0] as Detections, ...WHITE_CAR)).toBe(true);
    await expect(det.run([lane, broken])).rejects.toThrow(WeisuError);
    expect((await det.run([lane]))[0]).toEqual(out[0]); // and the detector goes on
  });
});

describe('Ultralytics YOLOv8 export (centred letterbox, RGB /255)', () => {
  it('finds the same parked cars as YOLOX', async () => {
    const det = await createDetector({ modelsDir: MODELS_DIR, model: 'yolov8n-coco-640-int8', threads: 1 });
    try {
      const [d] = await det.run([await frameFromImage(readFileSync(media(LANE)), 'c')]);
      expect(vehicleAt(d!, ...WHITE_CAR)).toBe(true);
      expect(vehicleAt(d!, ...BLACK_CAR)).toBe(true);
    } finally {
      await det.close();
    }
  });
});
