import { log } from '../core/log.js';
import type { UrlPolicy } from '../streams/policy.js';
import { OnvifClient, type PtzVector } from './client.js';
import { nextPatrol, patrolPosition, startPatrol, type PatrolPosition, type PatrolState } from './patrol.js';
import type { OnvifConfig, PatrolConfig } from './schema.js';

/**
 * Drives one dome on its patrol: polls GetStatus, steps the pure plan (patrol.ts), sends GotoPreset when
 * it says so, and publishes where the patrol is after every poll (workers sample only while it says
 * `sampling`, and treat a position older than `PATROL_STALE_MS` as unknown). ONVIF failures are logged
 * (never the password) and retried on the next poll, reconnecting first. One runner per patrolling camera,
 * in the process that runs the scheduler.
 */
export const PATROL_STALE_MS = 10_000;

export interface PatrolCamera {
  id: string;
  onvif: OnvifConfig;
  patrol: PatrolConfig;
}

export interface PatrolRunnerOptions {
  policy: UrlPolicy;
  publish: (cameraId: string, position: PatrolPosition) => Promise<void>;
  /** Time between polls of the head (default 1 s). */
  pollMs?: number;
}

export class PatrolRunner {
  private timer: NodeJS.Timeout | undefined;
  private client: OnvifClient | undefined;
  private presets = new Map<string, PtzVector>();
  private state: PatrolState | undefined;
  private running: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    readonly camera: PatrolCamera,
    private readonly o: PatrolRunnerOptions,
  ) {}

  start(): void {
    const tick = () => {
      this.running = this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.o.pollMs ?? 1000);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async poll(): Promise<void> {
    const { id, onvif, patrol } = this.camera;
    try {
      if (!this.client) {
        this.client = await OnvifClient.connect(onvif, { policy: this.o.policy, timeoutMs: onvif.timeout });
        this.presets = new Map((await this.client.presets()).flatMap((p) => (p.position ? [[p.token, p.position] as const] : [])));
      }
      const now = Date.now();
      let goto: number | undefined;
      if (!this.state) ({ state: this.state, goto } = startPatrol(now));
      else {
        const before = this.state.phase;
        ({ state: this.state, goto } = nextPatrol(patrol, this.state, await this.client.status(), now, (t) => this.presets.get(t)));
        if (this.state.phase !== before && (this.state.phase === 'manual' || before === 'manual')) {
          log.info({ camera: id, phase: this.state.phase }, this.state.phase === 'manual' ? 'dome moved by someone else: patrol paused' : 'dome idle again: patrol resumes');
        }
      }
      if (goto !== undefined) await this.client.gotoPreset(patrol.stops[goto]!.preset);
      await this.o.publish(id, patrolPosition(patrol, this.state, Date.now()));
      this.failing = false;
    } catch (e) {
      this.client = undefined;
      if (!this.failing) log.warn({ camera: id, err: (e as Error).message }, 'patrol: the dome did not answer; retrying');
      this.failing = true;
    }
  }
}

/** Whether a published position lets a worker sample now, and at which preset. */
export function samplingPreset(position: PatrolPosition | undefined, now: number): string | undefined {
  return position && position.phase === 'sampling' && now - position.at <= PATROL_STALE_MS ? position.preset : undefined;
}
