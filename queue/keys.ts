/**
 * Every Redis key weisu writes besides BullMQ's own, in one place. All start with the configured hash tag
 * (`{weisu}` by default), so in Redis Cluster they share one slot with the queues and Lua scripts may
 * touch several of them atomically.
 */
export interface Keys {
  prefix: string;
  /** Hash: camera id → JSON CameraSpec (what a sampling job needs), maintained by the scheduler. */
  cameras: string;
  /** Hash: camera id → JSON CameraHealth, written by whichever worker sampled the camera last. */
  health: string;
  /** Hash: camera id → JSON CameraView (queue/views.ts): does the camera show its reference view, since when. */
  views: string;
  /** Hash: camera id → JPEG (base64) of the first sample of its current view change or obstruction. */
  viewPictures: string;
  /** Hash: camera id → JSON PatrolPosition (onvif/patrol.ts): where a patrolling dome is, written by its patrol runner. */
  patrols: string;
  /** Hash: camera id → JSON LastSample (when, by whom, lag, outcome). */
  lastSample: string;
  /** Hash: worker id → JSON WorkerReport (heartbeat + metrics snapshot), read by `weisu status`. */
  workers: string;
  /** Versioned rule state of one camera (tracks, dwell clocks, events not yet handed on). */
  state(cameraId: string): string;
  /** Lease held while one sample of a camera runs, so the next one is skipped instead of piling up. */
  busy(cameraId: string): string;
  /**
   * Hash of the first-seen evidence of stays not yet confirmed or over: `f:<ts>` → JSON EvidenceFrame of a
   * sample at which stays began, `i:<incident id>` → that ts.
   */
  firstFrames(cameraId: string): string;
  /** Lock so that of several `weisu serve` instances only one reconciles schedules at a time. */
  schedulerLock: string;
}

export function redisKeys(prefix: string): Keys {
  return {
    prefix,
    cameras: `${prefix}:cameras`,
    health: `${prefix}:health`,
    views: `${prefix}:views`,
    viewPictures: `${prefix}:view-pictures`,
    patrols: `${prefix}:patrols`,
    lastSample: `${prefix}:last-sample`,
    workers: `${prefix}:workers`,
    state: (id) => `${prefix}:state:${id}`,
    busy: (id) => `${prefix}:busy:${id}`,
    firstFrames: (id) => `${prefix}:first-frames:${id}`,
    schedulerLock: `${prefix}:scheduler-lock`,
  };
}
