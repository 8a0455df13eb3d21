import type { Queue } from 'bullmq';
import type { BBox, BinObservation, Detections, EvidenceFrame, Frame, IncidentMessage, RuleEvent } from '../core/types.js';
import { WeisuError } from '../core/errors.js';
import { log } from '../core/log.js';
import { readCamera, sourceOptions, type SampledCamera } from '../queue/cameras.js';
import type { Keys } from '../queue/keys.js';
import { acquireLease } from '../queue/lease.js';
import { emitIncident, type RecheckJob, type RecheckResult } from '../queue/queues.js';
import type { RedisClient } from '../queue/redis.js';
import { clearPending, commitState, loadState } from '../queue/rule_state.js';
import type { SampleOutcome, WorkerMetrics } from '../queue/worker_metrics.js';
import type { CameraRuleState, CameraRulesInput } from '../rules/camera_rules.js';
import { boxIou } from '../core/geometry.js';
import type { BinSiteZone } from '../rules/schema.js';
import { nextHealth, type CameraHealth } from '../streams/health.js';
import { StreamError, type Source, type SourceOptions } from '../streams/source.js';
import { decide, perceive, type FrameEyes } from './frame_step.js';

/**
 * The sampling job: one camera, one frame. Grab → detect (batched with the worker's other cameras) →
 * bin observations → stepCamera on the camera's state from Redis → commit the state (compare-and-set)
 * with the events it produced → hand the events to the `incidents` queue with their evidence frames.
 * Stateless: anything a later sample needs (rule state, health, first-seen frames) lives in Redis, so any
 * worker can take any camera's next sample.
 */
export interface SampleDeps {
  redis: RedisClient;
  keys: Keys;
  incidents: Queue<IncidentMessage>;
  openSource(opts: SourceOptions): Source;
  /** One frame's detections; the caller batches concurrent calls into one detector run. */
  detect(frame: Frame, camera: SampledCamera): Promise<Detections>;
  /** Fill state of the camera's bin sites in this frame (with the sites' calibration when there is one). */
  observeBins?(frame: Frame, zones: BinSiteZone[], calibration?: SampledCamera['calibration']): Promise<Record<string, BinObservation>>;
  /** The plate of a confirmed parking incident, read from its evidence frames; absent when plate reading is off. */
  readPlate?(msg: IncidentMessage): Promise<NonNullable<IncidentMessage['plate']>>;
  metrics: WorkerMetrics;
  /** Long side of the scaled copy sources decode for inference (the detector's input). */
  inferenceLongSide?: number;
  /** How long a stay's first-seen frame is kept at most (it is dropped as soon as the stay ends). */
  evidenceTtlMs: number;
  workerId: string;
}

export interface SampleResult {
  outcome: SampleOutcome;
  reason?: string;
  lagMs?: number;
  events?: { type: RuleEvent['type']; incidentId: string }[];
}

/**
 * Lease on a camera while its sample runs (renewed meanwhile): long enough to ride out a Redis hiccup,
 * short enough that a killed worker's camera is free again by its next sample.
 */
const leaseMs = (everyMs: number) => Math.min(10_000, Math.max(1000, Math.round(everyMs * 0.75)));

export async function processSample(deps: SampleDeps, job: { cameraId: string; due: number }, signal?: AbortSignal): Promise<SampleResult> {
  const { redis, keys, metrics } = deps;
  metrics.jobStarted();
  let result: SampleResult = { outcome: 'failed', reason: 'internal' };
  try {
    result = await sampleOnce(deps, job, signal);
    return result;
  } catch (e) {
    const reason =
      (e as { reason?: string }).reason ?? (e instanceof WeisuError ? e.code : /redis|connection|ECONN|ETIMEDOUT/i.test((e as Error).message) ? 'redis' : 'internal');
    log.warn({ camera: job.cameraId, reason, err: (e as Error).message }, 'sample failed');
    result = { outcome: 'failed', reason };
    return result;
  } finally {
    const lagMs = result.outcome === 'ok' || result.outcome === 'failed' ? Date.now() - job.due : undefined;
    result.lagMs = lagMs;
    metrics.jobDone(result.outcome, lagMs, result.outcome === 'failed' ? result.reason : undefined);
    if (result.outcome !== 'removed') {
      const last = { at: Date.now(), due: job.due, lagMs, worker: deps.workerId, outcome: result.outcome, reason: result.reason };
      await redis.hset(keys.lastSample, job.cameraId, JSON.stringify(last)).catch(() => undefined);
    }
  }
}

