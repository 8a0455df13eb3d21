import { Worker, type ConnectionOptions } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentMessage } from '../../core/types.js';
import { emitIncident, incidentBackoff, incidentJobId, openQueues, QUEUE_NAMES, scheduledAt, type Queues } from '../../queue/queues.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { eventually } from '../support/weisu.js';

const msg = (id: string, type: 'confirmed' | 'cleared' = 'confirmed'): IncidentMessage => ({
  event: { type, incidentId: id, cameraId: 'c', zoneId: 'z', kind: 'no_parking', firstSeen: 1, confirmedAt: 2, lastSeen: 2, ts: 2, subject: { box: [0, 0, 1, 1], label: 'car', score: 0.9 }, frameSize: { width: 10, height: 10 } },
  frames: [],
});

describe('queue/queues: the incidents queue', () => {
  let redis: TestRedis;
  let queues: Queues;
  const prefix = '{queues-test}';
  beforeAll(async () => {
    redis = await startTestRedis();
    queues = openQueues(redis.client, prefix);
  });
  afterAll(async () => {
    await queues.close();
    await redis.stop();
  });

  it('takes an event once however often it is emitted (a worker re-sending after a crash)', async () => {
    await emitIncident(queues.incidents, msg('cam:zone:123'));
    await emitIncident(queues.incidents, msg('cam:zone:123'));
    await emitIncident(queues.incidents, msg('cam:zone:123', 'cleared'));
    expect(await queues.incidents.count()).toBe(2);
    expect(incidentJobId(msg('cam:zone:123'))).not.toContain(':');
  });

  it('retries an event the alerts side could not take, backing off to a minute, until it is taken', async () => {
    let calls = 0;
    const worker = new Worker<IncidentMessage>(
      QUEUE_NAMES.incidents,
      async () => {
        calls++;
        if (calls <= 2) throw new Error('store unavailable');
      },
      { connection: redis.client as unknown as ConnectionOptions, prefix, settings: { backoffStrategy: incidentBackoff } },
    );
    // However slow the machine: both events end up taken, and nothing more was tried than needed.
    await eventually(async () => (await queues.incidents.getJobCounts('completed')).completed === 2, 60_000, 'both events taken');
    await worker.close();
    // Two events: each failed once and was retried after 1 s, then both were taken.
    expect(calls).toBe(4);
    expect(await queues.incidents.getJobCounts('completed', 'failed', 'delayed', 'waiting')).toEqual({ completed: 2, failed: 0, delayed: 0, waiting: 0 });
    expect([1, 2, 3, 7, 20].map(incidentBackoff)).toEqual([1000, 2000, 4000, 60_000, 60_000]);
  });

  it('reads a scheduled sample\'s due time from its job id', () => {
    expect(scheduledAt({ id: 'repeat:cam-1:1795657000000', timestamp: 1, delay: 0 })).toBe(1795657000000);
    expect(scheduledAt({ id: 'manual', timestamp: 1000, delay: 500 })).toBe(1500);
  });
});
