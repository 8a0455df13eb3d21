import { randomUUID } from 'node:crypto';
import type { RedisClient } from './redis.js';

/**
 * A short, self-renewing lease on one camera while one of its samples runs. A second sample of the same
 * camera finding it held is skipped instead of piling up. The lease lives a few seconds and is renewed while
 * the holder works, so a worker killed outright blocks its cameras for at most `ttlMs`.
 */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface Lease {
  release(): Promise<void>;
}

export async function acquireLease(redis: RedisClient, key: string, ttlMs = 4000): Promise<Lease | null> {
  const token = randomUUID();
  if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return null;
  const timer = setInterval(() => {
    // Lost (expired during a stall, taken over) or Redis away: the job's compare-and-set still guards the state.
    redis.eval(RENEW, 1, key, token, String(ttlMs)).catch(() => undefined);
  }, Math.floor(ttlMs / 3));
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    },
  };
}
