import type { Detections, SampledFrame, RawImage } from '../core/types.js';
import { fullJpeg } from '../core/frames.js';
import { decodeImage } from './image.js';

/**
 * A cheap look of each detected object: the mean colour of the middle of its box (the body of a car, not
 * the road around it), from the inference copy of the frame. The rules use it to tell a different vehicle
 * in the same spot from the same one seen again after a gap — a red car leaving and a silver one taking the
 * spot between two samples.
 */

/** Fraction of the box's width and height, centred, that is averaged. */
const CORE = 0.5;

function meanColour(img: RawImage, box: readonly number[], sx: number, sy: number): [number, number, number] | undefined {
  const [x1, y1, x2, y2] = box as [number, number, number, number];
  const mx = ((x2 - x1) * (1 - CORE)) / 2;
  const my = ((y2 - y1) * (1 - CORE)) / 2;
  const left = Math.max(0, Math.floor((x1 + mx) * sx));
  const right = Math.min(img.width, Math.ceil((x2 - mx) * sx));
  const top = Math.max(0, Math.floor((y1 + my) * sy));
  const bottom = Math.min(img.height, Math.ceil((y2 - my) * sy));
  if (right <= left || bottom <= top) return undefined;
  let r = 0;
  let g = 0;
  let b = 0;
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const i = (y * img.width + x) * 3;
      r += img.data[i]!;
      g += img.data[i + 1]!;
      b += img.data[i + 2]!;
    }
  }
  const n = (right - left) * (bottom - top) * 255;
  return [+(r / n).toFixed(4), +(g / n).toFixed(4), +(b / n).toFixed(4)];
}

/** Mean spread between a pixel's channels (0..255) below which a picture has no colour; street scenes in colour measure several times more. */
const GREY_SPREAD = 2;
/** Every this many pixels is looked at to judge colour (a few thousand samples of a 416 px frame). */
const GREY_STRIDE = 7;

/** Whether the picture has no colour: an IR camera switched to greyscale at night. */
export function isGreyscale(img: RawImage): boolean {
  let spread = 0;
  let n = 0;
  for (let i = 0; i + 2 < img.data.length; i += 3 * GREY_STRIDE) {
    const r = img.data[i]!;
    const g = img.data[i + 1]!;
    const b = img.data[i + 2]!;
    spread += Math.max(r, g, b) - Math.min(r, g, b);
    n++;
  }
  return n > 0 && spread / n < GREY_SPREAD;
}

/**
 * The detections with `appearance` set on each item (mean RGB, 0..1, of the middle of its box). In a
 * greyscale picture (an IR camera at night) a look says nothing about colour, so none is set: the switch
 * to greyscale makes a vehicle's colour unknown, never different.
 */
export async function withAppearance(frame: SampledFrame, detections: Detections): Promise<Detections> {
  if (!detections.items.length) return detections;
  const img = frame.pixels ?? (await decodeImage(await fullJpeg(frame)));
  if (isGreyscale(img)) return detections;
  const sx = img.width / detections.width;
  const sy = img.height / detections.height;
  return {
    ...detections,
    items: detections.items.map((d) => {
      const appearance = meanColour(img, d.box, sx, sy);
      return appearance ? { ...d, appearance } : d;
    }),
  };
}
