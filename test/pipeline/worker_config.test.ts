import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { EvidenceFrame } from '../../core/types.js';
import type { LastSample } from '../../pipeline/ports.js';
import { redisKeys } from '../../queue/keys.js';
import { openQueues, type Queues } from '../../queue/queues.js';
import { freePort } from '../../queue/redis.js';
import type { CameraHealth } from '../../streams/health.js';
import { startCameraServer, startTcpFaultServer, type CameraServer } from '../support/camera_servers.js';
import { media } from '../support/paths.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { publishCamera } from '../support/worker_rig.js';
import { eventually, spawnWeisu, type WeisuProcess } from '../support/weisu.js';

/**
 * The config file's `streams:` settings reach a real `weisu worker` process: each setting is given a value
 * far from its default, and a camera is chosen whose fate shows that value and no other. Samples are queued
 * by hand (no serve, no scheduler), one per camera, and judged by what the worker recorded in Redis.
 */
const PREFIX = '{worker-config-test}';
const STREAMS = { connect_timeout: '700ms', frame_timeout: '900ms', jpeg_quality: 20, retry: { first: '45s', max: '10m', offline_after: 1 } };
// The red car of road_cars_1s.jpg stands in this zone; a one-hour dwell keeps its stay open (and its first frame kept).
const ZONE = { id: 'kerb', kind: 'no_parking', polygon: [[0.4, 0.8], [0.7, 0.8], [0.7, 1], [0.4, 1]], dwell: '1h', reference_scene: false };

describe("the config file's streams settings in a real worker process", () => {
  let dir: string;
  let redis: TestRedis;
  let queues: Queues;
  let worker: WeisuProcess;
  let silent: Awaited<ReturnType<typeof startTcpFaultServer>>;
  let stalling: CameraServer;
  let png: CameraServer;
  let carPng: Buffer;
  const keys = redisKeys(PREFIX);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'weisu-worker-config-'));
    redis = await startTestRedis();
    carPng = await sharp(readFileSync(media('street/road_cars_1s.jpg'))).png().toBuffer();
    [silent, stalling, png] = await Promise.all([startTcpFaultServer('silent'), startCameraServer({ pictures: [media('street/road_cars_1s.jpg')] }), startCameraServer({ pictures: [carPng] })]);
    stalling.fault = 'stall';
    const config = { public_url: 'http://127.0.0.1:8080', data_dir: join(dir, 'data'), detector: { threads: 1 }, workers: { concurrency: 2, prefix: PREFIX }, streams: STREAMS };
    writeFileSync(join(dir, 'weisu.yaml'), stringify(config));
    queues = openQueues(redis.client, PREFIX);
    worker = spawnWeisu(['worker', '--config', join(dir, 'weisu.yaml')], { REDIS_URL: redis.url });
    await worker.waitFor(/taking sampling jobs/, 120_000);
  }, 180_000);

  afterAll(async () => {
    worker?.kill();
    await worker?.exited;
    await queues?.close();
    await Promise.all([silent?.stop(), stalling?.stop(), png?.stop()]);
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Publishes a camera, queues one sample of it, and returns what the worker recorded of that sample. */
  async function sampleOnce(id: string, url: string, zones: unknown[] = []): Promise<{ last: LastSample; health: CameraHealth }> {
    await publishCamera(redis.client, keys, id, url, zones);
    await queues.samples.add('sample', { cameraId: id });
    const last = await eventually(
      async () => {
        const raw = await redis.client.hget(keys.lastSample, id);
        return raw ? (JSON.parse(raw) as LastSample) : undefined;
      },
      120_000,
      () => `no sample of ${id} recorded:\n${worker.output().slice(-2000)}`,
    );
    const health = JSON.parse((await redis.client.hget(keys.health, id))!) as CameraHealth;
    return { last, health };
  }

  it('gives up on a camera that accepts and never answers after streams.connect_timeout, and says so in its health', async () => {
    const { last, health } = await sampleOnce('silent', `http://127.0.0.1:${silent.port}/snapshot.jpg`);
    expect(last).toMatchObject({ outcome: 'failed', reason: 'connect_timeout' });
    expect(health).toMatchObject({ reason: 'connect_timeout' });
    // The configured 700 ms, not the built-in 5000 ms.
    expect(health.lastError).toMatch(/no answer within 700 ms/);
  }, 180_000);

  it('ends the sample of a camera that answers but never sends its picture after streams.frame_timeout', async () => {
    const { last, health } = await sampleOnce('stalling', stalling.url('/snapshot.jpg'));
    expect(last).toMatchObject({ outcome: 'failed', reason: 'no_frame' });
    // The configured 900 ms, not the built-in 12 000 ms: "raise streams.frame_timeout" is advice that works.
    expect(health.lastError).toMatch(/no whole picture within 900 ms/);
  }, 180_000);

  it('backs off a failing camera by streams.retry (first delay, offline after one failure)', async () => {
    const { last, health } = await sampleOnce('refused', `http://127.0.0.1:${await freePort()}/snapshot.jpg`);
    expect(last).toMatchObject({ outcome: 'failed', reason: 'unreachable' });
    // offline_after 1 (default 3: degraded); the first retry 45 s ± the policy's 20 % jitter (default 5 s).
    expect(health.state).toBe('offline');
    const delay = health.retryAt! - health.failingSince!;
    expect(delay).toBeGreaterThanOrEqual(36_000);
    expect(delay).toBeLessThanOrEqual(54_000);
  }, 180_000);

  it('encodes the evidence of a camera that sends PNG at streams.jpeg_quality', async () => {
    const { last } = await sampleOnce('png', png.url('/snapshot.jpg'), [ZONE]);
    expect(last).toMatchObject({ outcome: 'ok' });
    // The stay that began keeps this sample's frame as its first-seen evidence: the worker's own JPEG.
    const fields = await redis.client.hgetall(keys.firstFrames('png'));
    const frame = Object.entries(fields).find(([k]) => k.startsWith('f:'));
    expect(frame, 'the car in the zone began a stay').toBeDefined();
    const jpeg = Buffer.from((JSON.parse(frame![1]) as EvidenceFrame).jpegBase64, 'base64');
    expect(jpeg.equals(await sharp(carPng).jpeg({ quality: 20 }).toBuffer())).toBe(true);
    expect(jpeg.equals(await sharp(carPng).jpeg({ quality: 90 }).toBuffer())).toBe(false);
  }, 180_000);
});
