import type { StreamsConfig } from '../streams/schema.js';
import { openSource } from '../streams/source.js';
import { readCamera, sourceOptions } from './cameras.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * A camera's current picture for the console, grabbed on demand from the camera itself (workers keep no
 * frames around). One grab per camera at a time, and an answer is reused for a few seconds, so a wall of
 * viewers costs each camera one connection. The camera's URL is judged by the policy for its origin first.
 */
export function snapshotter(redis: RedisClient, keys: Keys, streams: Pick<StreamsConfig, 'allow_networks' | 'allow_local_from_api'>, reuseMs = 3000): (cameraId: string) => Promise<Buffer | undefined> {
  const recent = new Map<string, { at: number; jpeg: Promise<Buffer | undefined> }>();
  return async (cameraId) => {
    const hit = recent.get(cameraId);
    if (hit && Date.now() - hit.at < reuseMs) return hit.jpeg;
    const jpeg = (async () => {
      const cam = await readCamera(redis, keys, cameraId);
      if (!cam) return undefined;
      const source = openSource(sourceOptions(cam, streams));
      try {
        return (await source.grab()).jpeg;
      } catch {
        return undefined;
      } finally {
        await source.close().catch(() => undefined);
      }
    })();
    recent.set(cameraId, { at: Date.now(), jpeg });
    for (const [id, r] of recent) if (Date.now() - r.at > reuseMs) recent.delete(id);
    return jpeg;
  };
}
