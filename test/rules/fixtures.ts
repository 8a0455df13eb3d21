import type { BBox, Detection, Detections } from '../../core/types.js';
import { stepCamera, type CameraRuleState } from '../../rules/camera_rules.js';
import { zoneSchema, type Zone } from '../../rules/schema.js';
import type { RuleEvent } from '../../core/types.js';

/** Builders for rule tests: zones through the real schema, detections as the detector would emit them. */

export const W = 1280;
export const H = 720;
/** 2026-11-26 10:00 in Asia/Shanghai (a Thursday), as ms since the epoch. */
export const T0 = Date.UTC(2026, 10, 26, 2, 0, 0);

/**
 * A no-parking zone over most of the frame. Most rule tests begin with the car already standing there, so
 * the zone has no reference scene unless a test asks for one (test/rules/parking/background.test.ts).
 */
export function zone(fields: Record<string, unknown>): Zone {
  return zoneSchema.parse({ id: 'kerb', kind: 'no_parking', polygon: [[0.1, 0.5], [0.9, 0.5], [0.9, 0.95], [0.1, 0.95]], dwell: '30s', reference_scene: false, ...fields });
}

export function car(box: BBox, score = 0.8, label = 'car'): Detection {
  const category = ['car', 'truck', 'bus', 'motorcycle'].includes(label) ? 'vehicle' : label === 'person' ? 'person' : 'other';
  return { box, score, classId: 0, label, category };
}

export function frame(ts: number, items: Detection[]): Detections {
  return { cameraId: 'cam-1', ts, width: W, height: H, items };
}

export function shift(b: BBox, dx: number, dy = 0): BBox {
  return [b[0] + dx, b[1] + dy, b[2] + dx, b[3] + dy];
}

/** Runs samples through stepCamera, serialising the state between samples as Redis would. */
export function run(zones: Zone[], samples: Detections[], timezone = 'Asia/Shanghai'): { events: RuleEvent[]; state?: CameraRuleState } {
  let state: CameraRuleState | undefined;
  const events: RuleEvent[] = [];
  for (const s of samples) {
    const out = stepCamera(state, { detections: s }, { id: 'cam-1', timezone, zones });
    state = JSON.parse(JSON.stringify(out.state)) as CameraRuleState;
    events.push(...out.events);
  }
  return { events, state };
}

/** One sample per second from T0: `at(i)` gives the items of sample i. */
export function seconds(n: number, at: (i: number) => Detection[], start = T0, everyMs = 1000): Detections[] {
  return Array.from({ length: n }, (_, i) => frame(start + i * everyMs, at(i)));
}
