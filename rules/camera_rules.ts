import type { BinObservation, Detections, RuleEvent } from '../core/types.js';
import { DEFAULT_TRACKER, stepTracker, stillTracks, trackBoxes, type TrackerState } from './tracker.js';
import { stepBinSite, type BinSiteState } from './bin_site.js';
import { stepNoParking, type RuleContext } from './no_parking.js';
import type { TrackMotion } from './parking/matching.js';
import type { NoParkingState } from './parking/stay.js';
import type { Zone } from './schema.js';

/**
 * The one entry point the detection worker calls per sample of a camera: tracker, then every zone's
 * rule. Pure — the same samples in the same order give the same events, live or replayed — and the
 * state is plain JSON (it is kept in Redis between samples, which any worker may handle).
 */

export interface CameraRuleState {
  version: 1;
  /** Timestamp of the last sample applied; an older or repeated sample (a re-delivered job) changes nothing. */
  lastTs?: number;
  tracker: TrackerState;
  zones: Record<string, NoParkingState | BinSiteState>;
}

export interface CameraRulesInput {
  detections: Detections;
  /** Bin-site observations of this sample by zone id (from pipeline/bin_sites.ts). */
  bins?: Record<string, BinObservation>;
}

export interface CameraSpec {
  id: string;
  timezone: string;
  zones: Zone[];
}

export interface CameraStep {
  state: CameraRuleState;
  events: RuleEvent[];
  /** Incident ids of parking stays that began at this sample: keep this frame as their first-seen evidence. */
  started: string[];
}

export function emptyCameraState(): CameraRuleState {
  return { version: 1, tracker: { nextId: 1, tracks: [] }, zones: {} };
}

export function stepCamera(state: CameraRuleState | undefined, input: CameraRulesInput, camera: CameraSpec): CameraStep {
  const prev = state?.version === 1 ? state : emptyCameraState();
  const { detections } = input;
  const ts = detections.ts;
  if (prev.lastTs !== undefined && ts <= prev.lastTs) return { state: prev, events: [], started: [] };

  const tracked = stepTracker(prev.tracker, detections, DEFAULT_TRACKER);
  const motion: TrackMotion = { still: stillTracks(prev.tracker, tracked.state), before: trackBoxes(prev.tracker) };
  const ctx: RuleContext = { cameraId: camera.id, timezone: camera.timezone, ts, frameSize: { width: detections.width, height: detections.height } };
  const zones: CameraRuleState['zones'] = {};
  const events: RuleEvent[] = [];
  const started: string[] = [];
  // Zones removed from the config drop their state; a zone whose kind changed starts afresh.
  for (const zone of camera.zones) {
    const old = prev.zones[zone.id];
    if (zone.kind === 'no_parking') {
      const out = stepNoParking(old?.kind === 'no_parking' ? old : undefined, tracked.items, zone, ctx, motion);
      zones[zone.id] = out.state;
      events.push(...out.events);
      started.push(...out.started);
    } else {
      const out = stepBinSite(old?.kind === 'bin_site' ? old : undefined, input.bins?.[zone.id], zone, ctx);
      zones[zone.id] = out.state;
      events.push(...out.events);
    }
  }
  return { state: { version: 1, lastTs: ts, tracker: tracked.state, zones }, events, started };
}
