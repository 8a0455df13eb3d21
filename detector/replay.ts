import type { Frame, RuleEvent } from '../core/types.js';
import { stepCamera, type CameraRuleState, type CameraSpec } from '../rules/camera_rules.js';
import type { CalibrationSet } from '../rules/calibration.js';
import type { BinSiteZone } from '../rules/schema.js';
import { readFileFrames } from '../streams/file_frames.js';
import { withAppearance } from './appearance.js';
import { observeBinSites } from './bin_observer.js';
import type { Classifier } from './classifier.js';
import type { Detector } from './detector.js';

/**
 * A recorded sequence of frames through the same detector and rules as a live worker, by media time and
 * as fast as the CPU allows: what `weisu replay`, the scenario suite and the eval all run. Rules see
 * `startAt + media time`, so schedules can be tried against the hour the footage was shot.
 */
export interface ReplayOptions {
  camera: CameraSpec;
  detector: Detector;
  /** Needed only when the camera has bin sites. */
  classifier?: Classifier;
  calibration?: Record<string, CalibrationSet>;
  /** Epoch ms of media time 0 (default 0). */
  startAt?: number;
  /** Called with each sample's events as they happen (a live timeline). */
  onEvents?: (events: RuleEvent[], frame: Frame) => void;
}

export interface ReplayResult {
  events: RuleEvent[];
  samples: number;
  /** Media time covered, ms. */
  mediaMs: number;
}

export async function replayFrames(frames: AsyncIterable<Frame>, opts: ReplayOptions): Promise<ReplayResult> {
  const startAt = opts.startAt ?? 0;
  const sites = opts.camera.zones.filter((z): z is BinSiteZone => z.kind === 'bin_site');
  if (sites.length && !opts.classifier) throw new Error('the camera has bin sites: replay needs a classifier');
  let state: CameraRuleState | undefined;
  const events: RuleEvent[] = [];
  let samples = 0;
  let mediaMs = 0;
  for await (const media of frames) {
    const frame = { ...media, ts: startAt + media.ts };
    const [found] = await opts.detector.run([frame]);
    const detections = await withAppearance(frame, found!);
    const bins = sites.length ? await observeBinSites(frame, sites, opts.classifier!, opts.calibration) : undefined;
    const step = stepCamera(state, { detections, ...(bins ? { bins } : {}) }, opts.camera);
    state = step.state;
    events.push(...step.events);
    if (step.events.length) opts.onEvents?.(step.events, frame);
    samples++;
    mediaMs = media.ts;
  }
  return { events, samples, mediaMs };
}

/**
 * A video file sampled every `everyMs` of media time, each sample scaled for the detector's input as a
 * live worker's source does (so replay sees what live would).
 */
export function replayFile(path: string, opts: ReplayOptions & { everyMs: number }): Promise<ReplayResult> {
  const { input } = opts.detector.manifest;
  const frames = readFileFrames(path, { cameraId: opts.camera.id, everyMs: opts.everyMs, inferenceLongSide: Math.max(input.width, input.height) });
  return replayFrames(frames, opts);
}
