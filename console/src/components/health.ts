import type { CameraHealth, HealthState } from '../api/types.js';

const KNOWN: HealthState[] = ['online', 'degraded', 'offline', 'auth_failed', 'unsupported', 'unknown'];

/** The parts of a camera's health the console shows, whatever the casing the API used. */
export interface HealthView {
  /** A camera that gives pictures but not of the view its zones were drawn on says so: its rules are paused. */
  state: HealthState | 'view_changed' | 'obstructed' | 'disabled';
  /** Why the view is not the reference (no_match, moved, covered, defocused, too_dark), and since when. */
  viewReason?: string;
  viewSince?: number;
  lastFrameAt?: number;
  lastError?: string;
  failingSince?: number;
  failures?: number;
  width?: number;
  height?: number;
  codec?: string;
  latencyMs?: number;
}

function pick(h: Record<string, unknown>, camel: string, snake: string): unknown {
  return h[camel] ?? h[snake];
}

function time(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);

/** A camera that never reported is "unknown", not "offline"; a disabled one is "disabled" whatever it last said. */
export function readHealth(h: CameraHealth | undefined, enabled = true): HealthView {
  if (!enabled) return { state: 'disabled' };
  if (!h) return { state: 'unknown' };
  const r = h as Record<string, unknown>;
  const streams = KNOWN.includes(h.state) ? h.state : 'unknown';
  const paused = (streams === 'online' || streams === 'degraded') && (h.view?.state === 'view_changed' || h.view?.state === 'obstructed') ? h.view : undefined;
  return {
    state: paused ? (paused.state as 'view_changed' | 'obstructed') : streams,
    ...(paused ? { viewReason: paused.reason, viewSince: time(paused.since) } : {}),
    lastFrameAt: time(pick(r, 'lastFrameAt', 'last_frame_at')),
    lastError: str(pick(r, 'lastError', 'last_error')),
    failingSince: time(pick(r, 'failingSince', 'failing_since')),
    failures: num(pick(r, 'consecutiveFailures', 'consecutive_failures')),
    width: num(r.width),
    height: num(r.height),
    codec: str(r.codec),
    latencyMs: num(pick(r, 'latencyMs', 'latency_ms')),
  };
}
