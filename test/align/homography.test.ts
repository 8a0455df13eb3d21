import { describe, expect, it } from 'vitest';
import { applyHomography, IDENTITY, invert, isPlausible, mapBox, multiply, pixelsToFractions, viewShift, type Homography } from '../../align/homography.js';

const close = (a: readonly number[], b: readonly number[], eps = 1e-9) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, -Math.log10(eps)));

describe('homography maths', () => {
  const h: Homography = [1.05, 0.02, 0.03, -0.01, 0.98, -0.02, 0.001, 0.002, 1];

  it('inverts: a point mapped there and back is where it was', () => {
    const inv = invert(h)!;
    close(applyHomography(inv, applyHomography(h, [0.3, 0.7])), [0.3, 0.7]);
    close(multiply(h, inv), IDENTITY);
    expect(invert([1, 2, 3, 2, 4, 6, 0, 0, 0])).toBeUndefined();
  });

  it('turns a pixel map into a fraction map for pictures of other sizes', () => {
    // Pixels: a pan of 64 px right between two 640×360 working copies.
    const px: Homography = [1, 0, -64, 0, 1, 0, 0, 0, 1];
    const f = pixelsToFractions(px, { width: 640, height: 360 }, { width: 640, height: 360 });
    close(applyHomography(f, [0.5, 0.5]), [0.4, 0.5]);
    expect(viewShift(f)).toBeCloseTo(0.1, 9);
  });

  it('knows what no camera can produce: mirrored, folded or collapsed pictures', () => {
    expect(isPlausible(IDENTITY)).toBe(true);
    expect(isPlausible([1.1, 0.05, -0.04, -0.05, 1.1, 0.02, 0, 0, 1])).toBe(true);
    expect(isPlausible([-1, 0, 1, 0, 1, 0, 0, 0, 1])).toBe(false); // mirrored
    expect(isPlausible([0.1, 0, 0.5, 0, 0.1, 0.5, 0, 0, 1])).toBe(false); // shrunk to a tenth
    expect(isPlausible([1, 0, 0, 0, 1, 0, -1.5, 0, 1])).toBe(false); // the horizon crosses the picture
    expect(isPlausible([Number.NaN, 0, 0, 0, 1, 0, 0, 0, 1])).toBe(false);
  });

  it('maps a box to the bounding box of its mapped corners', () => {
    const pan: Homography = [1, 0, 0.1, 0, 1, -0.05, 0, 0, 1];
    close(mapBox(pan, [0.2, 0.2, 0.4, 0.5]), [0.3, 0.15, 0.5, 0.45]);
  });
});
