import type { ViewMatch } from '../align/align.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Whether a camera shows the view its zones were drawn on, as its latest sample found, kept in Redis
 * beside its health: the API and the console read it, the worker that sampled last writes it.
 */
export interface CameraView {
  state: ViewMatch['state'];
  /** Why not aligned: no_match, moved, too_dark, covered, defocused. */
  reason?: string;
  /** Since when (ms epoch) the camera has been in this state. */
  since: number;
  /** The latest sample's time (ms epoch). */
  at: number;
  referenceId?: string;
  preset?: string;
  /** How far the view moved from its reference, in fractions of the picture. */
  shift?: number;
}

/** The next view record: `since` carries over while the state and its reason stay the same. */
export function nextView(prev: CameraView | undefined, match: ViewMatch, at: number): CameraView {
  const reason = match.state === 'aligned' ? undefined : match.reason;
  const same = prev && prev.state === match.state && prev.reason === reason;
  return {
    state: match.state,
    ...(reason ? { reason } : {}),
    since: same ? prev.since : at,
    at,
    ...(match.referenceId !== undefined ? { referenceId: match.referenceId } : {}),
    ...(match.state === 'aligned' && match.preset !== undefined ? { preset: match.preset } : {}),
    ...('shift' in match && match.shift !== undefined ? { shift: Math.round(match.shift * 1000) / 1000 } : {}),
  };
}

export async function readView(redis: RedisClient, keys: Keys, cameraId: string): Promise<CameraView | undefined> {
  const raw = await redis.hget(keys.views, cameraId);
  return raw ? (JSON.parse(raw) as CameraView) : undefined;
}

/** Records the view; a change away from the reference keeps its first picture (what the operator must see). */
export async function writeView(redis: RedisClient, keys: Keys, cameraId: string, view: CameraView, jpeg: () => Buffer): Promise<void> {
  const tx = redis.multi().hset(keys.views, cameraId, JSON.stringify(view));
  if (view.state !== 'aligned' && view.since === view.at) tx.hset(keys.viewPictures, cameraId, jpeg().toString('base64'));
  if (view.state === 'aligned') tx.hdel(keys.viewPictures, cameraId);
  await tx.exec();
}

export async function readViewPicture(redis: RedisClient, keys: Keys, cameraId: string): Promise<Buffer | undefined> {
  const raw = await redis.hget(keys.viewPictures, cameraId);
  return raw ? Buffer.from(raw, 'base64') : undefined;
}
