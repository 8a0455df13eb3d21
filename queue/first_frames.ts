import type { EvidenceFrame } from '../core/types.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * The first-seen frames of a camera's open parking stays, in one Redis hash per camera: `f:<ts>` → the JSON
 * evidence frame of a sample at which stays began (kept once however many began on it), `i:<incident>` →
 * that ts. The hash expires `ttlMs` after its last write, so a camera that went dark leaves nothing behind.
 */
export function redisFirstFrames(redis: RedisClient, keys: Keys, ttlMs: number) {
  return {
    async keep(cameraId: string, ts: number, frame: EvidenceFrame, incidentIds: string[]): Promise<void> {
      const key = keys.firstFrames(cameraId);
      const fields = [`f:${ts}`, JSON.stringify(frame), ...incidentIds.flatMap((id) => [`i:${id}`, String(ts)])];
      await redis.multi().hset(key, ...fields).pexpire(key, ttlMs).exec();
    },
    async get(cameraId: string, incidentId: string): Promise<EvidenceFrame | undefined> {
      const key = keys.firstFrames(cameraId);
      const at = await redis.hget(key, `i:${incidentId}`);
      const first = at && (await redis.hget(key, `f:${at}`));
      return first ? (JSON.parse(first) as EvidenceFrame) : undefined;
    },
    async keepOnly(cameraId: string, open: Set<string>): Promise<void> {
      const key = keys.firstFrames(cameraId);
      const fields = await redis.hkeys(key);
      const live = fields.filter((k) => k.startsWith('i:') && open.has(k.slice(2)));
      const keepTs = new Set(live.length ? await redis.hmget(key, ...live) : []);
      const stale = fields.filter((k) => (k.startsWith('i:') ? !open.has(k.slice(2)) : !keepTs.has(k.slice(2))));
      if (stale.length) await redis.hdel(key, ...stale);
    },
  };
}
