import { createServer, type Server } from 'node:http';
import { fullJpeg } from '../core/frames.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { Worker, type ConnectionOptions } from 'bullmq';
import type { WeisuConfig } from '../config/schema.js';
import type { BinObservation, Detections, SampledFrame, IncidentMessage } from '../core/types.js';
import { log } from '../core/log.js';
import { createClassifier } from '../detector/classifier.js';
import type { Detector } from '../detector/detector.js';
import { detectorFromConfig } from '../detector/from_config.js';
import type { Point } from '../core/geometry.js';
import { observeBinSites } from './bin_sites.js';
import type { SampleDeps } from './job_deps.js';
import type { SamplePorts } from './ports.js';
import { processRecheck } from './recheck_job.js';
import { processSample } from './sample_job.js';
import { DEFAULT_MAX_SHIFT } from '../align/align.js';
import { ViewAligner } from '../align/aligner.js';
import { defaultModelsDir } from '../models/registry.js';
import { readIncidentPlate } from '../plates/incident.js';
import { createPlateReader } from '../plates/read_plate.js';
import { stopKeyframeDecoders } from '../streams/keyframe_decoder.js';
import { backoffPolicy, sourceDefaults } from '../streams/schema.js';
import { openSource } from '../streams/source.js';
import { createBatcher } from '../queue/batcher.js';
import { redisKeys } from '../queue/keys.js';
import { redisSamplePorts } from '../queue/sample_ports.js';
import { openQueues, QUEUE_NAMES, scheduledAt, type RecheckJob, type RecheckResult, type SampleJob } from '../queue/queues.js';
import { connectRedis, isConnectionError, type RedisClient } from '../queue/redis.js';
import { WorkerMetrics } from '../queue/worker_metrics.js';

/**
 * A detection worker inside a process: the BullMQ workers for `samples` and `rechecks`, one detector
 * session shared by all their jobs (frames of concurrent jobs batched into one run), the worker's metrics
 * (Prometheus endpoint and a heartbeat report in Redis for `weisu status`), and a clean drain on close.
 */
export interface WorkerHostOptions {
  config: WeisuConfig;
  redisUrl: string;
  /** Sampling jobs at once; default `workers.concurrency`. */
  concurrency?: number;
  /** Listen for Prometheus scrapes on this port (0: any free one); none when undefined. */
  metricsPort?: number;
  id?: string;
  modelsDir?: string;
}

export interface WorkerHost {
  id: string;
  metrics: WorkerMetrics;
  /** Where /metrics is served, when it is. */
  metricsUrl?: string;
  /** Cameras whose sample is in hand now: the ones to blame when this worker's process stops answering. */
  holding(): string[];
  /** Stops taking jobs, lets the running ones finish (at most `drainMs`), then lets go of everything. */
  close(drainMs?: number): Promise<void>;
}

const REPORT_EVERY_MS = 5000;

