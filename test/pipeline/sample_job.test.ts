import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cameraSchema } from '../../config/schema.js';
import type { IncidentMessage } from '../../core/types.js';
import sharp from 'sharp';
import { createClassifier } from '../../detector/classifier.js';
import { createDetector, type Detector } from '../../detector/detector.js';
import { observeBinSites } from '../../pipeline/bin_sites.js';
import type { SampleDeps } from '../../pipeline/job_deps.js';
import { processRecheck } from '../../pipeline/recheck_job.js';
import { processSample } from '../../pipeline/sample_job.js';
import { toSpec } from '../../queue/cameras.js';
import { redisKeys } from '../../queue/keys.js';
import { openQueues, type Queues } from '../../queue/queues.js';
import { loadState } from '../../queue/rule_state.js';
import { labelledBins } from '../support/bin_frames.js';
import { startCameraServer, type CameraServer } from '../support/camera_servers.js';
import { MODELS_DIR, media } from '../support/paths.js';
import { startTestRedis, type TestRedis } from '../support/redis.js';
import { publishCamera, workerDeps } from '../support/worker_rig.js';

/**
 * The sampling job on real parts: a real HTTP snapshot camera showing a real red car standing in a zone,
 * the real YOLOX-nano detector, the real rules, a private Redis. Time is the camera's (capture) time, so
 * the 2 s dwell passes in real time.
 */
const RED_CAR: [number, number, number, number] = [590, 499, 820, 691]; // in street/road_cars_1s.jpg
// The still shows the car from the first sample on: no reference scene, or the car would be the street.
const ZONE = { id: 'kerb', kind: 'no_parking', polygon: [[0.4, 0.8], [0.7, 0.8], [0.7, 1], [0.4, 1]], dwell: '2s', reference_scene: false };

