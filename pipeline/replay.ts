import type { Frame, RuleEvent } from '../core/types.js';
import type { Classifier } from '../detector/classifier.js';
import type { Detector } from '../detector/detector.js';
import type { CameraRuleState, CameraSpec } from '../rules/camera_rules.js';
import type { CalibrationSet } from '../rules/calibration.js';
import { readFileFrames } from '../streams/file_frames.js';
import { observeBinSites } from './bin_sites.js';
import { decide, perceive, type FrameEyes } from './frame_step.js';

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
  const { classifier } = opts;
  if (!classifier && opts.camera.zones.some((z) => z.kind === 'bin_site')) throw new Error('the camera has bin sites: replay needs a classifier');
  const eyes: FrameEyes = {
    detect: async (frame) => (await opts.detector.run([frame]))[0]!,
    ...(classifier ? { observeBins: (frame, zones, calibration) => observeBinSites(frame, zones, classifier, calibration) } : {}),
  };
  const camera = { ...opts.camera, ...(opts.calibration ? { calibration: opts.calibration } : {}) };
  let state: CameraRuleState | undefined;
  const events: RuleEvent[] = [];
  let samples = 0;
  let mediaMs = 0;
  for await (const media of frames) {
    const frame = { ...media, ts: startAt + media.ts };
    const step = decide(state, await perceive(eyes, frame, camera), camera);
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
