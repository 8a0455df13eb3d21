import type { Frame } from '../core/types.js';
import { StreamError, isPermanent, type StreamErrorReason } from './errors.js';
import { redactText } from './redact.js';

/**
 * Camera health as pure bookkeeping: state in, outcome in, state out. Workers are stateless (the queue
 * stores this per camera), so nothing here keeps memory, reads the clock or does IO.
 *
 *   online       last grab gave a frame
 *   degraded     failing, but fewer than `offlineAfter` times in a row (a blip: keep trying soon)
 *   offline      failing `offlineAfter`+ times in a row (unreachable, silent, dropped)
 *   auth_failed  the camera refused the credentials
 *   unsupported  reachable but not something weisu can read (web page, garbage, unknown codec, bad URL)
 *
 * Every failure sets `retryAt` = now + exponential backoff with jitter, so a fleet of cameras that fail
 * together does not retry in lock-step, and a camera that comes back is picked up within one step.
 */
export type HealthState = 'online' | 'degraded' | 'offline' | 'auth_failed' | 'unsupported';

export interface CameraHealth {
  state: HealthState;
  /** Source time of the last frame. */
  lastFrameAt?: number;
  /** Redacted message of the last failure (cleared by a frame). */
  lastError?: string;
  /** Why the last grab failed (StreamError reason), cleared by a frame. */
  reason?: StreamErrorReason;
  /** When the current run of failures started (to say "offline for 2 h"). */
  failingSince?: number;
  consecutiveFailures: number;
  /** Do not try before this (ms epoch); undefined when online. */
  retryAt?: number;
  width?: number;
  height?: number;
  codec?: string;
  keyframeIntervalMs?: number;
  /** Open to picture of the last good grab. */
  latencyMs?: number;
}

export type HealthOutcome =
  | { ok: true; at: number; frame?: Pick<Frame, 'ts' | 'width' | 'height'>; codec?: string; keyframeIntervalMs?: number; latencyMs?: number }
  | { ok: false; at: number; error: unknown };

export interface BackoffPolicy {
  /** First retry delay. */
  baseMs: number;
  /** Cap: the longest a camera that comes back waits to be noticed. */
  maxMs: number;
  /** ± fraction of the delay drawn at random. */
  jitter: number;
  /** Consecutive failures after which a camera is offline rather than degraded. */
  offlineAfter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 5_000, maxMs: 300_000, jitter: 0.2, offlineAfter: 3 };

/** Delay before retry number `failures` (1-based): base × 2^(failures−1), capped, jittered. */
export function backoffMs(failures: number, policy: BackoffPolicy = DEFAULT_BACKOFF, rng: () => number = Math.random): number {
  const raw = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(30, Math.max(0, failures - 1)));
  return Math.round(raw * (1 + policy.jitter * (2 * rng() - 1)));
}

function stateFor(reason: StreamErrorReason | undefined, failures: number, policy: BackoffPolicy): HealthState {
  if (reason === 'auth_failed') return 'auth_failed';
  if (reason === 'unsupported' || reason === 'bad_data' || reason === 'bad_url' || reason === 'blocked') return 'unsupported';
  return failures >= policy.offlineAfter ? 'offline' : 'degraded';
}

export function nextHealth(prev: CameraHealth | undefined, outcome: HealthOutcome, rng: () => number = Math.random, policy: BackoffPolicy = DEFAULT_BACKOFF): CameraHealth {
  if (outcome.ok) {
    const f = outcome.frame;
    return {
      state: 'online',
      lastFrameAt: f?.ts ?? outcome.at,
      consecutiveFailures: 0,
      width: f?.width ?? prev?.width,
      height: f?.height ?? prev?.height,
      codec: outcome.codec ?? prev?.codec,
      keyframeIntervalMs: outcome.keyframeIntervalMs ?? prev?.keyframeIntervalMs,
      latencyMs: outcome.latencyMs,
    };
  }
  const e = outcome.error;
  const reason = e instanceof StreamError ? e.reason : undefined;
  if (reason === 'aborted' && prev) return prev; // cancelled by us (shutdown): says nothing about the camera
  const failures = (prev?.consecutiveFailures ?? 0) + 1;
  // Settings errors will not heal by themselves: retry at the slow end so a fixed camera is still found.
  const delay = reason && isPermanent(reason) ? Math.max(backoffMs(failures, policy, rng), Math.min(policy.maxMs, 60_000)) : backoffMs(failures, policy, rng);
  return {
    ...prev,
    state: stateFor(reason, failures, policy),
    lastError: redactText(e instanceof Error ? e.message : String(e)).slice(0, 500),
    reason: reason ?? 'failed',
    failingSince: prev?.consecutiveFailures ? (prev.failingSince ?? outcome.at) : outcome.at,
    consecutiveFailures: failures,
    retryAt: outcome.at + delay,
  };
}

/** One line for logs and the CLI, e.g. `offline for 3 tries (unreachable: ...), next try in 40 s`. */
export function describeHealth(h: CameraHealth, now: number): string {
  if (h.state === 'online') return `online ${h.width ?? '?'}x${h.height ?? '?'} ${h.codec ?? ''}`.trim();
  const wait = h.retryAt !== undefined ? `, next try in ${Math.max(0, Math.round((h.retryAt - now) / 1000))} s` : '';
  return `${h.state} after ${h.consecutiveFailures} failed tr${h.consecutiveFailures === 1 ? 'y' : 'ies'} (${h.lastError ?? h.reason ?? 'unknown'})${wait}`;
}
