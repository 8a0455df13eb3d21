import type { Keys } from './keys.js';
import { Gauge, quantile, Registry } from './metrics.js';
import type { Queues } from './queues.js';
import type { RedisClient } from './redis.js';
import type { WorkerReport } from './worker_metrics.js';

/**
 * The whole fleet as Redis knows it: live workers (by heartbeat) with their numbers, every scheduled
 * camera with its health and latest sample, queue depths. `weisu status` prints it; the API may serve it.
 */
export interface CameraStatus {
  id: string;
  every: number;
  health: string;
  /** Why the camera last failed, when it did. */
  reason?: string;
  lastAt?: number;
  lastOutcome?: string;
  lastLagMs?: number;
  lastWorker?: string;
  /** Not sampled for more than two intervals. */
  overdue: boolean;
}

export interface FleetStatus {
  at: number;
  workers: WorkerReport[];
  /** Workers whose heartbeat stopped (killed, or partitioned from Redis). */
  goneWorkers: string[];
  cameras: CameraStatus[];
  camerasByHealth: Record<string, number>;
  /** Over the latest sample of every camera. */
  lagMs: Record<string, number>;
  samplesPerSec: number;
  queues: Record<'samples' | 'incidents' | 'rechecks', Record<string, number>>;
}

/** A worker silent this long is counted as gone. */
export const HEARTBEAT_TIMEOUT_MS = 20_000;

interface LastSample {
  at: number;
  lagMs?: number;
  worker: string;
  outcome: string;
  reason?: string;
}

export async function fleetStatus(redis: RedisClient, keys: Keys, queues: Queues, now = Date.now()): Promise<FleetStatus> {
  const [workersRaw, camerasRaw, healthRaw, lastRaw] = await Promise.all([
    redis.hgetall(keys.workers),
    redis.hgetall(keys.cameras),
    redis.hgetall(keys.health),
    redis.hgetall(keys.lastSample),
  ]);
  const workers: WorkerReport[] = [];
  const goneWorkers: string[] = [];
  for (const [id, raw] of Object.entries(workersRaw)) {
    const r = JSON.parse(raw) as WorkerReport;
    if (now - r.heartbeat <= HEARTBEAT_TIMEOUT_MS) workers.push(r);
    else goneWorkers.push(id);
  }
  workers.sort((a, b) => a.id.localeCompare(b.id));
  const cameras: CameraStatus[] = Object.entries(camerasRaw).map(([id, raw]) => {
    const spec = JSON.parse(raw) as { sample_every: number };
    const health = healthRaw[id] ? (JSON.parse(healthRaw[id]) as { state: string }) : undefined;
    const last = lastRaw[id] ? (JSON.parse(lastRaw[id]) as LastSample) : undefined;
    return {
      id,
      every: spec.sample_every,
      health: health?.state ?? 'unknown',
      reason: last?.outcome === 'failed' ? last.reason : undefined,
      lastAt: last?.at,
      lastOutcome: last?.outcome,
      lastLagMs: last?.lagMs,
      lastWorker: last?.worker,
      overdue: !last || now - last.at > 2 * spec.sample_every + 1000,
    };
  });
  cameras.sort((a, b) => a.id.localeCompare(b.id));
  const camerasByHealth: Record<string, number> = {};
  for (const c of cameras) camerasByHealth[c.health] = (camerasByHealth[c.health] ?? 0) + 1;
  const lags = cameras.flatMap((c) => (c.lastLagMs === undefined ? [] : [c.lastLagMs])).sort((a, b) => a - b);
  const lagMs = Object.fromEntries([0.5, 0.9, 0.95, 0.99].map((q) => [String(q), lags.length ? quantile(lags, q) : 0]));
  const kinds = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
  const [s, i, r] = await Promise.all([queues.samples.getJobCounts(...kinds), queues.incidents.getJobCounts(...kinds), queues.rechecks.getJobCounts(...kinds)]);
  return {
    at: now,
    workers,
    goneWorkers,
    cameras,
    camerasByHealth,
    lagMs,
    samplesPerSec: workers.reduce((a, w) => a + w.samplesPerSec, 0),
    queues: { samples: s, incidents: i, rechecks: r },
  };
}

/** The fleet view as Prometheus gauges, for the /metrics of `weisu serve`. */
export function fleetMetricsText(s: FleetStatus): string {
  const r = new Registry();
  r.add(new Gauge('weisu_fleet_workers', 'Detection workers with a live heartbeat in Redis.')).set(s.workers.length);
  r.add(new Gauge('weisu_fleet_workers_gone', 'Workers whose heartbeat stopped.')).set(s.goneWorkers.length);
  r.add(new Gauge('weisu_fleet_cameras', 'Scheduled cameras by health.')).reset(Object.entries(s.camerasByHealth).map(([health, n]) => [{ health }, n]));
  r.add(new Gauge('weisu_fleet_cameras_overdue', 'Cameras not sampled for more than two intervals.')).set(s.cameras.filter((c) => c.overdue).length);
  r.add(new Gauge('weisu_fleet_samples_per_second', 'Samples per second over all live workers (last minute).')).set(s.samplesPerSec);
  r.add(new Gauge('weisu_fleet_sample_lag_seconds', 'Lag of the latest sample of every camera, by quantile.')).reset(Object.entries(s.lagMs).map(([quantile, v]) => [{ quantile }, v / 1000]));
  const depth = r.add(new Gauge('weisu_queue_jobs', 'Jobs per queue and state.'));
  depth.reset(Object.entries(s.queues).flatMap(([queue, counts]) => Object.entries(counts).map(([state, n]): [Record<string, string>, number] => [{ queue, state }, n])));
  return r.render();
}
