import sharp from 'sharp';
import type { RawImage } from '../core/types.js';
import { MAX_PICTURE_PIXELS } from '../core/caps.js';

/**
 * The small grey copy alignment works on. Features and texture are measured at one working size
 * whatever the camera's resolution, so a 4K and a CIF camera cost the same and the same settings hold.
 */
export interface GreyPicture {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Long side of the working copy: enough corners for a robust estimate, small enough for every sample. */
export const ALIGN_LONG_SIDE = 640;

/** From a JPEG (or any picture sharp reads), or from the RGB copy a source already decoded for inference. */
export async function greyPicture(picture: Buffer | RawImage, longSide = ALIGN_LONG_SIDE): Promise<GreyPicture> {
  const input = Buffer.isBuffer(picture)
    ? sharp(picture, { limitInputPixels: MAX_PICTURE_PIXELS, failOn: 'error' }).autoOrient()
    : sharp(picture.data, { raw: { width: picture.width, height: picture.height, channels: picture.channels } });
  const { data, info } = await input
    .greyscale()
    .resize({ width: longSide, height: longSide, fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, info.width * info.height), width: info.width, height: info.height };
}
