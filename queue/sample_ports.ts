import { StoreUnavailableError } from '../core/errors.js';
import type { IncidentMessage, ViewChangeMessage } from '../core/types.js';
import type { CameraHealth } from '../streams/health.js';
import { readCamera } from './cameras.js';
import { redisFirstFrames } from './first_frames.js';
import type { Keys } from './keys.js';
import { acquireLease } from './lease.js';
import { emitIncident, emitViewChange, type Queues } from './queues.js';
import type { RedisClient } from './redis.js';
import { clearPending, commitState, loadState } from './rule_state.js';
import { readView, writeView, type CameraView } from './views.js';
import { readPatrol } from './patrols.js';

/**
 * The sampling job's ports (pipeline/ports.ts) on Redis and BullMQ: cameras and leases, the versioned rule
 * state (compare-and-set in Lua), first-seen frames, health, view state and its changes (`view_changes` queue), and the `incidents` queue. Every failure of a
 * Redis call surfaces as `StoreUnavailableError`. The shapes match pipeline/ports.ts structurally (queue/
 * does not import pipeline/); pipeline/worker_host.ts assigns them to the port types, which checks them.
 */
export function redisSamplePorts(redis: RedisClient, keys: Keys, queues: Pick<Queues, 'incidents' | 'viewChanges'>, evidenceTtlMs: number) {
  const firstFrames = redisFirstFrames(redis, keys, evidenceTtlMs);
  return guarded({
    cameras: {
      read: (cameraId: string) => readCamera(redis, keys, cameraId),
      lease: (cameraId: string, ttlMs: number) => acquireLease(redis, keys.busy(cameraId), ttlMs),
      recordSample: async (cameraId: string, last: object) => void (await redis.hset(keys.lastSample, cameraId, JSON.stringify(last))),
    },
    ruleState: {
      load: (cameraId: string) => loadState(redis, keys, cameraId),
      commit: (cameraId: string, expected: number, next: Parameters<typeof commitState>[4]) => commitState(redis, keys, cameraId, expected, next),
      clearPending: (cameraId: string, version: number, others: Parameters<typeof clearPending>[4]) => clearPending(redis, keys, cameraId, version, others),
    },
    firstFrames,
    health: {
      read: async (cameraId: string) => {
        const raw = await redis.hget(keys.health, cameraId);
        return raw ? (JSON.parse(raw) as CameraHealth) : undefined;
      },
      save: async (cameraId: string, health: CameraHealth) => void (await redis.hset(keys.health, cameraId, JSON.stringify(health))),
    },
    views: {
      read: (cameraId: string) => readView(redis, keys, cameraId),
      save: (cameraId: string, view: CameraView, picture: () => Promise<Buffer>) => writeView(redis, keys, cameraId, view, picture),
      announce: (msg: ViewChangeMessage) => emitViewChange(queues.viewChanges, msg),
    },
    incidents: { emit: (msg: IncidentMessage) => emitIncident(queues.incidents, msg) },
    patrols: { read: (cameraId: string) => readPatrol(redis, keys, cameraId) },
  });
}

type Port = Record<string, (...args: never[]) => Promise<unknown>>;

/** Each port's methods, their failures turned into `StoreUnavailableError` naming the call. */
function guarded<T extends Record<string, Port>>(ports: T): T {
  const out: Record<string, Port> = {};
  for (const [name, port] of Object.entries(ports)) {
    out[name] = Object.fromEntries(
      Object.entries(port).map(([method, fn]) => [
        method,
        async (...args: never[]) => {
          try {
            return await fn(...args);
          } catch (e) {
            throw new StoreUnavailableError(`redis (${name}.${method})`, e);
          }
        },
      ]),
    );
  }
  return out as T;
}