async function sampleOnce(deps: SampleDeps, job: { cameraId: string; due: number }, signal?: AbortSignal): Promise<SampleResult> {
  const { redis, keys } = deps;
  const camera = await readCamera(redis, keys, job.cameraId);
  if (!camera) return { outcome: 'removed' };
  const lease = await acquireLease(redis, keys.busy(camera.id), leaseMs(camera.sample_every));
  if (!lease) return { outcome: 'skipped_busy' };
  let committed: Committed | { result: SampleResult };
  try {
    const health = await readHealth(deps, camera.id);
    if (health?.retryAt !== undefined && health.retryAt > Date.now()) return { outcome: 'skipped_backoff' };

    const got = await grab(deps, camera, health, signal);
    if ('reason' in got) return { outcome: 'failed', reason: got.reason };
    const { frame } = got;
    committed = await applyRules(deps, camera, frame, await perceive(eyes(deps), frame, camera));
  } finally {
    await lease.release();
  }
  // The state is committed: the camera's next sample may start while this one reads plates and queues its events.
  if ('version' in committed) await handOn(deps, camera.id, committed);
  return committed.result;
}

/** The job's models, as the per-frame step runs them; a detector failure is the sample's reason `detect`. */
function eyes(deps: SampleDeps): FrameEyes<SampledCamera> {
  return {
    detect: (frame, camera) =>
      deps.detect(frame, camera).catch((e: Error) => {
        throw Object.assign(new Error(`detector: ${e.message}`), { reason: 'detect' });
      }),
    ...(deps.observeBins ? { observeBins: deps.observeBins } : {}),
  };
}

async function readHealth(deps: SampleDeps, cameraId: string): Promise<CameraHealth | undefined> {
  const raw = await deps.redis.hget(deps.keys.health, cameraId);
  return raw ? (JSON.parse(raw) as CameraHealth) : undefined;
}

function openCamera(deps: SampleDeps, camera: SampledCamera): Source {
  return deps.openSource(sourceOptions(camera, deps.inferenceLongSide));
}

/** One frame, or why not (recorded in the camera's health either way). */
async function grab(deps: SampleDeps, camera: SampledCamera, prev: CameraHealth | undefined, signal?: AbortSignal): Promise<{ frame: Frame } | { reason: string }> {
  let source: Source | undefined;
  try {
    // Opening may refuse the URL outright (bad URL, missing file): that is the camera's health too.
    source = openCamera(deps, camera);
    const frame = await source.grab(signal);
    const info = source.lastGrab;
    await saveHealth(deps, camera.id, nextHealth(prev, { ok: true, at: Date.now(), frame, codec: info?.codec, latencyMs: info?.latencyMs }));
    return { frame };
  } catch (e) {
    if (!(e instanceof StreamError)) throw e;
    await saveHealth(deps, camera.id, nextHealth(prev, { ok: false, at: Date.now(), error: e }));
    log.info({ camera: camera.id, reason: e.reason, err: e.message }, 'camera gave no frame');
    return { reason: e.reason };
  } finally {
    await source?.close().catch(() => undefined);
  }
}

async function saveHealth(deps: SampleDeps, cameraId: string, health: CameraHealth): Promise<void> {
  await deps.redis.hset(deps.keys.health, cameraId, JSON.stringify(health));
  deps.metrics.cameraHealth(cameraId, health.state);
}

