import { Worker, type ConnectionOptions } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../config/schema.js';
import { redisKeys } from '../../queue/keys.js';
import { acquireLease } from '../../queue/lease.js';
import { openQueues, type Queues } from '../../queue/queues.js';
import { connectRedis, waitForRedis, type RedisClient } from '../../queue/redis.js';
import { commitState, deleteState, loadState } from '../../queue/rule_state.js';
import { Scheduler } from '../../queue/scheduler.js';
import { startTestRedisCluster } from '../support/redis.js';
import { eventually } from '../support/weisu.js';

/**
 * Redis Cluster: every key weisu touches in one script or transaction must live in one slot. The
 * hash-tagged prefix puts the queues, camera specs, rule state and leases together; here all of them run
 * against a real three-node cluster (a CROSSSLOT error would fail the test).
 */
describe('queue on Redis Cluster', () => {
  let cluster: Awaited<ReturnType<typeof startTestRedisCluster>>;
  let redis: RedisClient;
  let queues: Queues;
  const keys = redisKeys('{cluster-test}');

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    redis = connectRedis(cluster.url, 'cluster-test');
    await waitForRedis(redis, cluster.url);
    queues = openQueues(redis, keys.prefix);
  });
  afterAll(async () => {
    await queues?.close();
    redis?.disconnect();
    await cluster?.stop();
  });

  it('schedules, runs sampling jobs, keeps rule state and leases', async () => {
    const cameras = ['a', 'b', 'c'].map((id) => cameraSchema.parse({ id, url: `/tmp/${id}.mp4`, location: { lat: 1, lon: 2 }, sample_every: '500ms' }));
    const scheduler = new Scheduler({ redis, keys, queues, listCameras: async () => cameras, everyMs: 60_000 });
    expect((await scheduler.reconcile())?.added.sort()).toEqual(['a', 'b', 'c']);
    const seen = new Set<string>();
    const worker = new Worker('samples', async (job) => void seen.add(job.data.cameraId as string), {
      connection: redis as unknown as ConnectionOptions,
      prefix: keys.prefix,
      concurrency: 3,
    });
    await eventually(() => seen.size === 3, 60_000, () => `every camera sampled (have ${[...seen].join(', ')})`);
    await worker.close();
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);

    const lease = await acquireLease(redis, keys.busy('a'), 1000);
    expect(lease).not.toBeNull();
    await lease!.release();
    expect(await commitState(redis, keys, 'a', 0, { rules: { x: 1 }, pending: [], ts: 1 })).toBe(1);
    expect((await loadState(redis, keys, 'a')).rules).toEqual({ x: 1 });
    await deleteState(redis, keys, 'a');

    cameras.length = 0;
    expect((await scheduler.reconcile())?.removed.sort()).toEqual(['a', 'b', 'c']);
  });
});
