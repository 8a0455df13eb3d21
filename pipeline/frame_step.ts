import type { BinObservation, Detections, Frame } from '../core/types.js';
import { withAppearance } from '../detector/appearance.js';
import { stepCamera, type CameraRuleState, type CameraRulesInput, type CameraSpec, type CameraStep } from '../rules/camera_rules.js';
import type { CalibrationSet } from '../rules/calibration.js';
import type { BinSiteZone } from '../rules/schema.js';

/**
 * The per-frame step, the one path a frame takes from pixels to rule events whether it came from a live
 * camera (pipeline/sample_job.ts), a recorded file (pipeline/replay.ts) or the eval: `perceive` (detect,
 * each box's look, bin sites) then `decide` (the camera's rules on their state). Replay sees what live
 * sees because both run these two functions, not because two copies agree. Live runs them apart: between
 * them it loads the camera's state from Redis, so the state is held for as short a time as possible.
 */

/** How a caller runs the models: a live worker batches across cameras, replay runs one frame at a time. */
export interface FrameEyes<C extends FrameCamera = FrameCamera> {
  detect(frame: Frame, camera: C): Promise<Detections>;
  /** Fill state of the camera's bin sites in this frame; needed only when the camera has bin sites. */
  observeBins?(frame: Frame, zones: BinSiteZone[], calibration?: Record<string, CalibrationSet>): Promise<Record<string, BinObservation>>;
}

/** A camera as the step needs it: id, time zone, zones, and its bin sites' labelled examples if any. */
export type FrameCamera = CameraSpec & { calibration?: Record<string, CalibrationSet> };

/** What the rules take from one frame: its detections, each with its look, and its bin-site observations. */
export async function perceive<C extends FrameCamera>(eyes: FrameEyes<C>, frame: Frame, camera: C): Promise<CameraRulesInput> {
  // The look lets the rules tell a different vehicle in the same spot from the same one seen again.
  const detections = await withAppearance(frame, await eyes.detect(frame, camera));
  const sites = camera.zones.filter((z): z is BinSiteZone => z.kind === 'bin_site');
  const bins = sites.length && eyes.observeBins ? await eyes.observeBins(frame, sites, camera.calibration) : undefined;
  return { detections, ...(bins ? { bins } : {}) };
}

/** The camera's rules on what was perceived: pure, so live and replay agree given the same frames. */
export function decide(state: CameraRuleState | undefined, input: CameraRulesInput, camera: FrameCamera): CameraStep {
  return stepCamera(state, input, camera);
}