export async function startWorkerHost(opts: WorkerHostOptions): Promise<WorkerHost> {
  const { config } = opts;
  const w = config.workers;
  const id = opts.id ?? `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const concurrency = opts.concurrency ?? w.concurrency;
  const modelsDir = opts.modelsDir ?? defaultModelsDir();
  // Zones by camera, as the last sample of each camera read them, for `detector.regions: { mode: zones }`.
  const zonesByCamera = new Map<string, Point[][]>();
  const detector: Detector = await detectorFromConfig(config.detector, { modelsDir, maxBatch: w.batch, zonesOf: (id) => zonesByCamera.get(id) });
  const metrics = new WorkerMetrics(id, concurrency);
  // Settled per frame: one camera's corrupt picture must not fail the other cameras batched with it.
  const batcher = createBatcher<SampledFrame, Detections>((frames) => detector.runSettled(frames), {
    maxSize: w.batch,
    maxWaitMs: w.batch_wait,
    onBatch(size, ms) {
      metrics.batchSize.observe(size);
      metrics.inference.observe(ms);
    },
  });
  const redis: RedisClient = connectRedis(opts.redisUrl, `weisu-worker:${id}`);
  const keys = redisKeys(w.prefix);
  const queues = openQueues(redis, w.prefix);
  const input = detector.manifest.input;
  const classifier = lazily((model: string) => createClassifier({ modelsDir, model, threads: config.detector.threads }));
  const plateReader = lazily(() => createPlateReader({ config: config.plates }));
  // OpenCV loads on the first camera with a reference view: workers of fixed, unreferenced fleets never pay for it.
  const aligner = lazily(() => ViewAligner.create());
  // Loaded ahead, in the background: the first confirmed incident must not wait seconds for OCR models.
  if (config.plates.enabled) plateReader.get('').catch((e: Error) => log.warn({ err: e.message }, 'plate reader could not load: incidents are marked plate unread until it does'));
  // Assigned to the port types here: this is where the Redis implementation is checked against pipeline/ports.ts.
  const ports: SamplePorts = redisSamplePorts(redis, keys, queues, w.evidence_ttl);
  const deps: SampleDeps = {
    ports,
    openSource,
    sourceDefaults: sourceDefaults(config.streams),
    streams: config.streams,
    backoff: backoffPolicy(config.streams),
    detect: (frame, camera) => {
      zonesByCamera.set(camera.id, camera.zones.map((z) => z.polygon));
      return batcher.submit(frame);
    },
    async observeBins(frame, zones, calibration) {
      // Each site names its classifier; sites sharing one are judged in one call.
      const out: Record<string, BinObservation> = {};
      for (const model of new Set(zones.map((z) => z.model))) {
        Object.assign(out, await observeBinSites(frame, zones.filter((z) => z.model === model), await classifier.get(model), calibration));
      }
      return out;
    },
    // The inference copy is already decoded: the aligner's grey copy is made from it, not from the JPEG.
    checkView: async (frame, references) => (await aligner.get('')).check(frame.pixels ?? (await fullJpeg(frame)), references, { maxShift: DEFAULT_MAX_SHIFT }),
    ...(config.plates.enabled ? { readPlate: async (msg: IncidentMessage) => readIncidentPlate(await plateReader.get(''), msg) } : {}),
    metrics,
    inferenceLongSide: Math.max(input.width, input.height),
    fullPictures: config.detector.regions.mode !== 'full',
    workerId: id,
  };
  const connection = redis as unknown as ConnectionOptions;
  const common = { connection, prefix: w.prefix, name: id, autorun: true };
  // A sample whose worker died is not worth re-running later (the next one is due): no stalled retries.
  // A camera twice here is two samples of it in hand (one skipped as busy): counted, not a set.
  const held = new Map<string, number>();
  const hold = (cameraId: string, by: 1 | -1) => {
    const n = (held.get(cameraId) ?? 0) + by;
    if (n > 0) held.set(cameraId, n);
    else held.delete(cameraId);
  };
  const sample = async (cameraId: string, due: number, signal?: AbortSignal) => {
    hold(cameraId, 1);
    try {
      return await processSample(deps, { cameraId, due }, signal);
    } finally {
      hold(cameraId, -1);
    }
  };
  const samples = new Worker<SampleJob>(QUEUE_NAMES.samples, (job, _token, signal) => sample(job.data.cameraId, scheduledAt(job), signal), {
    ...common,
    concurrency,
    maxStalledCount: 0,
    stalledInterval: 10_000,
    lockDuration: 20_000,
  });
  const rechecks = new Worker<RecheckJob, RecheckResult>(QUEUE_NAMES.rechecks, (job, _token, signal) => processRecheck(deps, job.data, signal), {
    ...common,
    concurrency: 2,
  });
  for (const bw of [samples, rechecks]) bw.on('error', (e) => isConnectionError(e) || log.warn({ worker: id, err: e.message }, 'worker queue error'));

  const report = () => redis.hset(keys.workers, id, JSON.stringify(metrics.report())).catch(() => undefined);
  await report();
  const timer = setInterval(() => void report(), REPORT_EVERY_MS);
  timer.unref();

  let server: Server | undefined;
  let metricsUrl: string | undefined;
  if (opts.metricsPort !== undefined) {
    server = createServer((req, res) => {
      if (req.url?.split('?')[0] === '/metrics') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(metrics.render());
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server!.listen(opts.metricsPort, '0.0.0.0', r));
    metricsUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/metrics`;
  }
  log.info({ worker: id, concurrency, model: detector.modelId, metrics: metricsUrl }, 'detection worker started');

  return {
    id,
    metrics,
    metricsUrl,
    holding: () => [...held.keys()],
    async close(drainMs = 30_000) {
      clearInterval(timer);
      // Worker.close waits for the jobs in hand (drain); no new ones are taken meanwhile. A drain that
      // cannot finish (Redis gone for good) is cut short: those samples are lost, the next are due anyway.
      const drained = Promise.all([samples.close(), rechecks.close()]);
      const cut = await Promise.race([drained.then(() => false), new Promise<boolean>((r) => setTimeout(() => r(true), drainMs).unref())]);
      if (cut) {
        log.warn({ worker: id, drainMs }, 'drain did not finish in time: stopping anyway');
        await Promise.race([Promise.all([samples.close(true), rechecks.close(true)]), new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await redis.hdel(keys.workers, id).catch(() => undefined);
      await queues.close();
      await new Promise((r) => (server ? server.close(r) : r(undefined)));
      await Promise.all([detector.close(), classifier.closeAll(), plateReader.closeAll()]);
      stopKeyframeDecoders();
      redis.disconnect();
      log.info({ worker: id }, 'detection worker stopped');
    },
  };
}

/**
 * Models loaded on first use (a fleet without bin sites never loads a classifier), one per key; a load
 * that failed (model file missing) is tried again next time instead of being remembered.
 */
function lazily<T extends { close(): Promise<void> }>(load: (key: string) => Promise<T>) {
  const cache = new Map<string, Promise<T>>();
  return {
    get(key: string): Promise<T> {
      let p = cache.get(key);
      if (!p) {
        p = load(key);
        cache.set(key, p);
        p.catch(() => cache.delete(key));
      }
      return p;
    },
    async closeAll(): Promise<void> {
      await Promise.all([...cache.values()].map((p) => p.then((m) => m.close(), () => undefined)));
    },
  };
}
