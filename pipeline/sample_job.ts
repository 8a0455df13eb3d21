import type { BBox, Detections, EvidenceFrame, IncidentMessage, RuleEvent, SampledFrame } from '../core/types.js';
import { fullJpeg } from '../core/frames.js';
import { log } from '../core/log.js';
import type { SampledCamera } from '../queue/cameras.js';
import type { SampleOutcome } from '../queue/worker_metrics.js';
import type { ViewMatch } from '../align/align.js';
import { nextView, viewChange } from '../queue/views.js';
import type { CameraRuleState } from '../rules/camera_rules.js';
import { failureReason } from './errors.js';
import { decide, perceive, type FrameInput } from './frame_step.js';
import { grabFrame, jobEyes, type SampleDeps } from './job_deps.js';
import { sampleScope } from './patrol_stop.js';

/**
 * The sampling job: one camera, one frame. Grab → perceive (detect, batched with the worker's other
 * cameras; looks; bin sites) → decide on the camera's stored rule state → commit the state (compare-and-set)
 * with the events it produced → hand the events to the incident sink with their evidence frames.
 * A patrolling dome is sampled only while its patrol stands at a stop, and then only that preset's zones
 * (pipeline/patrol_stop.ts). Stateless: anything a later sample needs (rule state, health, first-seen frames) lives behind the ports
 * (pipeline/ports.ts), so any worker can take any camera's next sample.
 */
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
  const { metrics } = deps;
  metrics.jobStarted();
  let result: SampleResult = { outcome: 'failed', reason: 'internal' };
  try {
    result = await sampleOnce(deps, job, signal);
    return result;
  } catch (e) {
    const reason = failureReason(e);
    log.warn({ camera: job.cameraId, reason, err: (e as Error).message }, 'sample failed');
    result = { outcome: 'failed', reason };
    return result;
  } finally {
    const lagMs = result.outcome === 'ok' || result.outcome === 'failed' ? Date.now() - job.due : undefined;
    result.lagMs = lagMs;
    metrics.jobDone(result.outcome, lagMs, result.outcome === 'failed' ? result.reason : undefined);
    if (result.outcome !== 'removed') {
      const last = { at: Date.now(), due: job.due, lagMs, worker: deps.workerId, outcome: result.outcome, reason: result.reason };
      await deps.ports.cameras.recordSample(job.cameraId, last).catch(() => undefined);
    }
  }
}

async function sampleOnce(deps: SampleDeps, job: { cameraId: string; due: number }, signal?: AbortSignal): Promise<SampleResult> {
  const { cameras, health } = deps.ports;
  const published = await cameras.read(job.cameraId);
  if (!published) return { outcome: 'removed' };
  const scope = await sampleScope(published, deps.ports.patrols, Date.now());
  if (!scope) return { outcome: 'skipped_patrol' };
  const { camera, stateKey } = scope;
  const lease = await cameras.lease(camera.id, leaseMs(camera.sample_every));
  if (!lease) return { outcome: 'skipped_busy' };
  let committed: Committed | { result: SampleResult };
  try {
    const prev = await health.read(camera.id);
    if (prev?.retryAt !== undefined && prev.retryAt > Date.now()) return { outcome: 'skipped_backoff' };

    const got = await grabFrame(deps, camera, prev, signal);
    if ('reason' in got) return { outcome: 'failed', reason: got.reason };
    const { frame } = got;
    const input = await perceive(jobEyes(deps), frame, camera);
    if (input.view) await recordView(deps, camera.id, frame, input.view);
    committed = await applyRules(deps, camera, stateKey, frame, input);
  } finally {
    await lease.release();
  }
  // The state is committed: the camera's next sample may start while this one reads plates and queues its events.
  if ('version' in committed) await handOn(deps, camera.id, stateKey, committed);
  return committed.result;
}

/**
 * The camera's view state for the API and console; a change is logged and counted (operators alert on it),
 * and one away from the reference or back is told to crews' webhooks — before it is recorded, so a sample
 * that dies in between tells it again (the same message) rather than never.
 */
async function recordView(deps: SampleDeps, cameraId: string, frame: SampledFrame, match: ViewMatch): Promise<void> {
  const prev = await deps.ports.views.read(cameraId);
  const view = nextView(prev, match, Date.now());
  const change = await viewChange(cameraId, prev, view, () => fullJpeg(frame));
  if (change) await deps.ports.views.announce(change);
  await deps.ports.views.save(cameraId, view, () => fullJpeg(frame));
  deps.metrics.viewChecks.inc({ state: view.state, ...(view.reason ? { reason: view.reason } : {}) });
  if (view.since === view.at && (prev || view.state !== 'aligned')) {
    const fields = { camera: cameraId, view: view.state, reason: view.reason, was: prev?.state, shift: view.shift };
    if (view.state === 'aligned') log.info(fields, 'camera shows its reference view again: rules resume');
    else log.warn(fields, 'camera does not show its reference view: rules paused');
  }
}

