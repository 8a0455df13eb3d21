import type { OpenCv } from './opencv.js';
import type { GreyPicture } from './picture.js';
import { measureTexture, type Texture } from './texture.js';

/**
 * A view reduced to what alignment compares: ORB corners (position in working pixels, 32-byte binary
 * descriptor each) and the cell texture. Plain typed arrays: nothing holds OpenCV memory between samples.
 */
export interface ViewFeatures {
  width: number;
  height: number;
  count: number;
  /** x, y of each corner, in pixels of the working copy. */
  points: Float32Array;
  /** 32 bytes per corner. */
  descriptors: Uint8Array;
  texture: Texture;
}

/** Corners per view: enough that a third of the picture hidden by traffic still leaves dozens of matches. */
const MAX_CORNERS = 1000;
export const DESCRIPTOR_BYTES = 32;

export function describeView(cv: OpenCv, g: GreyPicture): ViewFeatures {
  const img = cv.matFromArray(g.height, g.width, cv.CV_8UC1, g.data);
  const noMask = new cv.Mat();
  const orb = new cv.ORB(MAX_CORNERS);
  const kp = new cv.KeyPointVector();
  const desc = new cv.Mat();
  try {
    orb.detectAndCompute(img, noMask, kp, desc);
    const count = desc.empty() ? 0 : Math.min(kp.size(), desc.rows);
    const points = new Float32Array(count * 2);
    for (let i = 0; i < count; i++) {
      const { pt } = kp.get(i);
      points[2 * i] = pt.x;
      points[2 * i + 1] = pt.y;
    }
    const descriptors = count ? Uint8Array.from(desc.data.subarray(0, count * DESCRIPTOR_BYTES)) : new Uint8Array(0);
    return { width: g.width, height: g.height, count, points, descriptors, texture: measureTexture(g) };
  } finally {
    for (const m of [img, noMask, orb, kp, desc]) m.delete();
  }
}
