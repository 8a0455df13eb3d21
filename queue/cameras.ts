import type { CameraConfig } from '../config/schema.js';
import type { ReferencePicture } from '../align/aligner.js';
import type { CalibrationSet } from '../rules/calibration.js';
import { policyFor, type CameraOrigin } from '../streams/policy.js';
import type { StreamsConfig } from '../streams/schema.js';
import type { SourceOptions } from '../streams/source.js';
import type { Keys } from './keys.js';
import type { RedisClient } from './redis.js';

/**
 * What a sampling job needs to know about its camera, published in Redis by the scheduler so that workers
 * on any machine need neither the config file nor the store. Holds the camera's credentials: Redis is
 * trusted infrastructure (protect it with a password / TLS); nothing here is ever logged.
 */
export type SampledCamera = Pick<
  CameraConfig,
  'id' | 'name' | 'url' | 'username' | 'password' | 'transport' | 'loop' | 'timezone' | 'sample_every' | 'zones' | 'location' | 'patrol'
> & {
  /** Wall-clock ms at which a file camera's media time 0 is: every worker then replays it at the same position, like a live camera. */
  epoch: number;
  /** Bin sites' own labelled examples (embeddings by zone and label), when operators gave some. */
  calibration?: Record<string, CalibrationSet>;
  /** Views the zones were drawn on (one per PTZ preset): each sample is checked against them (align/). */
  references?: ReferencePicture[];
  /** Who defined the camera: workers judge its URL by the policy for that origin. A spec without it counts as `api`. */
  managed_by?: CameraOrigin;
};

/** A camera as the scheduler lists it; without `managed_by` it is the config file's (the store always says). */
export type ScheduledCamera = CameraConfig & { managed_by?: CameraOrigin };

export function toSpec(c: ScheduledCamera, epoch: number, calibration?: Record<string, CalibrationSet>, references?: ReferencePicture[]): SampledCamera {
  return {
    epoch,
    managed_by: c.managed_by ?? 'config',
    ...(calibration && Object.keys(calibration).length ? { calibration } : {}),
    ...(references?.length ? { references } : {}),
    id: c.id,
    name: c.name,
    url: c.url,
    username: c.username,
    password: c.password,
    transport: c.transport,
    loop: c.loop,
    timezone: c.timezone,
    sample_every: c.sample_every,
    zones: c.zones,
    location: c.location,
    ...(c.patrol ? { patrol: c.patrol } : {}),
  };
}

export async function readCamera(redis: RedisClient, keys: Keys, cameraId: string): Promise<SampledCamera | undefined> {
  const raw = await redis.hget(keys.cameras, cameraId);
  return raw ? (JSON.parse(raw) as SampledCamera) : undefined;
}

export async function readAllCameras(redis: RedisClient, keys: Keys): Promise<Map<string, string>> {
  return new Map(Object.entries(await redis.hgetall(keys.cameras)));
}

/**
 * How to open the camera's source (streams/source.ts `openSource`), with the URL policy for the camera's
 * origin: the worker judges the URL itself before contacting anything, whatever the API checked.
 */
export function sourceOptions(c: SampledCamera, streams: Pick<StreamsConfig, 'allow_networks' | 'allow_local_from_api'>, inferenceLongSide?: number): SourceOptions {
  return {
    policy: policyFor(streams, c.managed_by ?? 'api'),
    cameraId: c.id,
    url: c.url,
    username: c.username,
    password: c.password,
    transport: c.transport,
    loop: c.loop,
    epochMs: c.epoch,
    ...(inferenceLongSide ? { inferenceLongSide } : {}),
  };
}
