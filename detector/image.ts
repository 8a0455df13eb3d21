import sharp, { type Metadata, type Sharp } from 'sharp';
import { WeisuError } from '../core/errors.js';
import type { Frame, RawImage } from '../core/types.js';
import { MAX_PICTURE_PIXELS } from '../core/caps.js';

/**
 * Picture bytes → weisu's pixel currency. Whatever arrives (JPEG, PNG, WebP, TIFF; grey, alpha, CMYK,
 * 16-bit; EXIF-rotated) leaves as upright 8-bit sRGB, or as a WeisuError saying what is wrong with it.
 * Sizes are checked from the header before any pixel is decoded, so a 20000×20000 bomb costs nothing.
 */

/** 50 megapixels: an 8K camera (33 MP) passes, a decompression bomb does not (one cap for every picture: core/caps.ts). */
export const MAX_PIXELS = MAX_PICTURE_PIXELS;
/** Smaller than this, nothing can be recognised; usually a broken snapshot endpoint. */
export const MIN_SIDE = 8;
/** Long side of the inference copy frameFromImage keeps (covers 416- and 640-input models). */
export const DEFAULT_PIXELS_LONG_SIDE = 640;

/** Flattening colour for transparent pixels: the same grey the letterbox pads with. */
const BACKGROUND = { r: 114, g: 114, b: 114 };

function invalid(message: string, cause?: unknown): WeisuError {
  return new WeisuError('image_invalid', message, { field: 'image', fix: 'give a complete JPEG, PNG, WebP or TIFF picture', cause });
}

/** Reads the header only; refuses what must not be decoded (WeisuError image_invalid, image_too_large, image_too_small). Returns the upright size. */
export async function checkedSize(input: Buffer): Promise<{ width: number; height: number; format: string; rotated: boolean }> {
  if (!Buffer.isBuffer(input) || input.length === 0) throw invalid('image is empty (0 bytes)');
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw invalid(`not a readable image: ${(e as Error).message}`, e);
  }
  const { width, height } = meta;
  if (!width || !height) throw invalid('image has no size in its header');
  if (width * height > MAX_PIXELS) {
    throw new WeisuError('image_too_large', `image is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} MP): over the ${MAX_PIXELS / 1e6} MP limit`, {
      field: 'image',
      fix: 'send a smaller picture (cameras up to 8K are accepted)',
    });
  }
  if (Math.min(width, height) < MIN_SIDE) {
    throw new WeisuError('image_too_small', `image is ${width}×${height}: too small to find anything in (minimum ${MIN_SIDE}×${MIN_SIDE})`, {
      field: 'image',
      fix: 'check the camera or snapshot URL: it returned a placeholder, not a picture',
    });
  }
  const rotated = (meta.orientation ?? 1) >= 5;
  return { width: rotated ? height : width, height: rotated ? width : height, format: meta.format ?? 'unknown', rotated: (meta.orientation ?? 1) !== 1 };
}

/** A sharp pipeline that yields upright 8-bit sRGB with no alpha; failOn 'error' so truncated files are refused. */
function normalised(input: Buffer): Sharp {
  return sharp(input, { limitInputPixels: MAX_PIXELS, failOn: 'error' }).autoOrient().flatten({ background: BACKGROUND }).toColourspace('srgb');
}

async function toRaw(pipeline: Sharp): Promise<RawImage> {
  try {
    const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels`);
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw invalid(`image could not be decoded (truncated or corrupt?): ${(e as Error).message}`, e);
  }
}

export async function decodeImage(input: Buffer): Promise<RawImage> {
  await checkedSize(input);
  return toRaw(normalised(input));
}

/**
 * A Frame from picture bytes: the full-resolution JPEG for evidence (re-encoded only when the input is not
 * an upright JPEG) and an inference copy with its long side `pixelsLongSide`, so detection never decodes
 * the full picture again.
 */
export async function frameFromImage(input: Buffer, cameraId: string, ts = 0, opts: { pixelsLongSide?: number } = {}): Promise<Frame> {
  const size = await checkedSize(input);
  const long = opts.pixelsLongSide ?? DEFAULT_PIXELS_LONG_SIDE;
  const k = Math.min(1, long / Math.max(size.width, size.height));
  const pw = Math.max(1, Math.round(size.width * k));
  const ph = Math.max(1, Math.round(size.height * k));
  const [pixels, jpeg] = await Promise.all([
    toRaw(normalised(input).resize(pw, ph, { fit: 'fill' })),
    size.format === 'jpeg' && !size.rotated ? input : normalised(input).jpeg({ quality: 92 }).toBuffer().catch((e: unknown) => {
      throw invalid(`image could not be decoded (truncated or corrupt?): ${(e as Error).message}`, e);
    }),
  ]);
  return { cameraId, ts, width: size.width, height: size.height, jpeg, pixels };
}
