import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { bareRunner, keyframeDecodeMs, snapshotDecodeMs } from './floor.js';
import type { BenchTable } from './index.js';
import { cpuBetween, treeSnapshot } from './proc.js';
import { startCpuProfile, type ProfileEntry } from './profile.js';
import { startSnapshotCamera } from './snapshot_camera.js';
import { cameraSchema, configSchema, type CameraConfig } from '../config/schema.js';
import { log } from '../core/log.js';
import { redisKeys } from '../queue/keys.js';
import { quantile } from '../queue/metrics.js';
import { openQueues } from '../queue/queues.js';
import { connectRedis, startEmbeddedRedis } from '../queue/redis.js';
import { Scheduler } from '../queue/scheduler.js';
import { startWorkerHost } from '../pipeline/worker_host.js';
import { MODELS_DIR, media } from '../test/support/paths.js';
import { startRtspServer } from '../test/support/rtsp.js';

/**
 * Capacity of one node running `weisu worker`: cameras at one sample per 10 s, YOLOX-nano, a no-parking
 * zone per camera — the whole sampling job (grab, decode, batched inference, rules, Redis state and
 * bookkeeping) through the real scheduler, BullMQ and Redis — for two kinds of camera: 1080p25 H.264 RTSP
 * (GOP 2 s, no B-frames) and HTTP snapshots (a 1080p JPEG). For each kind the camera count rises until
 * p95 lag (due → done) reaches 2 s or the node falls behind; CPU is weisu's own (this process, its
 * decoders and its Redis, from /proc), not the camera servers', which stand in for the cameras.
 */
export const title = 'workers: cameras per node at 1 sample / 10 s (1080p RTSP and HTTP snapshots, YOLOX-nano)';

type Kind = 'rtsp' | 'http';
const KINDS = (process.env.WEISU_BENCH_KINDS ?? 'rtsp,http').split(',') as Kind[];

const EVERY_MS = 10_000;
const LEVELS = (process.env.WEISU_BENCH_CAMERAS ?? '50,100,150,200,225,250,275,300').split(',').map(Number);
const WARMUP_MS = Number(process.env.WEISU_BENCH_WARMUP_MS ?? EVERY_MS);
const MEASURE_MS = Number(process.env.WEISU_BENCH_MEASURE_MS ?? 2 * EVERY_MS);
const PROFILE = process.argv.includes('--profile');
// The floor's runs: a keyframe decode is averaged over the keyframes of this many plays of the 6 s clip (3 keyframes each).
const FLOOR_LOOPS = Number(process.env.WEISU_BENCH_FLOOR_LOOPS ?? 10);
const FLOOR_RUNS = Number(process.env.WEISU_BENCH_FLOOR_RUNS ?? 30);
const CORES = Number(process.env.WEISU_BENCH_CORES ?? availableParallelism());
/** `full`, `zones` or `tiles`: the workers' detector.regions mode (default: the config's default). */
const REGIONS = process.env.WEISU_BENCH_REGIONS as 'full' | 'zones' | 'tiles' | undefined;
/** Measure every level even after one falls behind (CPU per sample at each level on a node shared with other work). */
const ALL_LEVELS = process.env.WEISU_BENCH_ALL_LEVELS === '1';

interface Level {
  kind: Kind;
  cameras: number;
  samplesPerSec: number;
  expectedPerSec: number;
  lagP50: number;
  lagP95: number;
  cpuCores: number;
  cpuMsPerSample: number;
  /** CPU-ms per sample by process name (node = this process: scheduler, worker host, inference). */
  split: string;
  memPerCamera: number;
  failed: number;
  /** 1-minute load average at the end of the level (lag depends on it; CPU per sample hardly). */
  load: number;
}

