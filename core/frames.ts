import type { SampledFrame } from './types.js';

/**
 * The frame's full-resolution JPEG: the one it carries, else encoded from the same picture (once: the
 * result is kept on the frame, so a sample that is evidence twice encodes once).
 */
export async function fullJpeg(frame: SampledFrame): Promise<Buffer> {
  if (frame.jpeg) return frame.jpeg;
  if (!frame.encodeJpeg) throw new Error(`internal: frame of camera ${frame.cameraId} at ${frame.ts} carries no JPEG and no way to encode one`);
  frame.jpeg = await frame.encodeJpeg();
  return frame.jpeg;
}
