import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatStatus } from '../../../cli/commands/status.js';
import { cameraSchema } from '../../../config/schema.js';
import { toSpec } from '../../../queue/cameras.js';
import { fleetMetricsText, fleetStatus } from '../../../queue/fleet.js';
import { redisKeys } from '../../../queue/keys.js';
import { openQueues, type Queues } from '../../../queue/queues.js';
import { WorkerMetrics } from '../../../queue/worker_metrics.js';
import { startTestRedis, type TestRedis } from '../../support/redis.js';

/** `weisu status`: the fleet as workers and the scheduler left it in Redis, printed for an operator. */
describe('weisu status', () => {
  let redis: TestRedis;
  let queues: Queues;
  const keys = redisKeys('{status-test}');
  beforeAll(async () => {
    redis = await startTestRedis();
    queues = openQueues(redis.client, keys.prefix);
  });
  afterAll(async () => {
    await queues.close();
    await redis.stop();
  });

  it('shows live and gone workers, their numbers, and cameras with problems first', async () => {
    const now = Date.now();
    const w = new WorkerMetrics('worker-a', 8);
    for (const lag of [100, 200, 300, 2500]) {
      w.jobStarted();
      w.jobDone('ok', lag);
    }
    w.jobStarted();
    w.jobDone('failed', 50, 'unreachable');
    w.inference.observe(42);
    w.batchSize.observe(3);
    await redis.client.hset(keys.workers, 'worker-a', JSON.stringify(w.report()));
    await redis.client.hset(keys.workers, 'worker-dead', JSON.stringify({ ...w.report(), id: 'worker-dead', heartbeat: now - 60_000 }));
    for (const id of ['cam-ok', 'cam-down']) {
      const cam = cameraSchema.parse({ id, url: `rtsp://10.0.0.1/${id}`, location: { lat: 1, lon: 2 }, sample_every: '10s' });
      await redis.client.hset(keys.cameras, id, JSON.stringify(toSpec(cam, now)));
    }
    await redis.client.hset(keys.health, 'cam-ok', JSON.stringify({ state: 'online', consecutiveFailures: 0 }));
    await redis.client.hset(keys.health, 'cam-down', JSON.stringify({ state: 'offline', consecutiveFailures: 4 }));
    await redis.client.hset(keys.lastSample, 'cam-ok', JSON.stringify({ at: now - 2000, lagMs: 150, worker: 'worker-a', outcome: 'ok' }));
    await redis.client.hset(keys.lastSample, 'cam-down', JSON.stringify({ at: now - 40_000, lagMs: 90, worker: 'worker-a', outcome: 'failed', reason: 'unreachable' }));

    const status = await fleetStatus(redis.client, keys, queues, now);
    expect(status.workers.map((x) => x.id)).toEqual(['worker-a']);
    expect(status.goneWorkers).toEqual(['worker-dead']);
    expect(status.camerasByHealth).toEqual({ online: 1, offline: 1 });
    expect(status.cameras.find((c) => c.id === 'cam-down')).toMatchObject({ overdue: true, reason: 'unreachable' });

    const text = formatStatus(status);
    expect(text).toContain('workers: 1 alive, 1 gone (worker-dead)');
    expect(text).toContain('by health: offline 1, online 1; overdue: 1');
    expect(text).toMatch(/worker-a .* 0\/8 .* unreachable:1/);
    // Problems first: the offline, overdue camera is listed before the healthy one.
    expect(text.indexOf('cam-down')).toBeLessThan(text.indexOf('cam-ok'));
    expect(text).not.toContain('10.0.0.1');

    const metrics = fleetMetricsText(status);
    expect(metrics).toContain('weisu_fleet_workers 1');
    expect(metrics).toContain('weisu_fleet_cameras{health="offline"} 1');
    expect(metrics).toMatch(/weisu_queue_jobs\{queue="samples",state="waiting"\} 0/);
  });
});
