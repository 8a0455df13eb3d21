import sharp from 'sharp';
import { log } from '../core/log.js';
import { checkedSize } from '../detector/image.js';
import { referenceViewJpeg, saveReferenceView } from '../store/reference_views.js';
import type { ApiDeps } from './server.js';

/**
 * A camera's picture made into a reference view (docs/moving-cameras.md): when an operator takes one, and
 * when zones are saved on a camera that has none yet.
 */

/** Stored at this long side: alignment works on 640 px, and the view travels to workers with every sample's camera spec. */
const STORED_LONG_SIDE = 960;

export interface StoredPicture {
  jpeg: Buffer;
  width: number;
  height: number;
}

/** A camera's picture as a reference view is kept: header checked first (a picture bomb is refused before anything decodes it), then scaled. */
export async function storedPicture(picture: Buffer): Promise<StoredPicture> {
  await checkedSize(picture);
  const { data, info } = await sharp(picture).autoOrient().resize({ width: STORED_LONG_SIDE, height: STORED_LONG_SIDE, fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 88 }).toBuffer({ resolveWithObject: true });
  return { jpeg: data, width: info.width, height: info.height };
}

/**
 * Zones were just saved: a camera (a preset) without a reference view gets its current picture as one,
 * so the zones are checked against what they were drawn on from the first sample. Best effort: a camera
 * that gives no picture now keeps its zones and simply stays unchecked until a reference is taken.
 * True when a reference view was taken.
 */
export async function referenceOnZoneSave(deps: ApiDeps, cameraId: string, who: string, preset = ''): Promise<boolean> {
  if (!deps.snapshot || (await referenceViewJpeg(deps.db, cameraId, preset))) return false;
  try {
    const picture = await deps.snapshot(cameraId);
    if (!picture) return false;
    await saveReferenceView(deps.db, { cameraId, ...(preset ? { preset } : {}), ...(await storedPicture(picture)), actor: who });
    return true;
  } catch (e) {
    log.warn({ camera: cameraId, err: (e as Error).message }, 'no reference view taken on zone save: the camera gave no usable picture');
    return false;
  }
}

