/**
 * How the virtual PTZ camera's head moves: pan, tilt and zoom in ONVIF's generic spaces (pan and tilt
 * -1..1, zoom 0..1), each axis driven at a finite speed towards an absolute target or at a velocity for a
 * while (ContinuousMove with its timeout). Time is passed in (ms), so the model is a pure function of the
 * calls made on it and the times they were made at.
 */
export interface PtzPosition {
  pan: number;
  tilt: number;
  zoom: number;
}

const AXES = ['pan', 'tilt', 'zoom'] as const;
const RANGE: Record<(typeof AXES)[number], [number, number]> = { pan: [-1, 1], tilt: [-1, 1], zoom: [0, 1] };
const clamp = (axis: (typeof AXES)[number], v: number) => Math.min(RANGE[axis][1], Math.max(RANGE[axis][0], v));

export class PtzMotion {
  private at: PtzPosition;
  private target: PtzPosition | undefined;
  private velocity: PtzPosition | undefined;
  private velocityUntil = 0;
  /** The current move's share of full speed (ONVIF's Speed on an absolute move). */
  private factor = 1;
  private t: number;

  /** `speed`: units per second at full speed on each axis (a real dome crosses its pan range in seconds). */
  constructor(
    start: PtzPosition,
    now: number,
    private readonly speed: PtzPosition = { pan: 0.8, tilt: 0.8, zoom: 0.5 },
  ) {
    this.at = { ...start };
    this.t = now;
  }

  /** Where the head is at `now` (advances the model to `now`). */
  position(now: number): PtzPosition {
    this.advance(now);
    return { ...this.at };
  }

  moving(now: number): boolean {
    this.advance(now);
    return this.target !== undefined || this.velocity !== undefined;
  }

  /** Absolute move; `speedFactor` 0..1 scales the head's speed (ONVIF's Speed, default full). */
  moveTo(target: PtzPosition, now: number, speedFactor = 1): void {
    this.advance(now);
    this.velocity = undefined;
    this.factor = Math.min(1, Math.max(0.05, speedFactor));
    this.target = { pan: clamp('pan', target.pan), tilt: clamp('tilt', target.tilt), zoom: clamp('zoom', target.zoom) };
  }

  /** Continuous move at `velocity` (-1..1 of full speed per axis) until `untilMs` or a stop. */
  moveAt(velocity: PtzPosition, now: number, untilMs: number): void {
    this.advance(now);
    this.target = undefined;
    this.velocity = { pan: clamp('pan', velocity.pan), tilt: clamp('tilt', velocity.tilt), zoom: Math.min(1, Math.max(-1, velocity.zoom)) };
    this.velocityUntil = untilMs;
  }

  stop(now: number): void {
    this.advance(now);
    this.target = undefined;
    this.velocity = undefined;
  }

  private advance(now: number): void {
    const end = this.velocity ? Math.min(now, this.velocityUntil) : now;
    const dt = Math.max(0, end - this.t) / 1000;
    if (this.target) {
      let arrived = true;
      for (const a of AXES) {
        const step = this.speed[a] * this.factor * dt;
        const d = this.target[a] - this.at[a];
        if (Math.abs(d) <= step) this.at[a] = this.target[a];
        else (this.at[a] += Math.sign(d) * step), (arrived = false);
      }
      if (arrived) this.target = undefined;
    } else if (this.velocity) {
      for (const a of AXES) this.at[a] = clamp(a, this.at[a] + this.velocity[a] * this.speed[a] * dt);
      if (now >= this.velocityUntil) this.velocity = undefined;
    }
    this.t = Math.max(this.t, now);
  }
}
