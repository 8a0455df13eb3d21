import sharp from 'sharp';
import type { RawImage } from '../core/types.js';
import { MAX_PICTURE_BYTES, MAX_PICTURE_PIXELS } from '../core/caps.js';
import { StreamError } from './errors.js';
import { inferenceSize } from './ffmpeg_grab.js';
import { isJpeg, jpegSize } from './jpeg.js';

/**
 * Still pictures that arrive already encoded (HTTP snapshots, MJPEG parts): checked, turned into a JPEG
 * if the camera sent PNG/BMP/WebP, and decoded once into the inference copy.
 */
export async function asJpeg(body: Buffer, quality: number, what: string): Promise<{ jpeg: Buffer; width: number; height: number }> {
  if (body.length === 0) throw new StreamError('bad_data', `${what}: the answer is empty (0 bytes), not a picture`);
  if (body.length > MAX_PICTURE_BYTES) throw new StreamError('bad_data', `${what}: the picture is ${body.length} bytes, over the ${MAX_PICTURE_BYTES}-byte limit`);
  if (isJpeg(body)) {
    const size = jpegSize(body);
    if (size) {
      checkPixels(size, what);
      // No end marker: the picture was cut off (a dropped connection, a camera writing its buffer half-done).
      if (body.lastIndexOf(JPEG_END) < 0) throw new StreamError('bad_data', `${what}: the JPEG is truncated (${body.length} bytes, no end marker)`);
      return { jpeg: body, ...size };
    }
  }
  try {
    const { data, info } = await sharp(body, { limitInputPixels: MAX_PICTURE_PIXELS }).jpeg({ quality }).toBuffer({ resolveWithObject: true });
    return { jpeg: data, width: info.width, height: info.height };
  } catch (e) {
    if (/pixel limit/i.test((e as Error).message)) throw new StreamError('bad_data', `${what}: the picture has more than ${MAX_PICTURE_PIXELS / 1e6} MP (a decompression bomb, or not a camera picture)`);
    const head = body.subarray(0, 60).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new StreamError('bad_data', `${what}: the answer is not a picture (${body.length} bytes starting "${head}")`);
  }
}

const JPEG_END = Buffer.from([0xff, 0xd9]);

/** Refuses a picture whose header declares more pixels than any camera has, before anything decodes it. */
function checkPixels(size: { width: number; height: number }, what: string): void {
  if (size.width === 0 || size.height === 0) throw new StreamError('bad_data', `${what}: the picture declares a size of ${size.width}x${size.height}`);
  if (size.width * size.height > MAX_PICTURE_PIXELS) {
    throw new StreamError('bad_data', `${what}: the picture declares ${size.width}x${size.height} (${Math.round((size.width * size.height) / 1e6)} MP), over the ${MAX_PICTURE_PIXELS / 1e6} MP limit (a pixel bomb, or not a camera picture)`);
  }
}

/** RGB copy with its long side `long` (one decode of the JPEG, shrink-on-load where libjpeg allows). */
export async function scaledPixels(jpeg: Buffer, width: number, height: number, long: number, what: string): Promise<RawImage> {
  const s = inferenceSize(width, height, long);
  try {
    const { data, info } = await sharp(jpeg, { limitInputPixels: MAX_PICTURE_PIXELS }).resize(s.width, s.height, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new StreamError('bad_data', `${what}: the picture is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
}
