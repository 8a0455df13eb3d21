import sharp from 'sharp';
import type { BBox, Frame, RawImage } from '../core/types.js';
import type { RotatedRect } from './text_boxes.js';

/** A vehicle cut from the full-resolution frame, and where it sits in that frame. */
export interface VehicleCrop {
  image: RawImage;
  /** Frame px of the crop's top-left corner. */
  left: number;
  top: number;
  /** Crop px per frame px (1 unless the JPEG is stored at another size than the frame says). */
  scale: number;
}

/**
 * Plates sit on the lower part of a vehicle: text is looked for below this fraction of the box's height
 * (not on windscreen stickers or roof signs), which also spares a third of the detector's work.
 * 0.3 keeps the plate of a car seen level from behind, where it sits near the middle of the box.
 */
const PLATE_REGION_TOP = 0.3;

/** The part of a vehicle box where its plate can be. */
export function plateRegion(box: BBox): BBox {
  if (!Array.isArray(box) || box.length !== 4) return box;
  const [x1, y1, x2, y2] = box;
  return [x1, Math.min(y1, y2) + PLATE_REGION_TOP * Math.abs(y2 - y1), x2, Math.max(y1, y2)];
}

/**
 * The vehicle box clipped to the frame, in whole pixels; null when nothing of it lies inside the frame
 * (or it is not a box at all).
 */
function clipBox(box: BBox, width: number, height: number): { left: number; top: number; width: number; height: number } | null {
  if (!Array.isArray(box) || box.length !== 4 || !box.every(Number.isFinite)) return null;
  const x1 = Math.max(0, Math.floor(Math.min(box[0], box[2])));
  const y1 = Math.max(0, Math.floor(Math.min(box[1], box[3])));
  const x2 = Math.min(width, Math.ceil(Math.max(box[0], box[2])));
  const y2 = Math.min(height, Math.ceil(Math.max(box[1], box[3])));
  if (x2 <= x1 || y2 <= y1) return null;
  return { left: x1, top: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * Cuts the vehicle out of the frame's full-resolution JPEG as packed RGB; null when the box lies outside
 * the frame. Boxes are in `frame.width`×`frame.height` px. (Decoding shrunk is no faster here: libvips
 * cuts the region from the full decode cheaply, and shrinking a whole 12 MP frame costs more.)
 */
export async function cropVehicle(frame: Frame, box: BBox): Promise<VehicleCrop | null> {
  const meta = await sharp(frame.jpeg).metadata();
  const jw = meta.width ?? frame.width;
  const jh = meta.height ?? frame.height;
  // Should the JPEG be stored at another size than the frame says, the box is scaled onto it.
  const scale = frame.width > 0 ? jw / frame.width : 1;
  const region = clipBox(box.map((v) => v * scale) as BBox, jw, jh);
  if (!region) return null;
  const { data, info } = await sharp(frame.jpeg).removeAlpha().extract(region).raw().toBuffer({ resolveWithObject: true });
  return { image: { data, width: info.width, height: info.height, channels: 3 }, left: region.left / scale, top: region.top / scale, scale };
}

/**
 * Upscaling beyond this invents nothing but blur, and makes the detector see text in tail lights:
 * a small vehicle is enlarged at most this much.
 */
const MAX_UPSCALE = 4;

/**
 * Resizes a crop uniformly so its long side is `longSide` (a small crop at most MAX_UPSCALE times),
 * padded with black to multiples of 32 (what DB nets need).
 */
export async function resizeForDetection(img: RawImage, longSide: number): Promise<{ image: RawImage; scale: number }> {
  const scale = Math.min(MAX_UPSCALE, longSide / Math.max(img.width, img.height));
  const w = Math.max(1, Math.round(img.width * scale));
  const h = Math.max(1, Math.round(img.height * scale));
  const padW = Math.ceil(w / 32) * 32;
  const padH = Math.ceil(h / 32) * 32;
  const { data, info } = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
    .resize(w, h, { fit: 'fill', kernel: 'lanczos3' })
    .extend({ right: padW - w, bottom: padH - h, background: { r: 0, g: 0, b: 0 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: { data, width: info.width, height: info.height, channels: 3 }, scale };
}

/**
 * Samples a rotated rectangle of `img` into an upright `outW`×`outH` RGB image (bilinear, averaged over
 * several sub-samples when shrinking, so a large plate is not aliased). Outside the image reads as black.
 */
export function warpRect(img: RawImage, r: RotatedRect, outW: number, outH: number): RawImage {
  const out = Buffer.alloc(outW * outH * 3);
  const cos = Math.cos(r.angle);
  const sin = Math.sin(r.angle);
  const stepU = r.w / outW;
  const stepV = r.h / outH;
  const sub = Math.min(4, Math.max(1, Math.ceil(Math.max(stepU, stepV))));
  const px = [0, 0, 0];
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      let acc0 = 0, acc1 = 0, acc2 = 0;
      for (let sy = 0; sy < sub; sy++) {
        const v = (oy + (sy + 0.5) / sub) * stepV - r.h / 2;
        for (let sx = 0; sx < sub; sx++) {
          const u = (ox + (sx + 0.5) / sub) * stepU - r.w / 2;
          // Pixel centres sit at +0.5: convert the continuous point to sample coordinates.
          bilinear(img, r.cx + u * cos - v * sin - 0.5, r.cy + u * sin + v * cos - 0.5, px);
          acc0 += px[0]!; acc1 += px[1]!; acc2 += px[2]!;
        }
      }
      const n = sub * sub;
      const o = (oy * outW + ox) * 3;
      out[o] = acc0 / n; out[o + 1] = acc1 / n; out[o + 2] = acc2 / n;
    }
  }
  return { data: out, width: outW, height: outH, channels: 3 };
}

/** Bilinear sample at (x, y) into out[0..2]; taps outside the image count as black. */
function bilinear(img: RawImage, x: number, y: number, out: number[]): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  out[0] = out[1] = out[2] = 0;
  tap(img, x0, y0, (1 - fx) * (1 - fy), out);
  tap(img, x0 + 1, y0, fx * (1 - fy), out);
  tap(img, x0, y0 + 1, (1 - fx) * fy, out);
  tap(img, x0 + 1, y0 + 1, fx * fy, out);
}

function tap(img: RawImage, x: number, y: number, w: number, out: number[]): void {
  if (w === 0 || x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  const i = (y * img.width + x) * 3;
  out[0]! += img.data[i]! * w;
  out[1]! += img.data[i + 1]! * w;
  out[2]! += img.data[i + 2]! * w;
}
