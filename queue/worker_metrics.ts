import { hostname } from 'node:os';
import { Counter, Gauge, Registry, Summary } from './metrics.js';

/** What became of one sampling job. */
export type SampleOutcome =
  | 'ok' // sampled, detected, rules stepped and committed
  | 'skipped_busy' // the camera's previous sample was still running
  | 'skipped_backoff' // the camera is failing and its retry time has not come
  | 'skipped_patrol' // a patrolling dome between stops (travelling, settling, or under an operator's control)
  | 'conflict' // another worker committed this camera's state meanwhile: this sample was dropped
  | 'failed' // no frame, or a step failed (see failures by reason)
  | 'removed'; // the camera is gone from the schedule

/** One worker's numbers, as published in Redis for `weisu status` (and read back from there). */
export interface WorkerReport {
  id: string;
  host: string;
  pid: number;
  startedAt: number;
  heartbeat: number;
  concurrency: number;
  active: number;
  samplesPerSec: number;
  lagMs: Record<string, number>;
  inferenceMs: Record<string, number>;
  meanBatch: number;
  outcomes: Record<string, number>;
  failures: Record<string, number>;
  incidents: number;
  camerasByHealth: Record<string, number>;
}

/** Metrics of one worker process: Prometheus text for scraping, a report for the fleet view. */
export class WorkerMetrics {
  readonly startedAt = Date.now();
  readonly registry: Registry;
  readonly samples: Counter;
  readonly failures: Counter;
  readonly lag: Summary;
  readonly inference: Summary;
  readonly batchSize: Summary;
  readonly incidents: Counter;
  readonly active: Gauge;
  readonly viewChecks: Counter;
  private readonly cameras: Gauge;
  /** Camera → its health after this worker's latest sample of it, and when. */
  private readonly health = new Map<string, { state: string; at: number }>();
  private activeJobs = 0;

  constructor(
    readonly id: string,
    readonly concurrency: number,
  ) {
    this.registry = new Registry({ worker: id });
    const r = this.registry;
    this.samples = r.add(new Counter('weisu_samples_total', 'Sampling jobs by outcome (ok, skipped_busy, skipped_backoff, skipped_patrol, conflict, failed, removed).'));
    this.failures = r.add(new Counter('weisu_sample_failures_total', 'Failed samples by reason (stream error reasons, detect, rules, redis).'));
    this.lag = r.add(new Summary('weisu_sample_lag_seconds', 'Lag from a sample being due to its being done, over the last minute.'));
    this.inference = r.add(new Summary('weisu_inference_ms', 'Detector time per batch of frames (preprocess + ONNX + decode), over the last minute.'));
    this.batchSize = r.add(new Summary('weisu_inference_batch_size', 'Frames per detector call, over the last minute.'));
    this.incidents = r.add(new Counter('weisu_incidents_emitted_total', 'Rule events handed to the incidents queue, by type.'));
    this.active = r.add(new Gauge('weisu_jobs_active', 'Sampling jobs running now.'));
    this.viewChecks = r.add(
      new Counter('weisu_view_checks_total', 'Samples checked against their camera\'s reference views, by state (aligned, view_changed, obstructed) and reason: rules pause on all but aligned.'),
    );
    this.cameras = r.add(new Gauge('weisu_cameras', 'Cameras this worker sampled in the last 2 minutes, by health after its latest sample.'));
  }

  jobStarted(): void {
    this.active.set(++this.activeJobs);
  }

  jobDone(outcome: SampleOutcome, lagMs?: number, failure?: string): void {
    this.active.set(--this.activeJobs);
    this.samples.inc({ outcome });
    if (failure) this.failures.inc({ reason: failure });
    if (lagMs !== undefined) this.lag.observe(lagMs / 1000);
  }

  cameraHealth(cameraId: string, state: string): void {
    this.health.set(cameraId, { state, at: Date.now() });
  }

  private camerasByHealth(now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, h] of this.health) {
      if (now - h.at > 120_000) this.health.delete(id);
      else out[h.state] = (out[h.state] ?? 0) + 1;
    }
    return out;
  }

  render(): string {
    this.cameras.reset(Object.entries(this.camerasByHealth(Date.now())).map(([health, n]) => [{ health }, n]));
    return this.registry.render();
  }

  report(): WorkerReport {
    const now = Date.now();
    const ms = (q: Record<string, number>) => Object.fromEntries(Object.entries(q).map(([k, v]) => [k, Number.isNaN(v) ? 0 : Math.round(v * 1000)]));
    const inf = this.inference.quantiles(now);
    const batches = this.batchSize.recent(now);
    return {
      id: this.id,
      host: hostname(),
      pid: process.pid,
      startedAt: this.startedAt,
      heartbeat: now,
      concurrency: this.concurrency,
      active: this.activeJobs,
      samplesPerSec: this.lag.rate(now),
      lagMs: ms(this.lag.quantiles(now)),
      inferenceMs: Object.fromEntries(Object.entries(inf).map(([k, v]) => [k, Number.isNaN(v) ? 0 : Math.round(v)])),
      meanBatch: batches.length ? batches.reduce((a, b) => a + b, 0) / batches.length : 0,
      outcomes: Object.fromEntries(this.samples.entries().map((e) => [e.labels.outcome!, e.value])),
      failures: Object.fromEntries(this.failures.entries().map((e) => [e.labels.reason!, e.value])),
      incidents: this.incidents.entries().reduce((a, e) => a + e.value, 0),
      camerasByHealth: this.camerasByHealth(now),
    };
  }
}
