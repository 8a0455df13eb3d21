import type { Detection, RuleEvent } from '../core/types.js';
import { boxIou, coverage } from '../core/geometry.js';
import { matchStays, type TrackMotion } from './parking/matching.js';
import { referenceScene, withoutBackground } from './parking/background.js';
import { hiddenBy, remember } from './parking/occlusion.js';
import { beginStay, bounded, emptied, emptyNoParking, gone, seenAgain, unseen, upgraded, type NoParkingState, type Stay } from './parking/stay.js';
import { vehiclesIn } from './parking/vehicles.js';
import { inSchedule } from './schedule.js';
import type { NoParkingZone } from './schema.js';

/**
 * The no-parking rule for one zone, composed from its parts in rules/parking/: which detections are the
 * zone's vehicles (vehicles.ts), which vehicle is which stay's (matching.ts, by place, look and motion),
 * whether a spot that does not show its vehicle is hidden or empty (occlusion.ts), and the life of a stay
 * (stay.ts), after what is background is set aside (background.ts: the zone's reference scene and its
 * operators' masks). A stay confirmed after `dwell` of enforced time, with its vehicle seen in most samples, is one
 * incident, ever. Every judgement constant is in parking/tuning.ts (`zone.tuning`).
 */

export interface RuleContext {
  cameraId: string;
  timezone: string;
  ts: number;
  frameSize: { width: number; height: number };
}

function event(type: RuleEvent['type'], stay: Stay, zone: NoParkingZone, ctx: RuleContext): RuleEvent {
  return {
    type,
    incidentId: stay.incidentId,
    cameraId: ctx.cameraId,
    zoneId: zone.id,
    kind: 'no_parking',
    firstSeen: stay.firstSeen,
    confirmedAt: stay.confirmedAt!,
    lastSeen: stay.lastSeen,
    ts: ctx.ts,
    subject: { ...stay.subject, box: [...stay.subject.box], ...(stay.trackId === undefined ? {} : { trackId: stay.trackId }) },
    frameSize: { ...ctx.frameSize },
  };
}

/**
 * One sample for one zone. `items` are all of the camera's detections with track ids (every class:
 * a bus that is not eligible still hides a car behind it); `motion` the ids of tracks that have not moved
 * since the previous sample and where each track was before it. Returns the new state, the events, and the
 * incident ids of stays that began at this sample (so the caller can keep their first frame as evidence).
 */
export function stepNoParking(
  prev: NoParkingState | undefined,
  items: Detection[],
  zone: NoParkingZone,
  ctx: RuleContext,
  motion: TrackMotion = { still: new Set(), before: new Map() },
): { state: NoParkingState; events: RuleEvent[]; started: string[] } {
  const { ts } = ctx;
  const { tuning } = zone;
  const state = upgraded(prev ?? emptyNoParking());
  const candidates = vehiclesIn(items, zone, ctx.frameSize);
  // The first sample a zone is watched is its reference scene: what stands there then is the street.
  if (!prev && zone.reference_scene) return { state: { ...state, background: referenceScene(candidates, ts) }, events: [], started: [] };
  const { vehicles, street, background } = withoutBackground(candidates, state.background, zone, ctx.frameSize, ts);
  const events: RuleEvent[] = [];
  const { vehicleOf, leftSpot, others, newcomers } = matchStays(state.stays, vehicles, zone, motion);

  const enforced = inSchedule(zone.schedule, ts, ctx.timezone);
  const spots = state.spots.filter((sp) => sp.until > ts);
  const stays: Stay[] = [];
  // Vehicles standing in their own spots this sample are accounted for, and the street's furniture stands
  // where it always stood: they hide nothing, unless standing in front of a spot (occlusion.ts).
  const standing = new Set([...[...vehicleOf.values()].map((v) => vehicles[v]!), ...street]);
  state.stays.forEach((old, s) => {
    const v = vehicleOf.get(s);
    const veh = v === undefined ? undefined : vehicles[v]!;
    const stay = veh
      ? seenAgain(old, veh, zone, ts, (anchor) => remember(old.overlappers, items, veh, anchor, tuning))
      : unseen(old, hiddenBy(old, items, standing, motion.still, others.get(s), tuning), ts);
    stay.enforcedSince = enforced ? (stay.enforcedSince ?? ts) : undefined;

    const ended = gone(stay, zone, ts) || (!veh && leftSpot.has(s));
    if (stay.confirmedAt !== undefined && !stay.cleared && (ended || emptied(stay, zone, ts))) {
      events.push(event('cleared', stay, zone, ctx));
      if (zone.cooldown > 0) spots.push({ box: [...stay.anchor], until: ts + zone.cooldown });
      stay.cleared = true;
    }
    if (ended) return;
    const blocked = spots.some((sp) => boxIou(sp.box, stay.anchor) >= tuning.spot_iou);
    // More sightings than seen_per_gap per gap: a stream's next car landing where the last stood adds one of each.
    const seenEnough = stay.gaps === 0 || stay.samples > tuning.seen_per_gap * stay.gaps;
    if (veh && stay.confirmedAt === undefined && seenEnough && stay.enforcedSince !== undefined && ts - stay.enforcedSince >= zone.dwell && !blocked) {
      stay.confirmedAt = ts;
      events.push(event('confirmed', stay, zone, ctx));
    }
    stays.push(stay);
  });

  // Vehicles not standing where a stay is begin new stays (unless they merely overlap one heavily), and so do
  // newcomers on a stay's spot. A new stay is never confirmed at its first sighting, whatever the dwell: one
  // sighting cannot show a vehicle stays.
  const taken = new Set(vehicleOf.values());
  const fresh = vehicles
    .filter((veh, v) => !taken.has(v) && (newcomers.has(v) || !stays.some((st) => boxIou(st.anchor, veh.box) >= zone.stationary_iou || coverage(st.anchor, veh.box) >= tuning.inside)))
    .sort((a, b) => a.box[0] - b.box[0] || a.box[1] - b.box[1]);
  const started: string[] = [];
  const base = `${ctx.cameraId}:${zone.id}:${ts}`;
  fresh.forEach((veh, i) => {
    const incidentId = i === 0 ? base : `${base}~${i + 1}`;
    started.push(incidentId);
    const stay = beginStay(incidentId, veh, ts, remember([], items, veh, veh.box, tuning));
    stays.push(enforced ? { ...stay, enforcedSince: ts } : stay);
  });
  return { state: { kind: 'no_parking', stays: bounded(stays), spots, background }, events, started };
}