describe('pipeline/sample_job: the sampling job', () => {
  let redis: TestRedis;
  let camera: CameraServer;
  let detector: Detector;
  let queues: Queues;
  let deps: SampleDeps;
  const keys = redisKeys('{worker-test}');

  const publish = (id: string, url: string, zones: unknown[] = [ZONE]) => publishCamera(redis.client, keys, id, url, zones);
  const sample = (cameraId: string) => processSample(deps, { cameraId, due: Date.now() });

  beforeAll(async () => {
    redis = await startTestRedis();
    camera = await startCameraServer({ pictures: [media('street/road_cars_1s.jpg')] });
    detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
    queues = openQueues(redis.client, keys.prefix);
    deps = workerDeps({ redis: redis.client, keys, queues, detector, workerId: 'test-worker' });
  });
  afterAll(async () => {
    await queues.close();
    await detector.close();
    await camera.stop();
    await redis.stop();
  });

  it('turns a car standing past its dwell into one confirmed event with first-seen and confirming frames', async () => {
    await publish('cam-a', camera.url('/snapshot.jpg'));
    const first = await sample('cam-a');
    expect(first.outcome).toBe('ok');
    // The stay began: its first frame is kept for evidence until the stay is confirmed or over.
    expect((await redis.client.hkeys(keys.firstFrames('cam-a'))).sort()).toEqual([expect.stringMatching(/^f:\d+$/), expect.stringMatching(/^i:cam-a:kerb:/)]);
    const events: string[] = [];
    const until = Date.now() + 10_000;
    while (!events.includes('confirmed') && Date.now() < until) {
      const r = await sample('cam-a');
      expect(r.outcome).toBe('ok');
      events.push(...(r.events ?? []).map((e) => e.type));
    }
    expect(events).toEqual(['confirmed']);
    const jobs = await queues.incidents.getJobs(['waiting', 'delayed', 'active']);
    expect(jobs).toHaveLength(1);
    const msg = jobs[0]!.data as IncidentMessage;
    expect(msg.event).toMatchObject({ type: 'confirmed', cameraId: 'cam-a', zoneId: 'kerb', kind: 'no_parking' });
    expect(msg.event.confirmedAt - msg.event.firstSeen).toBeGreaterThanOrEqual(2000);
    expect(msg.frames.map((f) => f.role)).toEqual(['first_seen', 'confirmed']);
    expect(msg.frames[0]!.ts).toBe(msg.event.firstSeen);
    for (const f of msg.frames) expect(Buffer.from(f.jpegBase64, 'base64').subarray(0, 2).toString('hex')).toBe('ffd8');
    // Handed on: nothing pending in the state, the first frame no longer kept.
    const state = await loadState(redis.client, keys, 'cam-a');
    expect(state.pending).toEqual([]);
    expect(await redis.client.hlen(keys.firstFrames('cam-a'))).toBe(0);
    // More samples of the same parked car emit nothing more.
    for (let i = 0; i < 2; i++) expect((await sample('cam-a')).events).toEqual([]);
    expect(await queues.incidents.count()).toBe(1);
    const h = JSON.parse((await redis.client.hget(keys.health, 'cam-a'))!) as { state: string; width: number };
    expect(h).toMatchObject({ state: 'online', width: 1280 });
  }, 60_000);

  it('skips a camera whose previous sample is still running instead of piling up', async () => {
    await publish('cam-b', camera.url('/snapshot.jpg'));
    const results = await Promise.all([sample('cam-b'), sample('cam-b'), sample('cam-b')]);
    expect(results.map((r) => r.outcome).sort()).toEqual(['ok', 'skipped_busy', 'skipped_busy']);
    expect((await loadState(redis.client, keys, 'cam-b')).version).toBe(1);
  });

  it('records why a camera gave no frame and backs off instead of hammering it', async () => {
    await publish('cam-gone', camera.url('/no-such-snapshot.jpg'));
    const r = await sample('cam-gone');
    expect(r).toMatchObject({ outcome: 'failed', reason: 'not_found' });
    const h = JSON.parse((await redis.client.hget(keys.health, 'cam-gone'))!) as { state: string; retryAt: number };
    expect(h.state).toBe('degraded');
    expect(h.retryAt).toBeGreaterThan(Date.now());
    const hits = camera.hits.get('/no-such-snapshot.jpg');
    expect((await sample('cam-gone')).outcome).toBe('skipped_backoff');
    expect(camera.hits.get('/no-such-snapshot.jpg')).toBe(hits);
  });

  it('drops the job of a camera no longer scheduled', async () => {
    expect((await sample('never-published')).outcome).toBe('removed');
  });

  it('answers a recheck: the car is still there, a vehicle elsewhere is not', async () => {
    const base = { incidentId: 'x', cameraId: 'cam-a', zoneId: 'kerb', kind: 'no_parking' as const };
    expect((await processRecheck(deps, { ...base, box: RED_CAR })).verdict).toBe('present');
    expect((await processRecheck(deps, { ...base, box: [10, 10, 120, 90] })).verdict).toBe('gone');
    expect((await processRecheck(deps, { ...base, cameraId: 'never-published', box: RED_CAR })).verdict).toBe('unknown');
  });

  it('judges bin sites and confirms an overflowing one after it persists', async () => {
    const full = (await labelledBins({ persist: 2 })).find((b) => b.image === 'full_ds_50.png')!;
    const binCamera = await startCameraServer({ pictures: [await sharp(full.bytes).jpeg().toBuffer()] });
    try {
      const classifier = await createClassifier({ modelsDir: MODELS_DIR, model: full.zone.model, threads: 1 });
      const withBins: SampleDeps = { ...deps, observeBins: (frame, zones, calibration) => observeBinSites(frame, zones, classifier, calibration) };
      const cam = cameraSchema.parse({ id: 'bins', url: binCamera.url('/snapshot.jpg'), location: { lat: 40, lon: 124 }, sample_every: '1s', zones: [{ id: 'site', kind: 'bin_site', polygon: full.zone.polygon, persist: 2 }] });
      await redis.client.hset(keys.cameras, 'bins', JSON.stringify(toSpec(cam, Date.now())));
      const events = [];
      for (let i = 0; i < 3; i++) events.push(...((await processSample(withBins, { cameraId: 'bins', due: Date.now() })).events ?? []));
      expect(events.map((e) => e.type)).toEqual(['confirmed']);
      const jobs = (await queues.incidents.getJobs(['waiting'])).map((j) => j.data as IncidentMessage).filter((m) => m.event.cameraId === 'bins');
      expect(jobs.map((m) => [m.event.kind, m.frames.map((f) => f.role)])).toEqual([['bin_overflow', ['confirmed']]]);
      await classifier.close();
    } finally {
      await binCamera.stop();
    }
  }, 60_000);

  it('counts what it did in Prometheus text', () => {
    const text = deps.metrics.render();
    expect(text).toMatch(/weisu_samples_total\{outcome="ok",worker="test-worker"\} \d+/);
    expect(text).toMatch(/weisu_samples_total\{outcome="skipped_busy",worker="test-worker"\} 2/);
    expect(text).toMatch(/weisu_sample_failures_total\{reason="not_found",worker="test-worker"\} 1/);
    expect(text).toMatch(/weisu_sample_lag_seconds\{quantile="0.95",worker="test-worker"\} [\d.]+/);
    expect(text).toMatch(/weisu_incidents_emitted_total\{type="confirmed",worker="test-worker"\} 2/);
  });
});
