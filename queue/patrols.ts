import type { PatrolPosition } from '../onvif/patrol.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * Where each patrolling dome is, in Redis: written by its patrol runner after every poll (serve), read by
 * the worker that samples it, so workers never talk ONVIF and any worker can take any camera.
 */
export async function writePatrol(redis: RedisClient, keys: Keys, cameraId: string, position: PatrolPosition): Promise<void> {
  await redis.hset(keys.patrols, cameraId, JSON.stringify(position));
}

export async function readPatrol(redis: RedisClient, keys: Keys, cameraId: string): Promise<PatrolPosition | undefined> {
  const raw = await redis.hget(keys.patrols, cameraId);
  return raw ? (JSON.parse(raw) as PatrolPosition) : undefined;
}

/** The rule state (and first-seen frames) of one preset of a patrolling dome: kept apart per preset. */
export function presetStateKey(cameraId: string, preset: string): string {
  return `${cameraId}@${preset}`;
}
