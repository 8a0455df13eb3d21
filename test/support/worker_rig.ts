import { cameraSchema } from '../../config/schema.js';
import type { Detector } from '../../detector/detector.js';
import type { SampleDeps } from '../../pipeline/sample_job.js';
import { toSpec } from '../../queue/cameras.js';
import type { Keys } from '../../queue/keys.js';
import type { Queues } from '../../queue/queues.js';
import type { RedisClient } from '../../queue/redis.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { openSource } from '../../streams/source.js';

/** What a worker's sampling job runs on, from real parts (Redis, queues, detector): tests call processSample with it. */
export function workerDeps(o: { redis: RedisClient; keys: Keys; queues: Queues; detector: Detector; workerId: string; openSource?: SampleDeps['openSource'] }): SampleDeps {
  return {
    redis: o.redis,
    keys: o.keys,
    incidents: o.queues.incidents,
    openSource: o.openSource ?? openSource,
    detect: async (f) => (await o.detector.run([f]))[0]!,
    metrics: new WorkerMetrics(o.workerId, 4),
    inferenceLongSide: 416,
    evidenceTtlMs: 60_000,
    workerId: o.workerId,
  };
}

/** Publishes a camera for workers, as the scheduler does (sampled every second). */
export async function publishCamera(redis: RedisClient, keys: Keys, id: string, url: string, zones: unknown[] = []): Promise<void> {
  const cam = cameraSchema.parse({ id, url, location: { lat: 40, lon: 124 }, sample_every: '1s', zones });
  await redis.hset(keys.cameras, id, JSON.stringify(toSpec(cam, Date.now())));
}
