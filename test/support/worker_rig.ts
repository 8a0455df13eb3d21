import { cameraSchema } from '../../config/schema.js';
import type { Detector } from '../../detector/detector.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { toSpec } from '../../queue/cameras.js';
import type { Keys } from '../../queue/keys.js';
import type { Queues } from '../../queue/queues.js';
import type { RedisClient } from '../../queue/redis.js';
import { redisSamplePorts } from '../../queue/sample_ports.js';
import { WorkerMetrics } from '../../queue/worker_metrics.js';
import { backoffPolicy, sourceDefaults, streamsSchema } from '../../streams/schema.js';
import { openSource } from '../../streams/source.js';

/** What a worker's sampling job runs on, from real parts (Redis, queues, detector): tests call processSample with it. */
export function workerDeps(o: {
  redis: RedisClient;
  keys: Keys;
  queues: Queues;
  detector: Detector;
  workerId: string;
  openSource?: SampleDeps['openSource'];
  /** The config file's `streams:` section (defaults when absent). */
  streams?: Record<string, unknown>;
}): SampleDeps {
  const streams = streamsSchema.parse(o.streams ?? {});
  return {
    ports: redisSamplePorts(o.redis, o.keys, o.queues, 60_000),
    openSource: o.openSource ?? openSource,
    sourceDefaults: sourceDefaults(streams),
    streams,
    backoff: backoffPolicy(streams),
    detect: async (f) => (await o.detector.run([f]))[0]!,
    metrics: new WorkerMetrics(o.workerId, 4),
    inferenceLongSide: 416,
    workerId: o.workerId,
  };
}

/** Publishes a camera for workers, as the scheduler does (sampled every second). */
export async function publishCamera(redis: RedisClient, keys: Keys, id: string, url: string, zones: unknown[] = []): Promise<void> {
  const cam = cameraSchema.parse({ id, url, location: { lat: 40, lon: 124 }, sample_every: '1s', zones });
  await redis.hset(keys.cameras, id, JSON.stringify(toSpec(cam, Date.now())));
}
