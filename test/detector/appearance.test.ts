import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { Detections } from '../../core/types.js';
import { isGreyscale, withAppearance } from '../../detector/appearance.js';
import { frameFromImage } from '../../detector/image.js';
import { otherLook } from '../../rules/parking/look.js';
import { media } from '../support/paths.js';

describe('withAppearance', () => {
  it('gives each box the mean colour of its middle, which tells the red car from the white one', async () => {
    const frame = await frameFromImage(readFileSync(media('street/road_cars_1s.jpg')), 'c', 0, { pixelsLongSide: 416 });
    const det = (box: [number, number, number, number]) => ({ box, score: 0.9, classId: 2, label: 'car', category: 'vehicle' as const });
    const dets: Detections = { cameraId: 'c', ts: 0, width: frame.width, height: frame.height, items: [det([590, 499, 820, 691]), det([903, 397, 1127, 569]), det([2000, 10, 2100, 50])] };
    const [red, white, outside] = (await withAppearance(frame, dets)).items;
    expect(red!.appearance![0]).toBeGreaterThan(red!.appearance![1]! * 1.5);
    expect(white!.appearance![0] + white!.appearance![1] + white!.appearance![2]).toBeGreaterThan(1.5);
    expect(otherLook(red!.appearance, white!.appearance)).toBe(true);
    expect(otherLook(red!.appearance, red!.appearance)).toBe(false);
    expect(outside!.appearance).toBeUndefined();
  });

  it('decodes the JPEG when the frame has no inference copy', async () => {
    const frame = await frameFromImage(readFileSync(media('street/road_cars_1s.jpg')), 'c', 0);
    const { pixels: _, ...jpegOnly } = frame;
    const dets: Detections = { cameraId: 'c', ts: 0, width: frame.width, height: frame.height, items: [{ box: [590, 499, 820, 691], score: 0.9, classId: 2, label: 'car', category: 'vehicle' }] };
    const [a] = (await withAppearance(frame, dets)).items;
    const [b] = (await withAppearance(jpegOnly, dets)).items;
    expect(otherLook(a!.appearance, b!.appearance)).toBe(false);
  });

  it('sets no look in a greyscale picture (an IR camera at night): colour becomes unknown, not different', async () => {
    const bytes = readFileSync(media('street/road_cars_1s.jpg'));
    const grey = await sharp(bytes).greyscale().toColourspace('srgb').jpeg({ quality: 85 }).toBuffer();
    const colour = await frameFromImage(bytes, 'c', 0, { pixelsLongSide: 416 });
    const night = await frameFromImage(grey, 'c', 0, { pixelsLongSide: 416 });
    expect(isGreyscale(colour.pixels!)).toBe(false);
    expect(isGreyscale(night.pixels!)).toBe(true);
    const dets: Detections = { cameraId: 'c', ts: 0, width: colour.width, height: colour.height, items: [{ box: [590, 499, 820, 691], score: 0.9, classId: 2, label: 'car', category: 'vehicle' }] };
    expect((await withAppearance(colour, dets)).items[0]!.appearance).toBeDefined();
    expect((await withAppearance(night, dets)).items[0]!.appearance).toBeUndefined();
  });
});