export async function run(): Promise<BenchTable> {
  // The workers' own progress lines would drown the table.
  log.level = process.env.WEISU_LOG_LEVEL ?? 'warn';
  const dir = mkdtempSync(join(tmpdir(), 'weisu-bench-workers-'));
  const clip = join(dir, 'cam1080.mp4');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y', '-stream_loop', '-1', '-i', media('video/video_road_cars_9s.mp4'), '-t', '6', '-an',
    '-vf', 'scale=1920:1080,fps=25,format=yuv420p', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '0',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0', '-b:v', '4M', clip,
  ]);
  const prefix = '{bench-workers}';
  const config = configSchema.parse({
    public_url: 'http://127.0.0.1:1',
    data_dir: join(dir, 'data'),
    detector: { threads: Number(process.env.WEISU_BENCH_THREADS ?? 2), ...(REGIONS ? { regions: { mode: REGIONS } } : {}) },
    workers: { concurrency: 24, batch: 8, prefix },
  });
  // The floor, before the fleet starts (its CPU is read from this process and its reaped children, which
  // nothing else may touch meanwhile): one keyframe of this clip decoded, or one snapshot of it decoded into the
  // inference copy; one bare run of the workers' model.
  const snapshot = join(dir, 'snapshot1080.jpg');
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', clip, '-frames:v', '1', '-q:v', '3', snapshot]);
  const bare = await bareRunner(MODELS_DIR, config.detector.model, config.detector.threads);
  await bare.measure(3); // warm-up: the first runs allocate
  const inferMs = (await bare.measure(FLOOR_RUNS)).cpu;
  await bare.close();
  // The inference copy is as long as the model's input, as the workers ask their sources for it.
  const inferenceLongSide = bare.inputLongSide;
  const decodeMs: Record<Kind, number> = {
    rtsp: await keyframeDecodeMs(clip, 3, FLOOR_LOOPS),
    http: await snapshotDecodeMs(readFileSync(snapshot), inferenceLongSide, FLOOR_RUNS),
  };
  // The detector path's model runs per sample: the whole frame, and each tile (at 1080p every tile gains enough to run).
  const { mode, tiles } = config.detector.regions;
  const runsPerSample = mode === 'tiles' ? 1 + tiles[0] * tiles[1] : mode === 'zones' ? 2 : 1;
  const floorMs = (kind: Kind) => decodeMs[kind] + runsPerSample * inferMs;

  // File-backed mount: every connection plays the clip from its start (a keyframe), as a camera's stream would
  // begin; each camera of the fleet is one more URL on it. The snapshot server answers every GET with the same JPEG.
  const rtsp = await startRtspServer({ mounts: [{ path: '/cam', file: clip }] });
  const snap = await startSnapshotCamera(snapshot);
  const urlOf: Record<Kind, string> = { rtsp: rtsp.url('/cam'), http: snap.url };
  const redisServer = await startEmbeddedRedis(join(dir, 'data'), { persist: false });
  const redis = connectRedis(redisServer.url, 'bench');
  const keys = redisKeys(prefix);
  const queues = openQueues(redis, prefix);
  let cameras: CameraConfig[] = [];
  const scheduler = new Scheduler({ redis, keys, queues, listCameras: async () => cameras, everyMs: 60_000 });
  const host = await startWorkerHost({ config, redisUrl: redisServer.url, modelsDir: MODELS_DIR, id: 'bench' });
  // weisu's processes: this one (scheduler + worker host), its decoders, redis-server (under its supervisor);
  // not the camera servers and whatever they run.
  const exclude = new Set([rtsp.pid, snap.pid]);
  const idle = treeSnapshot(exclude);
  const profile = PROFILE ? await startCpuProfile() : undefined;
  const levels: Level[] = [];
  // Written outside the bench's temporary folder, which goes at the end.
  const profileFile = join(tmpdir(), `weisu-bench-workers-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  let top: ProfileEntry[] = [];
  try {
    for (const kind of KINDS) {
      for (const n of LEVELS) {
        cameras = Array.from({ length: n }, (_, i) =>
          cameraSchema.parse({
            id: `${kind}-${i}`,
            url: urlOf[kind],
            location: { lat: 40, lon: 124 },
            sample_every: '10s',
            zones: [{ id: 'kerb', kind: 'no_parking', polygon: [[0.05, 0.6], [0.95, 0.6], [0.95, 0.98], [0.05, 0.98]], dwell: '5m' }],
          }),
        );
        await scheduler.reconcile();
        await new Promise((r) => setTimeout(r, WARMUP_MS));
        const a = treeSnapshot(exclude);
        const t0 = Date.now();
        const failedBefore = host.metrics.samples.get({ outcome: 'failed' });
        await new Promise((r) => setTimeout(r, MEASURE_MS));
        const b = treeSnapshot(exclude);
        const wall = Date.now() - t0;
        // Lag of every sample finished in the window (taken and processed, failed included), as the worker measured it.
        const lags = host.metrics.lag.recent(Date.now(), t0).map((s) => s * 1000).sort((x, y) => x - y);
        const done = lags.length;
        const cpu = cpuBetween(a, b);
        const level: Level = {
          kind,
          cameras: n,
          samplesPerSec: (done * 1000) / wall,
          expectedPerSec: (n * 1000) / EVERY_MS,
          lagP50: quantile(lags, 0.5),
          lagP95: quantile(lags, 0.95),
          cpuCores: cpu.total / wall,
          cpuMsPerSample: done ? cpu.total / done : NaN,
          split: cpu.byName.filter(([, ms]) => ms > 0).map(([name, ms]) => `${name} ${done ? Math.round(ms / done) : '-'}`).join(', '),
          memPerCamera: (b.rss - idle.rss) / n / 2 ** 20,
          failed: host.metrics.samples.get({ outcome: 'failed' }) - failedBefore,
          load: loadavg()[0]!,
        };
        levels.push(level);
        console.error(`workers bench: ${n} ${kind} cameras → ${level.samplesPerSec.toFixed(1)}/s, p95 lag ${Math.round(level.lagP95)} ms, ${level.cpuCores.toFixed(2)} cores, load ${level.load.toFixed(1)}`);
        if (!ALL_LEVELS && (level.lagP95 >= 2000 || level.samplesPerSec < 0.9 * level.expectedPerSec)) break;
      }
      // The next kind starts on a quiet node: this kind's cameras go, and what they had in hand finishes.
      cameras = [];
      await scheduler.reconcile();
      await new Promise((r) => setTimeout(r, 3000));
    }
  } finally {
    if (profile) top = await profile.stop(profileFile);
    cameras = [];
    await scheduler.reconcile().catch(() => undefined);
    await host.close(5000);
    await queues.close();
    redis.disconnect();
    await redisServer.stop();
    await rtsp.stop();
    await snap.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const held = (l: Level) => l.lagP95 < 2000 && l.samplesPerSec >= 0.95 * l.expectedPerSec;
  const capacity = (kind: Kind) => levels.filter((l) => l.kind === kind && held(l)).at(-1)?.cameras ?? 0;
  const pct = (l: Level) => (100 * l.cpuCores) / l.cameras;
  // Cameras whose samples would fill every core with weisu's work alone (the camera stand-ins take their share besides).
  const implied = (l: Level) => Math.floor((CORES * EVERY_MS) / l.cpuMsPerSample);
  const linear = (kind: Kind) => {
    const at = (n: number) => levels.find((l) => l.kind === kind && l.cameras === n);
    const [a, b] = [at(50), at(200)];
    return a && b ? `${kind}: ${pct(a).toFixed(2)} % of a core per camera at 50 cameras, ${pct(b).toFixed(2)} % at 200 (ratio ${(pct(b) / pct(a)).toFixed(2)}; 1.00 = linear)` : `${kind}: 50 and 200 cameras not both reached`;
  };
  return {
    columns: ['camera', 'cameras', 'samples/s (due)', 'lag p50 ms', 'lag p95 ms', 'load', 'CPU cores', 'CPU-ms / sample', 'floor ms', 'ratio', 'implied cameras', 'MB / camera', 'failed', 'CPU-ms / sample by process'],
    rows: levels.map((l) => [l.kind, l.cameras, `${l.samplesPerSec.toFixed(1)} (${l.expectedPerSec.toFixed(1)})`, Math.round(l.lagP50), Math.round(l.lagP95), l.load, l.cpuCores, l.cpuMsPerSample, floorMs(l.kind), `${(l.cpuMsPerSample / floorMs(l.kind)).toFixed(2)}×`, implied(l), l.memPerCamera, l.failed, l.split]),
    notes: [
      `Capacity at 1 sample / 10 s with p95 lag < 2 s on this ${CORES}-core node (target ≥ 200): ${KINDS.map((k) => `${k} ${capacity(k)}${capacity(k) >= 200 ? '' : ' (NOT met)'}`).join(', ')}. load = the 1-minute load average at the end of the level: lag is only meaningful on a node not shared with other work.`,
      `Floor, measured in this run before the fleet starts: rtsp = one 1080p keyframe decode ${decodeMs.rtsp.toFixed(1)} CPU-ms (libavcodec H.264, one thread, as the keyframe decoders run it; averaged over ${3 * FLOOR_LOOPS - 1} keyframes, ffmpeg start-up cancelled); http = one 1080p snapshot decoded into the ${inferenceLongSide} px inference copy ${decodeMs.http.toFixed(1)} CPU-ms (libjpeg shrink-on-load, as the HTTP source does it; averaged over ${FLOOR_RUNS}); each + ${runsPerSample} bare session.run of ${config.detector.model} at ${inferMs.toFixed(1)} CPU-ms each (${config.detector.threads} threads, averaged over ${FLOOR_RUNS} runs; detector.regions mode ${mode}: ${runsPerSample === 1 ? 'the whole frame only' : `the whole frame and ${runsPerSample - 1} regions`}). Target: ratio ≤ 1.3×.`,
      'CPU is what the kernel accounts to weisu: this process (scheduler and worker host, inference included), its decoders and redis-server, from /proc; not the camera servers. A process that exits is booked under its parent. implied cameras = cores × 10 s / CPU-ms per sample; MB / camera = RSS of the same processes above the idle worker, per camera.',
      `CPU per camera: ${KINDS.map(linear).join('; ')}.`,
      `Each level: ${WARMUP_MS / 1000} s warm-up, ${MEASURE_MS / 1000} s measured; one in-process worker (concurrency ${config.workers.concurrency}, batch ${config.workers.batch}, ${config.detector.threads} ONNX threads); RTSP cameras are sessions on one file-backed GStreamer mount (1080p25, 4 Mbit/s, GOP 2 s), HTTP cameras GETs of one 1080p JPEG, both on loopback, their servers on the same cores (not counted above, but they take CPU from the node). The machine is shared: expect ±20 %.`,
      ...(profile
        ? [
            [
              `CPU profile of this process's JS thread over the levels (warm-ups included; child processes are not in it): ${profileFile}. Top ${top.length} by self time (share of the busy time):`,
              ...top.map((e, i) => `  ${i + 1}. ${e.selfMs.toFixed(0)} ms (${(100 * e.share).toFixed(1)} %) ${e.fn}`),
            ].join('\n'),
          ]
        : []),
    ],
  };
}
