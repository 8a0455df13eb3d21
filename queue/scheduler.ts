import { createHash, randomUUID } from 'node:crypto';
import type { CameraConfig } from '../config/schema.js';
import type { ReferencePicture } from '../align/aligner.js';
import type { CalibrationSet } from '../rules/calibration.js';
import { log } from '../core/log.js';
import { toSpec, type SampledCamera, type ScheduledCamera } from './cameras.js';
import type { Keys } from './keys.js';
import { SAMPLE_JOB_OPTS, type Queues } from './queues.js';
import type { RedisClient } from './redis.js';
import { deleteState } from './rule_state.js';
import { presetStateKey } from './patrols.js';

/**
 * Keeps exactly one BullMQ job scheduler per enabled camera, at its `sample_every`, and the camera specs
 * workers read, in step with the cameras the store holds. Reconciling is idempotent and done under a Redis
 * lock, so several `weisu serve` instances on one Redis agree instead of doubling the schedule; it runs on
 * start, whenever cameras change, after Redis comes back (a restarted Redis may have lost everything),
 * and periodically as a safety net (it also revives a schedule whose chain broke because a worker died
 * between taking a job and scheduling the next).
 */
export interface SchedulerOptions {
  redis: RedisClient;
  keys: Keys;
  queues: Queues;
  /** The cameras as the store knows them now, with their origin (`managed_by`; absent: the config file's). */
  listCameras(): Promise<ScheduledCamera[]>;
  /** The labelled bin-site examples of a camera, by zone (workers judge with them; they cannot read the store). */
  calibrationOf?(camera: CameraConfig): Promise<Record<string, CalibrationSet>>;
  /** The camera's reference views (one per PTZ preset), published so workers check each sample against them. */
  referencesOf?(camera: CameraConfig): Promise<ReferencePicture[]>;
  /** Patrolling domes' runners, kept in step with the cameras on every pass. */
  patrols?: { sync(cameras: ScheduledCamera[]): void };
  /** Safety-net period. */
  everyMs?: number;
}

export interface ReconcileReport {
  added: string[];
  updated: string[];
  removed: string[];
  revived: string[];
}

/**
 * Where in its interval a camera is sampled: spread by a hash of its id, so a thousand cameras at 10 s
 * make a steady 100 samples/s rather than a burst of a thousand every tenth second. Stable, so every
 * serve instance computes the same schedule.
 */
export function phase(cameraId: string, everyMs: number): number {
  const h = createHash('sha256').update(cameraId).digest().readUInt32BE(0);
  return h % everyMs;
}

const UNLOCK = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export class Scheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport | null>;
  private again = false;
  private readonly onReady = () => void this.reconcileSoon();

  constructor(private readonly opts: SchedulerOptions) {}

  async start(): Promise<ReconcileReport | null> {
    const first = await this.reconcile();
    this.timer = setInterval(() => void this.reconcileSoon(), this.opts.everyMs ?? 5000);
    this.timer.unref();
    this.opts.redis.on('ready', this.onReady);
    return first;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.opts.redis.off('ready', this.onReady);
    await this.running;
  }

  /** Call when cameras were added, changed or removed; coalesces bursts of changes into one more pass. */
  async reconcileSoon(): Promise<void> {
    if (this.running) {
      this.again = true;
      await this.running;
      return;
    }
    do {
      this.again = false;
      await this.reconcile().catch((e: Error) => log.warn({ err: e.message }, 'schedule reconcile failed; retrying later'));
    } while (this.again);
  }

  async reconcile(): Promise<ReconcileReport | null> {
    if (this.running) return this.running;
    this.running = this.locked(() => this.pass());
    try {
      return await this.running;
    } finally {
      this.running = undefined;
    }
  }

  /** Runs fn holding the fleet-wide scheduler lock; waits up to a few seconds for another instance's pass. */
  private async locked(fn: () => Promise<ReconcileReport>): Promise<ReconcileReport | null> {
    const { redis, keys } = this.opts;
    const token = randomUUID();
    for (let i = 0; i < 50; i++) {
      if ((await redis.set(keys.schedulerLock, token, 'PX', 30_000, 'NX')) === 'OK') {
        try {
          return await fn();
        } finally {
          await redis.eval(UNLOCK, 1, keys.schedulerLock, token).catch(() => undefined);
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  }

  private async pass(): Promise<ReconcileReport> {
    const { redis, keys, queues } = this.opts;
    const report: ReconcileReport = { added: [], updated: [], removed: [], revived: [] };
    const wanted = new Map((await this.opts.listCameras()).filter((c) => c.enabled).map((c) => [c.id, c]));
    this.opts.patrols?.sync([...wanted.values()]);
    const specs = await redis.hgetall(keys.cameras);
    const schedulers = new Map((await queues.samples.getJobSchedulers(0, -1)).map((s) => [s.key, s]));
    const now = Date.now();

    for (const [id, cam] of wanted) {
      // A file camera keeps playing from where it is unless its URL changed.
      const prev = specs[id] ? (JSON.parse(specs[id]) as SampledCamera) : undefined;
      const calibration = cam.zones.some((z) => z.kind === 'bin_site') ? await this.opts.calibrationOf?.(cam) : undefined;
      const references = await this.opts.referencesOf?.(cam);
      const spec = JSON.stringify(toSpec(cam, prev && prev.url === cam.url ? prev.epoch : now, calibration, references));
      const s = schedulers.get(id);
      const specChanged = specs[id] !== undefined && specs[id] !== spec;
      // The spec first: the first job of a new schedule must find it.
      if (specs[id] !== spec) await redis.hset(keys.cameras, id, spec);
      let why: 'added' | 'updated' | 'revived' | undefined;
      if (!s) why = 'added';
      else if (Number(s.every) !== cam.sample_every) why = 'updated';
      else if (s.next !== undefined && s.next < now - 2 * cam.sample_every && !(await this.pendingIteration(id, s.next))) why = 'revived';
      if (why) {
        await queues.samples.upsertJobScheduler(
          id,
          { every: cam.sample_every, offset: phase(id, cam.sample_every) },
          { name: 'sample', data: { cameraId: id }, opts: SAMPLE_JOB_OPTS },
        );
        report[why].push(id);
      } else if (specChanged) report.updated.push(id);
    }
    for (const id of new Set([...schedulers.keys(), ...Object.keys(specs)])) {
      if (wanted.has(id)) continue;
      await queues.samples.removeJobScheduler(id);
      await redis.hdel(keys.cameras, id);
      await redis.hdel(keys.health, id);
      await redis.hdel(keys.lastSample, id);
      await deleteState(redis, keys, id);
      const gone = specs[id] ? (JSON.parse(specs[id]) as SampledCamera) : undefined;
      for (const stop of gone?.patrol?.stops ?? []) await deleteState(redis, keys, presetStateKey(id, stop.preset));
      await redis.hdel(keys.patrols, id);
      report.removed.push(id);
    }
    if (report.added.length + report.updated.length + report.removed.length + report.revived.length > 0) {
      log.info(report, 'sampling schedules reconciled');
    }
    return report;
  }

  /**
   * Whether the scheduler's latest iteration is still waiting or running (its worker schedules the next).
   * Otherwise the chain broke — a worker died between taking the job and scheduling the next, and the
   * stalled check has since failed that job — and the schedule must be revived.
   */
  private async pendingIteration(id: string, next: number): Promise<boolean> {
    const state = await this.opts.queues.samples.getJobState(`repeat:${id}:${next}`);
    return state === 'delayed' || state === 'waiting' || state === 'prioritized' || state === 'active';
  }
}
