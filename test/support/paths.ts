import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The shared real media and models, by path setting (never copied into this repo). */
export const MEDIA_DIR = resolve(process.env.WEISU_MEDIA_DIR ?? '../shared/media');
export const MODELS_DIR = resolve(process.env.WEISU_MODELS_DIR ?? '../shared/models');

export function media(rel: string): string {
  const p = resolve(MEDIA_DIR, rel);
  if (!existsSync(p)) throw new Error(`test media ${p} is missing: set WEISU_MEDIA_DIR to the shared media folder`);
  return p;
}
