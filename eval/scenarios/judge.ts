import type { Detections, RuleEvent } from '../../core/types.js';
import { decide } from '../../pipeline/frame_step.js';
import type { CameraRuleState, CameraSpec } from '../../rules/camera_rules.js';

/**
 * The rules (the live per-frame step's `decide`) over one scenario's detections, and their incidents matched to the truth. A confirmed
 * incident is a true positive when it began at the arrival of an expected stay not yet matched — within
 * one sampling interval plus a few seconds of driving in — and a false positive otherwise (a second
 * ticket for one stay, a ticket for traffic or for a stay cut in two by a gap). An expected stay nobody
 * matched is a miss. Dwell error: how far from arrival + dwell the ticket came.
 */
export interface Expected {
  firstSeenS: number;
  leftS: number;
}

export interface Judged {
  tp: number;
  fp: number;
  fn: number;
  /** |confirmed at − (arrival + dwell)|, seconds, per true positive. */
  dwellErrorsS: number[];
  confirmed: { firstSeenS: number; confirmedAtS: number }[];
}

/** Driving in, a vehicle may be first seen in the zone a little before it stands, or a little after (a missed sample). */
const ARRIVAL_SLACK_S = 4;

export function runRules(detections: Detections[], camera: CameraSpec): RuleEvent[] {
  let state: CameraRuleState | undefined;
  const events: RuleEvent[] = [];
  for (const d of detections) {
    // Scenario cameras have no reference views: what was seen is what the rules judge.
    const step = decide(state, { detections: d, seen: d }, camera);
    state = step.state;
    events.push(...step.events);
  }
  return events;
}

export function judge(events: RuleEvent[], expect: Expected[], opts: { startAt: number; everyS: number; dwellS: number }): Judged {
  const s = (ms: number) => (ms - opts.startAt) / 1000;
  const confirmed = events.filter((e) => e.type === 'confirmed').map((e) => ({ firstSeenS: s(e.firstSeen), confirmedAtS: s(e.confirmedAt) }));
  const free = [...expect];
  let tp = 0;
  const dwellErrorsS: number[] = [];
  for (const c of confirmed) {
    const i = free.findIndex((x) => c.firstSeenS >= x.firstSeenS - ARRIVAL_SLACK_S && c.firstSeenS <= x.firstSeenS + opts.everyS + ARRIVAL_SLACK_S);
    if (i < 0) continue;
    dwellErrorsS.push(Math.abs(c.confirmedAtS - free[i]!.firstSeenS - opts.dwellS));
    free.splice(i, 1);
    tp++;
  }
  return { tp, fp: confirmed.length - tp, fn: expect.length - tp, dwellErrorsS, confirmed };
}
