import type { IncidentMessage } from '../core/types.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * One camera's rule state in Redis, versioned. A worker loads it, steps the rules, and commits only if
 * nobody committed since (compare-and-set in one Lua call), so two workers can never interleave updates
 * or count a sample twice. Events travel inside the same commit (`pending`, since `pendingAt`) and are
 * cleared only after they reached the `incidents` queue: a worker dying in between leaves them for a later
 * sample to send.
 */
export interface StoredState {
  /** 0 when the camera has no state yet. */
  version: number;
  /** The rules' own JSON state (rules/camera_rules.ts); opaque here. */
  rules: unknown;
  /** Incident messages committed but not yet known to be queued. */
  pending: IncidentMessage[];
  /** When the oldest of them was committed. */
  pendingAt?: number;
  /** Source time of the last sample applied; older samples arriving late are dropped. */
  ts?: number;
}

/** Untouched for this long, a camera's state is forgotten (it was removed or has been dark for a week). */
const STATE_TTL_MS = 7 * 86_400_000;

const COMMIT = `
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then return -1 end
local nv = tonumber(v) + 1
redis.call('HSET', KEYS[1], 'v', nv, 'rules', ARGV[2], 'pending', ARGV[3], 'ts', ARGV[4], 'pendingAt', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return nv`;

// Leaves the version alone: a sample stepping meanwhile still commits (carrying the messages, re-sent later
// under the same job ids, which BullMQ ignores).
const SET_PENDING = `
local v = redis.call('HGET', KEYS[1], 'v') or '0'
if v ~= ARGV[1] then return -1 end
redis.call('HSET', KEYS[1], 'pending', ARGV[2], 'pendingAt', ARGV[3])
return 1`;

export async function loadState(redis: RedisClient, keys: Keys, cameraId: string): Promise<StoredState> {
  const h = await redis.hgetall(keys.state(cameraId));
  if (!h.v) return { version: 0, rules: undefined, pending: [] };
  return {
    version: Number(h.v),
    rules: h.rules ? JSON.parse(h.rules) : undefined,
    pending: h.pending ? (JSON.parse(h.pending) as IncidentMessage[]) : [],
    pendingAt: h.pendingAt ? Number(h.pendingAt) : undefined,
    ts: h.ts ? Number(h.ts) : undefined,
  };
}

/** Commits `next` if the state is still at `expected`; returns the new version, or null when another worker got there first. */
export async function commitState(
  redis: RedisClient,
  keys: Keys,
  cameraId: string,
  expected: number,
  next: { rules: unknown; pending: IncidentMessage[]; pendingAt?: number; ts: number },
): Promise<number | null> {
  const args = [String(expected), JSON.stringify(next.rules ?? null), JSON.stringify(next.pending), String(next.ts), String(STATE_TTL_MS), next.pending.length ? String(next.pendingAt ?? Date.now()) : ''];
  const out = Number(await redis.eval(COMMIT, 1, keys.state(cameraId), ...args));
  return out < 0 ? null : out;
}

/**
 * Marks the messages a sample committed at `version` as sent, keeping `others` (carried from earlier samples,
 * still another worker's to send) pending; false when the state moved on (a later sample resends them, idempotently).
 */
export async function clearPending(
  redis: RedisClient,
  keys: Keys,
  cameraId: string,
  version: number,
  others: { pending: IncidentMessage[]; pendingAt?: number } = { pending: [] },
): Promise<boolean> {
  const at = others.pending.length ? String(others.pendingAt ?? Date.now()) : '';
  return Number(await redis.eval(SET_PENDING, 1, keys.state(cameraId), String(version), JSON.stringify(others.pending), at)) >= 0;
}

export async function deleteState(redis: RedisClient, keys: Keys, cameraId: string): Promise<void> {
  await redis.del(keys.state(cameraId), keys.busy(cameraId), keys.firstFrames(cameraId));
}
