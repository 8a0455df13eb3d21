import { Worker, type ConnectionOptions } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema, type CameraConfig } from '../../config/schema.js';
import { readCamera } from '../../queue/cameras.js';
import { redisKeys } from '../../queue/keys.js';
import { openQueues, scheduledAt, type Queues } from '../../queue/queues.js';
import { connectRedis, type RedisClient } from '../../queue/redis.js';
import { phase, Scheduler } from '../../queue/scheduler.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';

const cam = (id: string, extra: Record<string, unknown> = {}): CameraConfig =>
  cameraSchema.parse({ id, url: `/tmp/${id}.mp4`, location: { lat: 40, lon: 124 }, sample_every: '1s', ...extra });

describe('queue/scheduler', () => {
  let redis: TestRedis;
  let conn: RedisClient;
  let queues: Queues;
  const keys = redisKeys('{sched-test}');
  let cameras: CameraConfig[] = [];
  const make = () => new Scheduler({ redis: conn, keys, queues, listCameras: async () => cameras, everyMs: 60_000 });

  beforeAll(async () => {
    redis = await startTestRedis();
    conn = connectRedis(redis.url, 'scheduler-test');
    queues = openQueues(conn, keys.prefix);
  });
  afterAll(async () => {
    await queues.close();
    conn.disconnect();
    await redis.stop();
  });

  it('keeps exactly one scheduler per enabled camera, even when several instances reconcile at once', async () => {
    cameras = [cam('a'), cam('b'), cam('c', { enabled: false })];
    const reports = await Promise.all([make().reconcile(), make().reconcile(), make().reconcile()]);
    expect(reports.flatMap((r) => r?.added ?? []).sort()).toEqual(['a', 'b']);
    const schedulers = await queues.samples.getJobSchedulers(0, -1);
    expect(schedulers.map((s) => s.key).sort()).toEqual(['a', 'b']);
    expect(schedulers.every((s) => Number(s.every) === 1000)).toBe(true);
    const pending = await queues.samples.getJobs(['delayed', 'waiting']);
    expect(pending.map((j) => j.data.cameraId).sort()).toEqual(['a', 'b']);
    expect((await readCamera(conn, keys, 'a'))?.url).toBe('/tmp/a.mp4');
    expect(await readCamera(conn, keys, 'c')).toBeUndefined();
    // Nothing changed: nothing to do.
    expect(await make().reconcile()).toEqual({ added: [], updated: [], removed: [], revived: [] });
  });

  it('follows cameras being changed, enabled, disabled and removed', async () => {
    cameras = [cam('a', { sample_every: '2s' }), cam('c'), cam('b', { zones: [{ id: 'z', kind: 'no_parking', polygon: [[0, 0], [1, 0], [1, 1]], dwell: '5s' }] })];
    let report = await make().reconcile();
    expect(report).toEqual({ added: ['c'], updated: ['a', 'b'], removed: [], revived: [] });
    expect((await readCamera(conn, keys, 'b'))?.zones[0]?.id).toBe('z');
    const a = await queues.samples.getJobScheduler('a');
    expect(Number(a?.every)).toBe(2000);
    cameras = [cam('c', { enabled: false })];
    report = await make().reconcile();
    expect(report?.removed.sort()).toEqual(['a', 'b', 'c']);
    expect(await queues.samples.getJobSchedulersCount()).toBe(0);
    expect(await conn.hlen(keys.cameras)).toBe(0);
  });

  it('produces one sample job per camera per interval, due on schedule', async () => {
    cameras = [cam('x'), cam('y')];
    await make().reconcile();
    const seen: { cameraId: string; due: number; lag: number }[] = [];
    const worker = new Worker(
      'samples',
      async (job) => {
        seen.push({ cameraId: job.data.cameraId as string, due: scheduledAt(job), lag: Date.now() - scheduledAt(job) });
      },
      { connection: conn as unknown as ConnectionOptions, prefix: keys.prefix, concurrency: 4 },
    );
    const dues = (id: string) => seen.filter((s) => s.cameraId === id).map((s) => s.due);
    await waitFor(async () => dues('x').length >= 3 && dues('y').length >= 3, 60_000);
    await worker.close();
    // What a busy machine cannot change: each job is due on the camera's own grid (its phase plus whole
    // intervals), no due time comes twice, and none is early. How late they run is the workers bench's target.
    for (const id of ['x', 'y']) {
      const d = dues(id);
      expect(new Set(d).size).toBe(d.length);
      for (const t of d) expect(((t - phase(id, 1000)) % 1000 + 1000) % 1000).toBe(0);
      for (let i = 1; i < d.length; i++) expect(d[i]!).toBeGreaterThan(d[i - 1]!);
    }
    for (const s of seen) expect(s.lag).toBeGreaterThanOrEqual(0);
  });

  it('spreads cameras over their interval instead of sampling them all at once', () => {
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 1000; i++) buckets[Math.floor(phase(`cam-${i}`, 10_000) / 1000)]!++;
    // 1000 cameras at 10 s: about 100 per second of the interval, never a burst.
    for (const n of buckets) expect(n).toBeGreaterThan(70);
    expect(phase('cam-1', 10_000)).toBe(phase('cam-1', 10_000));
  });

  it('recreates every schedule after Redis restarted empty', async () => {
    cameras = [cam('x'), cam('y')];
    const scheduler = make();
    await scheduler.start();
    await redis.restart();
    await waitFor(async () => (await queues.samples.getJobSchedulersCount()) === 2, 10_000);
    expect((await readCamera(conn, keys, 'y'))?.id).toBe('y');
    await scheduler.stop();
  });
});

async function waitFor(cond: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not met in time');
}
