import { nextHealth, type BackoffPolicy, type CameraHealth } from '../streams/health.js';
import { StreamError } from '../streams/errors.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * What serve records once its watchdog killed a worker process that stopped answering: each camera that
 * worker had a sample of in hand gets the failure in its health (reason `stuck`, with the backoff of a
 * permanent fault, so the camera cannot freeze the replacement at once) and as its last sample; the worker
 * leaves the fleet's list instead of lingering there as "gone".
 */
export async function recordStuckWorker(
  redis: RedisClient,
  keys: Keys,
  stuck: { workerId: string; cameras: string[]; silentMs: number },
  backoff: BackoffPolicy,
): Promise<void> {
  const now = Date.now();
  const why = `its sample froze worker ${stuck.workerId} (silent for ${Math.round(stuck.silentMs / 1000)} s), which was killed and replaced`;
  for (const cameraId of stuck.cameras) {
    const raw = await redis.hget(keys.health, cameraId);
    const prev = raw ? (JSON.parse(raw) as CameraHealth) : undefined;
    const health = nextHealth(prev, { ok: false, at: now, error: new StreamError('stuck', `camera ${cameraId}: ${why}`) }, Math.random, backoff);
    const last = { at: now, worker: stuck.workerId, outcome: 'failed', reason: 'stuck' };
    await redis.multi().hset(keys.health, cameraId, JSON.stringify(health)).hset(keys.lastSample, cameraId, JSON.stringify(last)).exec();
  }
  await redis.hdel(keys.workers, stuck.workerId);
}