/** The frame as evidence: its full-resolution JPEG (encoded now if the source left it for later) and the people to blur. */
async function evidence(frame: SampledFrame, detections: Detections, role: EvidenceFrame['role']): Promise<EvidenceFrame> {
  const people = detections.items.filter((d) => d.category === 'person').map((d) => [...d.box] as BBox);
  return { ts: frame.ts, jpegBase64: (await fullJpeg(frame)).toString('base64'), role, ...(people.length ? { people } : {}) };
}

/** Open (unconfirmed) parking stays in a rule state: the only ones whose first-seen frame is still needed. */
function openStays(state: CameraRuleState | undefined): Set<string> {
  const ids = new Set<string>();
  for (const z of Object.values(state?.zones ?? {})) {
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

async function applyRules(deps: SampleDeps, camera: SampledCamera, stateKey: string, frame: SampledFrame, input: FrameInput): Promise<Committed | { result: SampleResult }> {
  const { ruleState, firstFrames, incidents } = deps.ports;
  const stored = await ruleState.load(stateKey);
  // Events a previous sample committed but did not clear: re-sent once their worker has had time (same job
  // ids: no duplicates), carried along meanwhile.
  let carried = stored.pending;
  if (carried.length && (stored.pendingAt ?? 0) < Date.now() - PENDING_GRACE_MS) {
    for (const msg of carried) await incidents.emit(msg);
    carried = [];
  }
  if (stored.ts !== undefined && frame.ts <= stored.ts) return { result: { outcome: 'ok', reason: 'stale', events: [] } };

  const step = decide(stored.rules as CameraRuleState | undefined, input, camera);
  // Evidence is the current picture: drawn with, and blurred by, the boxes as seen in it.
  const detections = input.seen;
  // Encoded only when a stay begins or an event needs it (most samples need neither).
  let encoded: Promise<EvidenceFrame> | undefined;
  const here = () => (encoded ??= evidence(frame, detections, 'first_seen'));
  if (step.started.length) {
    log.debug({ camera: camera.id, incidents: step.started }, 'stay began');
    await firstFrames.keep(stateKey, frame.ts, await here(), step.started);
  }
  const messages: IncidentMessage[] = [];
  for (const ev of step.events) {
    const frames: EvidenceFrame[] = [];
    if (ev.type === 'confirmed') {
      const first = await firstFrames.get(stateKey, ev.incidentId);
      if (first) frames.push(first);
      frames.push({ ...(await here()), role: 'confirmed' });
    } else {
      // A cleared event shows the spot as it is now.
      frames.push({ ...(await here()), role: 'recheck' });
    }
    messages.push({ event: ev, frames });
  }
  // Even with the lease lost (a stalled process), the compare-and-set keeps the state whole.
  const pendingAt = carried.length ? stored.pendingAt : Date.now();
  const version = await ruleState.commit(stateKey, stored.version, { rules: step.state, pending: [...carried, ...messages], pendingAt, ts: frame.ts });
  if (version === null) return { result: { outcome: 'conflict', reason: 'state_moved' } };

  // First-seen frames of stays that are over (or now confirmed) are no longer needed. When no stay began
  // or ended, the last sample that changed them left none behind: most samples skip the round trip.
  const open = openStays(step.state);
  const was = openStays(stored.rules as CameraRuleState | undefined);
  if (step.started.length || open.size !== was.size || [...open].some((id) => !was.has(id))) await firstFrames.keepOnly(stateKey, open);
  return {
    result: { outcome: 'ok', events: step.events.map((e) => ({ type: e.type, incidentId: e.incidentId })) },
    version,
    messages,
    carried: { pending: carried, pendingAt: stored.pendingAt },
  };
}

/** Plates on confirmed parking incidents, then the incident sink, then this sample's messages cleared from the state. */
async function handOn(deps: SampleDeps, cameraId: string, stateKey: string, { version, messages, carried }: Committed): Promise<void> {
  if (!messages.length) return;
  for (const msg of messages) {
    if (msg.event.type === 'confirmed' && msg.event.kind === 'no_parking' && deps.readPlate) {
      msg.plate = await deps.readPlate(msg).catch((e: Error) => ({ unread: true as const, reason: `plate reading failed: ${e.message}` }));
    }
    await deps.ports.incidents.emit(msg);
    deps.metrics.incidents.inc({ type: msg.event.type });
    log.info({ camera: cameraId, zone: msg.event.zoneId, incident: msg.event.incidentId, type: msg.event.type }, 'incident event queued');
  }
  await deps.ports.ruleState.clearPending(stateKey, version, carried);
}
