import type { ViewMatch } from '../align/align.js';
import type { ViewChangeMessage } from '../core/types.js';
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

/**
 * What operators must be told of a new view record: the view left its reference (from aligned, or on the
 * camera's first check) or came back to it. A change between two paused states (covered, then moved) is
 * not news: the rules stay paused. The id hangs on the record before the change, so a sample retried
 * after dying between telling and recording tells the same change again, not a new one.
 */
export async function viewChange(cameraId: string, prev: CameraView | undefined, view: CameraView, jpeg: () => Promise<Buffer>): Promise<ViewChangeMessage | undefined> {
  const wasAligned = !prev || prev.state === 'aligned';
  if (wasAligned === (view.state === 'aligned')) return undefined;
  const event = view.state === 'aligned' ? 'camera.view_restored' : 'camera.view_changed';
  return {
    id: `${cameraId}.${event}.${prev?.at ?? 0}`,
    cameraId,
    event,
    state: view.state,
    ...(view.reason ? { reason: view.reason } : {}),
    since: view.since,
    ...(prev ? { was: { state: prev.state, ...(prev.reason ? { reason: prev.reason } : {}), since: prev.since } } : {}),
    ...(view.preset !== undefined ? { preset: view.preset } : {}),
    ...(view.shift !== undefined ? { shift: view.shift } : {}),
    jpegBase64: (await jpeg()).toString('base64'),
  };
}

export async function readView(redis: RedisClient, keys: Keys, cameraId: string): Promise<CameraView | undefined> {
  const raw = await redis.hget(keys.views, cameraId);
  return raw ? (JSON.parse(raw) as CameraView) : undefined;
}

/** Records the view; a change away from the reference keeps its first picture (what the operator must see). */
export async function writeView(redis: RedisClient, keys: Keys, cameraId: string, view: CameraView, jpeg: () => Promise<Buffer>): Promise<void> {
  // The picture of a change only: asked for (and encoded, if the frame has no JPEG yet) when the view changed.
  const picture = view.state !== 'aligned' && view.since === view.at ? await jpeg() : undefined;
  const tx = redis.multi().hset(keys.views, cameraId, JSON.stringify(view));
  if (picture) tx.hset(keys.viewPictures, cameraId, picture.toString('base64'));
  if (view.state === 'aligned') tx.hdel(keys.viewPictures, cameraId);
  await tx.exec();
}

export async function readViewPicture(redis: RedisClient, keys: Keys, cameraId: string): Promise<Buffer | undefined> {
  const raw = await redis.hget(keys.viewPictures, cameraId);
  return raw ? Buffer.from(raw, 'base64') : undefined;
}
