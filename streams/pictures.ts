import sharp from 'sharp';
import type { RawImage } from '../core/types.js';
import { StreamError } from './errors.js';
import { inferenceSize } from './ffmpeg_grab.js';
import { isJpeg, jpegSize } from './jpeg.js';

/**
 * Still pictures that arrive already encoded (HTTP snapshots, MJPEG parts): checked, turned into a JPEG
 * if the camera sent PNG/BMP/WebP, and decoded once into the inference copy.
 */
export async function asJpeg(body: Buffer, quality: number, what: string): Promise<{ jpeg: Buffer; width: number; height: number }> {
  if (isJpeg(body)) {
    const size = jpegSize(body);
    if (size) return { jpeg: body, ...size };
  }
  try {
    const { data, info } = await sharp(body).jpeg({ quality }).toBuffer({ resolveWithObject: true });
    return { jpeg: data, width: info.width, height: info.height };
  } catch {
    const head = body.subarray(0, 60).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new StreamError('bad_data', `${what}: the answer is not a picture (${body.length} bytes starting "${head}")`);
  }
}

/** RGB copy with its long side `long` (one decode of the JPEG, shrink-on-load where libjpeg allows). */
export async function scaledPixels(jpeg: Buffer, width: number, height: number, long: number, what: string): Promise<RawImage> {
  const s = inferenceSize(width, height, long);
  try {
    const { data, info } = await sharp(jpeg).resize(s.width, s.height, { fit: 'fill', kernel: 'linear' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: 3 };
  } catch (e) {
    throw new StreamError('bad_data', `${what}: the picture is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
}