function evidence(frame: Frame, detections: Detections, role: EvidenceFrame['role']): EvidenceFrame {
  const people = detections.items.filter((d) => d.category === 'person').map((d) => [...d.box] as BBox);
  return { ts: frame.ts, jpegBase64: frame.jpeg.toString('base64'), role, ...(people.length ? { people } : {}) };
}

/** Open (unconfirmed) parking stays in a rule state: the only ones whose first-seen frame is still needed. */
function openStays(state: CameraRuleState): Set<string> {
  const ids = new Set<string>();
  for (const z of Object.values(state.zones)) {
    if (z.kind === 'no_parking') for (const s of z.stays) if (s.confirmedAt === undefined) ids.add(s.incidentId);
  }
  return ids;
}

/** A committed step: its result, the messages it must hand on, and those carried from earlier samples. */
interface Committed {
  result: SampleResult;
  version: number;
  messages: IncidentMessage[];
  carried: { pending: IncidentMessage[]; pendingAt?: number };
}

/** Messages committed longer ago than this whose worker has not cleared them: it died, a later sample sends them. */
const PENDING_GRACE_MS = 60_000;

async function applyRules(
  deps: SampleDeps,
  camera: SampledCamera,
  frame: Frame,
  input: CameraRulesInput,
): Promise<Committed | { result: SampleResult }> {
  const { redis, keys } = deps;
  const stored = await loadState(redis, keys, camera.id);
  // Events a previous sample committed but did not clear: re-sent once their worker has had time (same job
  // ids: no duplicates), carried along meanwhile.
  let carried = stored.pending;
  if (carried.length && (stored.pendingAt ?? 0) < Date.now() - PENDING_GRACE_MS) {
    for (const msg of carried) await emitIncident(deps.incidents, msg);
    carried = [];
  }
  if (stored.ts !== undefined && frame.ts <= stored.ts) return { result: { outcome: 'ok', reason: 'stale', events: [] } };

  const step = decide(stored.rules as CameraRuleState | undefined, input, camera);
  const { detections } = input;
  const firstKey = keys.firstFrames(camera.id);
  // Encoded only when a stay begins or an event needs it (most samples need neither).
  let encoded: EvidenceFrame | undefined;
  const here = () => (encoded ??= evidence(frame, detections, 'first_seen'));
  if (step.started.length) {
    log.debug({ camera: camera.id, incidents: step.started }, 'stay began');
    // The frame once (`f:<ts>`), and which stays began on it (`i:<incident>` → ts).
    const fields = [`f:${frame.ts}`, JSON.stringify(here()), ...step.started.flatMap((id) => [`i:${id}`, String(frame.ts)])];
    await redis.multi().hset(firstKey, ...fields).pexpire(firstKey, deps.evidenceTtlMs).exec();
  }
  const messages: IncidentMessage[] = [];
  for (const ev of step.events) {
    const frames: EvidenceFrame[] = [];
    if (ev.type === 'confirmed') {
      const at = await redis.hget(firstKey, `i:${ev.incidentId}`);
      const first = at && (await redis.hget(firstKey, `f:${at}`));
      if (first) frames.push(JSON.parse(first) as EvidenceFrame);
      frames.push({ ...here(), role: 'confirmed' });
    } else {
      // A cleared event shows the spot as it is now.
      frames.push({ ...here(), role: 'recheck' });
    }
    messages.push({ event: ev, frames });
  }
  // Even with the lease lost (a stalled process), the compare-and-set keeps the state whole.
  const pendingAt = carried.length ? stored.pendingAt : Date.now();
  const version = await commitState(redis, keys, camera.id, stored.version, { rules: step.state, pending: [...carried, ...messages], pendingAt, ts: frame.ts });
  if (version === null) return { result: { outcome: 'conflict', reason: 'state_moved' } };

  // First-seen frames of stays that are over (or now confirmed) are no longer needed.
  const open = openStays(step.state);
  const fields = await redis.hkeys(firstKey);
  const live = fields.filter((k) => k.startsWith('i:') && open.has(k.slice(2)));
  const keepTs = new Set(live.length ? await redis.hmget(firstKey, ...live) : []);
  const stale = fields.filter((k) => (k.startsWith('i:') ? !open.has(k.slice(2)) : !keepTs.has(k.slice(2))));
  if (stale.length) await redis.hdel(firstKey, ...stale);
  return {
    result: { outcome: 'ok', events: step.events.map((e) => ({ type: e.type, incidentId: e.incidentId })) },
    version,
    messages,
    carried: { pending: carried, pendingAt: stored.pendingAt },
  };
}

