import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { WeisuError } from '../core/errors.js';

/** The real pictures and videos the sample scene is composed from (never copied into the repo). */
export function defaultMediaDir(): string {
  return resolve(process.env.WEISU_MEDIA_DIR ?? '../shared/media');
}

/** A file of the media folder, or an error saying how to point weisu at the folder. */
export function mediaFile(rel: string, dir = defaultMediaDir()): string {
  const p = resolve(dir, rel);
  if (!existsSync(p)) throw new WeisuError('media_missing', `media file ${p} is missing`, { field: 'WEISU_MEDIA_DIR', fix: 'set WEISU_MEDIA_DIR to the shared media folder (it holds video/video_road_cars_9s.mp4)' });
  return p;
}
