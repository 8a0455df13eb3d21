import { resolve } from 'node:path';
import { defaultMediaDir, mediaFile } from '../../sample/media.js';

/** The shared real media and models, by path setting (never copied into this repo). */
export const MEDIA_DIR = defaultMediaDir();
export const MODELS_DIR = resolve(process.env.WEISU_MODELS_DIR ?? '../shared/models');

export function media(rel: string): string {
  return mediaFile(rel, MEDIA_DIR);
}
