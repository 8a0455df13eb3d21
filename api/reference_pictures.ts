import sharp from 'sharp';
import { log } from '../core/log.js';
import { checkedSize } from '../detector/image.js';
import { getCamera } from '../store/cameras.js';
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
 * Zones were just saved: a camera (a PTZ preset) without a reference view gets its current picture as one,
 * so the zones are checked against what they were drawn on from the first sample. Best effort: a camera
 * that gives no picture now keeps its zones and simply stays unchecked until a reference is taken. One
 * picture shows one view, so zones of several presets saved at once take none; nor does a preset zone of
 * a patrolling dome, which may have moved on since its zone was drawn. True when a reference was taken.
 */
export async function referenceOnZoneSave(deps: ApiDeps, cameraId: string, who: string, zones: readonly object[]): Promise<boolean> {
  // Parking zones may name a preset; bin sites are on the fixed view.
  const presets = new Set(zones.map((z) => ('preset' in z && typeof z.preset === 'string' ? z.preset : '')));
  if (presets.size !== 1 || !deps.snapshot) return false;
  const [preset = ''] = presets;
  if (preset && (await getCamera(deps.db, cameraId))?.camera.patrol) return false;
  if (await referenceViewJpeg(deps.db, cameraId, preset)) return false;
  try {
    const picture = await deps.snapshot(cameraId);
    if (!picture) return false;
    await saveReferenceView(deps.db, { cameraId, ...(preset ? { preset } : {}), ...(await storedPicture(picture)), actor: who });
    return true;
  } catch (e) {
    log.warn({ camera: cameraId, preset, err: (e as Error).message }, 'no reference view taken on zone save: the camera gave no usable picture');
    return false;
  }
}
