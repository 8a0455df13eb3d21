import type { EvidenceFrame, IncidentMessage, ViewChangeMessage } from '../core/types.js';
import type { SampledCamera } from '../queue/cameras.js';
import type { CameraView } from '../queue/views.js';
import type { PatrolPosition } from '../onvif/patrol.js';
import type { CameraHealth } from '../streams/health.js';

/**
 * What the sampling job needs from the world beyond one frame, as small interfaces. `queue/sample_ports.ts`
 * implements them on Redis and BullMQ (any worker can take any camera's next sample); tests implement them
 * in memory (test/support/memory_ports.ts), so the job runs without Redis. Implementations report a store
 * that did not answer as `StoreUnavailableError` (core/errors.ts): the job counts that as reason `redis`.
 */

/** The cameras the schedule samples, and one lease per camera so two samples of it never overlap. */
export interface CameraPort {
  /** The camera as published for workers; undefined once it is no longer sampled. */
  read(cameraId: string): Promise<SampledCamera | undefined>;
  /** A self-renewing lease on the camera for `ttlMs`, or null while another sample holds it. */
  lease(cameraId: string, ttlMs: number): Promise<{ release(): Promise<void> } | null>;
  /** What became of the camera's latest sample (for `weisu status`). */
  recordSample(cameraId: string, last: LastSample): Promise<void>;
}

export interface LastSample {
  at: number;
  due: number;
  lagMs?: number;
  worker: string;
  outcome: string;
  reason?: string;
}

/** The camera's rule state between samples, versioned so that a commit lands only on the state it read. */
export interface StoredRuleState {
  /** 0 when the camera has no state yet. */
  version: number;
  /** The rules' own JSON state (rules/camera_rules.ts). */
  rules: unknown;
  /** Incident messages committed but not yet known to be queued. */
  pending: IncidentMessage[];
  /** When the oldest of them was committed. */
  pendingAt?: number;
  /** Source time of the last sample applied. */
  ts?: number;
}

export interface RuleStatePort {
  load(cameraId: string): Promise<StoredRuleState>;
  /** Commits `next` if the state is still at `expected`: the new version, or null when another sample got there first. */
  commit(cameraId: string, expected: number, next: { rules: unknown; pending: IncidentMessage[]; pendingAt?: number; ts: number }): Promise<number | null>;
  /** Marks this sample's messages sent, keeping `others` pending; false when the state moved on meanwhile. */
  clearPending(cameraId: string, version: number, others: { pending: IncidentMessage[]; pendingAt?: number }): Promise<boolean>;
}

/** The frame each open parking stay was first seen on: its first piece of evidence once confirmed. */
export interface FirstFramesPort {
  /** Keeps `frame` (taken at `ts`) as the first-seen frame of the stays that began on it. */
  keep(cameraId: string, ts: number, frame: EvidenceFrame, incidentIds: string[]): Promise<void>;
  get(cameraId: string, incidentId: string): Promise<EvidenceFrame | undefined>;
  /** Forgets the frames of every stay not in `open` (over, or confirmed). */
  keepOnly(cameraId: string, open: Set<string>): Promise<void>;
}

/** Each camera's health (backoff included), read before and written after every grab. */
export interface HealthPort {
  read(cameraId: string): Promise<CameraHealth | undefined>;
  save(cameraId: string, health: CameraHealth): Promise<void>;
}

/** Whether each camera shows its reference view, and the picture that first showed a change. */
export interface ViewPort {
  read(cameraId: string): Promise<CameraView | undefined>;
  /** Records the view; `picture` is asked for only when a change away from the reference begins. */
  save(cameraId: string, view: CameraView, picture: () => Promise<Buffer>): Promise<void>;
  /** Tells the alerts side (crews' webhooks) a view left its reference or came back; sending one message twice must be harmless. */
  announce(msg: ViewChangeMessage): Promise<void>;
}

/** Where confirmed and cleared events go (the alerts side); sending one message twice must be harmless. */
export interface IncidentSink {
  emit(msg: IncidentMessage): Promise<void>;
}

/** Where each patrolling dome is in its patrol (written by its patrol runner, onvif/patrol_runner.ts). */
export interface PatrolPort {
  read(cameraId: string): Promise<PatrolPosition | undefined>;
}

export interface SamplePorts {
  cameras: CameraPort;
  ruleState: RuleStatePort;
  firstFrames: FirstFramesPort;
  health: HealthPort;
  views: ViewPort;
  incidents: IncidentSink;
  patrols: PatrolPort;
}
