import type { ViewMatch } from '../align/align.js';
import type { ReferencePicture } from '../align/aligner.js';
import { boxInCurrent, detectionsInReference, zonesInCurrent } from '../align/detections.js';
import type { BinObservation, Detections, SampledFrame } from '../core/types.js';
import { withAppearance } from '../detector/appearance.js';
import { emptyCameraState, stepCamera, type CameraRuleState, type CameraRulesInput, type CameraSpec, type CameraStep } from '../rules/camera_rules.js';
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
  detect(frame: SampledFrame, camera: C): Promise<Detections>;
  /** Fill state of the camera's bin sites in this frame; needed only when the camera has bin sites. */
  observeBins?(frame: SampledFrame, zones: BinSiteZone[], calibration?: Record<string, CalibrationSet>): Promise<Record<string, BinObservation>>;
  /** Does the frame still show one of the camera's reference views (align/)? Absent: views are not checked. */
  checkView?(frame: SampledFrame, references: readonly ReferencePicture[]): Promise<ViewMatch>;
}

/** A camera as the step needs it: id, time zone, zones, its bin sites' labelled examples and its reference views if any. */
export type FrameCamera = CameraSpec & { calibration?: Record<string, CalibrationSet>; references?: readonly ReferencePicture[] };

/** What one frame gives the rules, and whether the camera showed the view its zones were drawn on. */
export interface FrameInput extends CameraRulesInput {
  /** Absent when the camera has no reference view (or views are not checked). */
  view?: ViewMatch;
  /** The detections in the current picture's pixels, where evidence is drawn and people are blurred (`detections` is in the reference's). */
  seen: Detections;
}

/**
 * What the rules take from one frame: its detections, each with its look, and its bin-site observations.
 * With reference views, the frame is first checked against them: a view that matches none is not even
 * detected on (the rules pause), and an aligned one has its boxes moved into the reference's frame; the
 * eyes are given the zones where they lie in the current picture (inference regions, bin-site crops).
 */
export async function perceive<C extends FrameCamera>(eyes: FrameEyes<C>, frame: SampledFrame, camera: C): Promise<FrameInput> {
  const view = eyes.checkView && camera.references?.length ? await eyes.checkView(frame, camera.references) : undefined;
  if (view && view.state !== 'aligned') {
    const none: Detections = { cameraId: frame.cameraId, ts: frame.ts, width: frame.width, height: frame.height, items: [] };
    return { detections: none, seen: none, view };
  }
  // Where the zones lie in this picture: inference regions and bin-site crops are cut from it, not from
  // where the zones were drawn, so a shifted view still reads each bin site from its own bin.
  const here = view ? zonesInCurrent(camera, view.homography) : camera;
  // The look lets the rules tell a different vehicle in the same spot from the same one seen again.
  const seen = await withAppearance(frame, await eyes.detect(frame, here));
  const detections = view ? detectionsInReference(seen, view.homography) : seen;
  const sites = here.zones.filter((z): z is BinSiteZone => z.kind === 'bin_site');
  const bins = sites.length && eyes.observeBins ? await eyes.observeBins(frame, sites, camera.calibration) : undefined;
  return { detections, seen, ...(bins ? { bins } : {}), ...(view ? { view } : {}) };
}

/**
 * The camera's rules on what was perceived: pure, so live and replay agree given the same frames.
 * A frame that is not the reference view pauses them: the state is carried unchanged, so stays neither
 * confirm nor clear on a picture of another street (or of a bag over the lens). Events of an aligned
 * frame get their subject's box back in the current picture, where their evidence is drawn.
 */
export function decide(state: CameraRuleState | undefined, input: FrameInput, camera: FrameCamera): CameraStep {
  const { view } = input;
  if (view && view.state !== 'aligned') return { state: state ?? emptyCameraState(), events: [], started: [] };
  const step = stepCamera(state, input, camera);
  if (!view) return step;
  const size = input.detections;
  return { ...step, events: step.events.map((e) => ({ ...e, subject: { ...e.subject, box: boxInCurrent(e.subject.box, view.homography, size) } })) };
}
