import type { CameraConfig } from '../config/schema.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * What a sampling job needs to know about its camera, published in Redis by the scheduler so that workers
 * on any machine need neither the config file nor the store. Holds the camera's credentials: Redis is
 * trusted infrastructure (protect it with a password / TLS); nothing here is ever logged.
 */
export type CameraSpec = Pick<
  CameraConfig,
  'id' | 'name' | 'url' | 'username' | 'password' | 'transport' | 'loop' | 'timezone' | 'sample_every' | 'zones' | 'location'
>;

export function toSpec(c: CameraConfig): CameraSpec {
  return {
    id: c.id,
    name: c.name,
    url: c.url,
    username: c.username,
    password: c.password,
    transport: c.transport,
    loop: c.loop,
    timezone: c.timezone,
    sample_every: c.sample_every,
    zones: c.zones,
    location: c.location,
  };
}

export async function readSpec(redis: RedisClient, keys: Keys, cameraId: string): Promise<CameraSpec | undefined> {
  const raw = await redis.hget(keys.cameras, cameraId);
  return raw ? (JSON.parse(raw) as CameraSpec) : undefined;
}

export async function readAllSpecs(redis: RedisClient, keys: Keys): Promise<Map<string, string>> {
  return new Map(Object.entries(await redis.hgetall(keys.cameras)));
}
