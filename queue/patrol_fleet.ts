import { createHash } from 'node:crypto';
import { PatrolRunner } from '../onvif/patrol_runner.js';
import { policyFor } from '../streams/policy.js';
import type { StreamsConfig } from '../streams/schema.js';
import type { ScheduledCamera } from './cameras.js';
import type { Keys } from './keys.js';
import { writePatrol } from './patrols.js';
import type { RedisClient } from './redis.js';

/**
 * One patrol runner (onvif/patrol_runner.ts) per enabled camera with `onvif` and `patrol`, kept in step
 * with the cameras by the scheduler's passes: a camera whose ONVIF settings or plan changed gets a fresh
 * runner (starting at its first stop), a removed one loses its runner. Positions go to Redis for workers.
 */
export class PatrolFleet {
  private readonly runners = new Map<string, { key: string; runner: PatrolRunner }>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: Keys,
    private readonly streams: Pick<StreamsConfig, 'allow_networks' | 'allow_local_from_api'>,
    private readonly pollMs?: number,
  ) {}

  sync(cameras: ScheduledCamera[]): void {
    const want = new Map(cameras.filter((c) => c.enabled && c.onvif && c.patrol).map((c) => [c.id, c]));
    // A digest, not the settings: the password stays only in the camera it came with.
    const keyOf = (c: ScheduledCamera) => createHash('sha256').update(JSON.stringify([c.onvif, c.patrol, c.managed_by])).digest('hex');
    for (const [id, r] of this.runners) {
      const c = want.get(id);
      if (c && keyOf(c) === r.key) continue;
      void r.runner.stop();
      this.runners.delete(id);
    }
    for (const [id, c] of want) {
      if (this.runners.has(id)) continue;
      const runner = new PatrolRunner(
        { id, onvif: c.onvif!, patrol: c.patrol! },
        { policy: policyFor(this.streams, c.managed_by ?? 'config'), publish: (cameraId, position) => writePatrol(this.redis, this.keys, cameraId, position), ...(this.pollMs ? { pollMs: this.pollMs } : {}) },
      );
      runner.start();
      this.runners.set(id, { key: keyOf(c), runner });
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.runners.values()].map((r) => r.runner.stop()));
    this.runners.clear();
  }
}