/** Plates on confirmed parking incidents, then the `incidents` queue, then this sample's messages cleared from the state. */
async function handOn(deps: SampleDeps, cameraId: string, { version, messages, carried }: Committed): Promise<void> {
  if (!messages.length) return;
  for (const msg of messages) {
    if (msg.event.type === 'confirmed' && msg.event.kind === 'no_parking' && deps.readPlate) {
      msg.plate = await deps.readPlate(msg).catch((e: Error) => ({ unread: true as const, reason: `plate reading failed: ${e.message}` }));
    }
    await emitIncident(deps.incidents, msg);
    deps.metrics.incidents.inc({ type: msg.event.type });
    log.info({ camera: cameraId, zone: msg.event.zoneId, incident: msg.event.incidentId, type: msg.event.type }, 'incident event queued');
  }
  await clearPending(deps.redis, deps.keys, cameraId, version, carried);
}

/** Vehicles matching the incident's subject this much still count as the same vehicle in place. */
const RECHECK_IOU = 0.3;

/**
 * "Is it still there?" for the alerts side: one fresh frame of the camera, judged against the incident's
 * subject (the same vehicle in the same place; the bin site still overflowing).
 */
export async function processRecheck(deps: SampleDeps, job: RecheckJob, signal?: AbortSignal): Promise<RecheckResult> {
  const camera = await readCamera(deps.redis, deps.keys, job.cameraId);
  if (!camera) return { verdict: 'unknown', reason: 'camera is no longer sampled' };
  const got = await grab(deps, camera, await readHealth(deps, camera.id), signal);
  if ('reason' in got) return { verdict: 'unknown', reason: `camera gave no frame: ${got.reason}` };
  const { frame } = got;
  const detections = await deps.detect(frame, camera);
  const out = { ts: frame.ts, jpegBase64: frame.jpeg.toString('base64') };
  if (job.kind === 'no_parking') {
    // Boxes are in full-resolution pixels; a camera whose resolution changed is rescaled onto the old frame.
    const sx = (job.frameSize?.width ?? frame.width) / frame.width;
    const sy = (job.frameSize?.height ?? frame.height) / frame.height;
    const present = detections.items.some((d) => d.category === 'vehicle' && boxIou([d.box[0] * sx, d.box[1] * sy, d.box[2] * sx, d.box[3] * sy], job.box) >= RECHECK_IOU);
    return { verdict: present ? 'present' : 'gone', ...out };
  }
  const zone = camera.zones.find((z): z is BinSiteZone => z.kind === 'bin_site' && z.id === job.zoneId);
  if (!zone || !deps.observeBins) return { verdict: 'unknown', reason: zone ? 'no bin classifier configured' : `zone ${job.zoneId} no longer exists`, ...out };
  const obs = (await deps.observeBins(frame, [zone], camera.calibration))[zone.id];
  if (!obs || obs.state === 'skipped') return { verdict: 'unknown', reason: 'picture too dark or badly exposed to judge', ...out };
  return { verdict: obs.state === 'overflowing' ? 'present' : 'gone', ...out };
}
