import type { PatrolConfig } from './schema.js';
import type { PtzStatus, PtzVector } from './client.js';

/**
 * A patrol as a pure state machine: (plan, state, the head's status, now) → (state, which preset to go to).
 * The runner (patrol_runner.ts) polls the dome and carries out the commands; workers read only the
 * published `PatrolPosition` and sample while it says `sampling`. No IO and no clock here: time is passed in.
 *
 * going → (head idle at the preset) settling → (settle elapsed) sampling → (stay elapsed) going to the next
 * stop. A head that moves, or stands off its preset, while weisu did not send it anywhere is an operator at
 * the joystick: the patrol yields (`manual`) and goes back to its stop once the head has been still for
 * `manual_idle`.
 */
export type PatrolPhase = 'going' | 'settling' | 'sampling' | 'manual';

export interface PatrolState {
  /** Index of the current stop in the plan. */
  stop: number;
  phase: PatrolPhase;
  /** When the phase began (ms). */
  since: number;
  /** Manual control: when the head was last seen moving, and where it stood then. */
  lastMoveAt?: number;
  lastPosition?: PtzVector;
}

/** What workers read: where the dome is in its patrol, as of `at`. */
export interface PatrolPosition {
  preset: string;
  phase: PatrolPhase;
  since: number;
  at: number;
}

/** Closer than this on every axis (ONVIF generic spaces) is "at the preset": domes return within ~0.1°. */
export const AT_PRESET_TOLERANCE = 0.01;
/** A GotoPreset not arrived within this is sent again (a lost request, a head that was still busy). */
export const GOTO_RETRY_MS = 30_000;

export function startPatrol(now: number): { state: PatrolState; goto: number } {
  return { state: { stop: 0, phase: 'going', since: now }, goto: 0 };
}

const near = (a: PtzVector, b: PtzVector) => Math.abs(a.pan - b.pan) <= AT_PRESET_TOLERANCE && Math.abs(a.tilt - b.tilt) <= AT_PRESET_TOLERANCE && Math.abs(a.zoom - b.zoom) <= AT_PRESET_TOLERANCE;

/**
 * One poll of the head. `presetAt` is where each preset is (from GetPresets; absent when the camera does not
 * say, and then arrival and manual control are read from MoveStatus alone). Returns the next state and, when
 * the head must be sent somewhere, the index of the stop to go to.
 */
export function nextPatrol(plan: PatrolConfig, state: PatrolState, status: PtzStatus, now: number, presetAt: (token: string) => PtzVector | undefined): { state: PatrolState; goto?: number } {
  const stop = plan.stops[state.stop]!;
  const target = presetAt(stop.preset);
  const offPreset = target !== undefined && status.position !== undefined && !near(status.position, target);
  const position = status.position ? { lastPosition: status.position } : {};
  const manual = (): { state: PatrolState } => ({ state: { stop: state.stop, phase: 'manual', since: now, lastMoveAt: now, ...position } });

  switch (state.phase) {
    case 'going':
      if (!status.moving && !offPreset) return { state: { stop: state.stop, phase: 'settling', since: now } };
      if (now - state.since >= GOTO_RETRY_MS) return { state: { stop: state.stop, phase: 'going', since: now }, goto: state.stop };
      return { state };
    case 'settling':
      if (status.moving || offPreset) return manual();
      if (now - state.since >= stop.settle) return { state: { stop: state.stop, phase: 'sampling', since: now } };
      return { state };
    case 'sampling': {
      if (status.moving || offPreset) return manual();
      if (now - state.since < stop.stay) return { state };
      const next = (state.stop + 1) % plan.stops.length;
      return { state: { stop: next, phase: 'going', since: now }, goto: next };
    }
    case 'manual': {
      const moved = status.moving || (status.position !== undefined && state.lastPosition !== undefined && !near(status.position, state.lastPosition));
      const lastMoveAt = moved ? now : (state.lastMoveAt ?? state.since);
      if (now - lastMoveAt >= plan.manual_idle) return { state: { stop: state.stop, phase: 'going', since: now }, goto: state.stop };
      return { state: { ...state, lastMoveAt, ...position } };
    }
  }
}

/** What workers read of a state. */
export function patrolPosition(plan: PatrolConfig, state: PatrolState, now: number): PatrolPosition {
  return { preset: plan.stops[state.stop]!.preset, phase: state.phase, since: state.since, at: now };
}
