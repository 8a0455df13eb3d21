import type { BBox, Detection } from '../../core/types.js';
import type { NoParkingZone } from '../schema.js';
import type { BackgroundObject } from './background.js';
import { LIMITS } from './tuning.js';

/**
 * The life of a stay: one vehicle standing in one place. It begins at the vehicle's first sighting, follows
 * the vehicle while it is seen where it stopped, waits while its spot is hidden or seen empty (something the
 * detector does not know may stand in front), and ends once its vehicle is unseen for longer than
 * `max_hidden` or another vehicle takes its spot (matching.ts). A confirmed stay's incident is cleared when
 * the spot has been seen empty for `clear_grace` (never on one empty sighting).
 */

export interface Stay {
  incidentId: string;
  trackId?: number;
  /** Where the vehicle stands: a running mean of its boxes (pixels), so jitter averages out but crawling does not. */
  anchor: BBox;
  /** Its box when the stay began: the vehicle must also stay near where it stopped (a slow creep drags the mean along). */
  origin: BBox;
  samples: number;
  subject: { box: BBox; label: string; score: number };
  firstSeen: number;
  lastSeen: number;
  /** Last sample at which the vehicle was seen or its spot hidden by something in front of it. */
  lastAccounted: number;
  /** Mean colour of the vehicle at its latest sighting (when detections carry one). */
  look?: [number, number, number];
  /** Consecutive samples at which the spot was visible and the vehicle not in it. */
  goneSamples: number;
  /**
   * Runs of such samples since the stay began. A parked vehicle is hidden now and then, once for as long as
   * the bus or the board stands in front; cars of a stream passing a spot (looking alike, now and then one
   * landing where the last stood) leave it empty between every two of them.
   */
  gaps: number;
  /**
   * Its incident was cleared (the spot seen empty for `clear_grace`), yet the stay is kept until `max_hidden`:
   * something the detector does not see may have stood in front, and the vehicle, back where it stood looking
   * as it did, continues this stay (never a second ticket).
   */
  cleared?: boolean;
  /**
   * Other boxes that covered the spot while the vehicle was seen (the latest few distinct ones): a static
   * thing (a sign, a false detection over the whole road) that was there with the vehicle cannot be what hides it.
   */
  overlappers: BBox[];
  /** First sample of the current run of enforced (in-schedule) time; undefined outside the schedule. */
  enforcedSince?: number;
  confirmedAt?: number;
}

export interface NoParkingState {
  kind: 'no_parking';
  stays: Stay[];
  /** Spots of recently cleared incidents, blocked until `until` (cooldown). */
  spots: { box: BBox; until: number }[];
  /** Vehicle-like things of the zone's reference scene (background.ts). */
  background: BackgroundObject[];
}

export function emptyNoParking(): NoParkingState {
  return { kind: 'no_parking', stays: [], spots: [], background: [] };
}

/** A stay beginning at this sighting; `overlappers` are the boxes covering the vehicle now. */
export function beginStay(incidentId: string, veh: Detection, ts: number, overlappers: BBox[]): Stay {
  return {
    incidentId,
    ...(veh.trackId === undefined ? {} : { trackId: veh.trackId }),
    anchor: [...veh.box],
    origin: [...veh.box],
    samples: 1,
    subject: { box: [...veh.box], label: veh.label, score: veh.score },
    ...(veh.appearance ? { look: veh.appearance } : {}),
    firstSeen: ts,
    lastSeen: ts,
    lastAccounted: ts,
    goneSamples: 0,
    gaps: 0,
    overlappers,
  };
}

/**
 * The stay with its vehicle seen again at `veh`. The anchor is a running mean that weighs this sighting by
 * the time since the last one over `anchor_window` (a plain mean while the stay is young), so it follows
 * the vehicle equally fast at any sampling rate.
 */
export function seenAgain(old: Stay, veh: Detection, zone: NoParkingZone, ts: number, overlappers: (anchor: BBox) => BBox[]): Stay {
  const weight = Math.max(1 / (old.samples + 1), Math.min(1, (ts - old.lastSeen) / zone.tuning.anchor_window));
  const anchor = old.anchor.map((a, i) => a + (veh.box[i]! - a) * weight) as BBox;
  return {
    ...old,
    anchor,
    samples: old.samples + 1,
    trackId: veh.trackId ?? old.trackId,
    subject: { box: [...veh.box], label: veh.label, score: veh.score },
    ...(veh.appearance ? { look: veh.appearance } : {}),
    lastSeen: ts,
    lastAccounted: ts,
    goneSamples: 0,
    overlappers: overlappers(anchor),
  };
}

/** The stay at a sample that did not show its vehicle: hidden by something in front, or its spot seen empty. */
export function unseen(old: Stay, hidden: boolean, ts: number): Stay {
  return hidden ? { ...old, lastAccounted: ts } : { ...old, goneSamples: old.goneSamples + 1, gaps: old.gaps + (old.goneSamples === 0 ? 1 : 0) };
}

/**
 * Whether the stay is over: its vehicle unseen for longer than `max_hidden`, whatever stood in front of it.
 * A spot seen empty may be hidden by something the detector does not know, so emptiness alone ends no
 * stay; it clears a confirmed stay's incident (`emptied`), and another vehicle in the spot ends the stay
 * (matching.ts: a vehicle seen only once must come back exactly where it stood).
 */
export function gone(stay: Stay, zone: NoParkingZone, ts: number): boolean {
  return ts - stay.lastSeen > zone.max_hidden;
}

/** Whether the spot has been seen empty for `clear_grace`, in enough sightings: the vehicle is no longer there to be ticketed. */
export function emptied(stay: Stay, zone: NoParkingZone, ts: number): boolean {
  return stay.goneSamples >= zone.tuning.empty_sightings && ts - stay.lastAccounted >= zone.clear_grace;
}

/** A state stored by an earlier weisu (in Redis across an upgrade) lacks fields added since: fill them in. */
export function upgraded(state: NoParkingState): NoParkingState {
  return { ...state, spots: state.spots ?? [], background: state.background ?? [], stays: state.stays.map((s) => ({ ...s, origin: s.origin ?? s.anchor, overlappers: s.overlappers ?? [], gaps: s.gaps ?? 0 })) };
}

/** At most LIMITS.stays stays: confirmed ones first, then the most recently seen. */
export function bounded(stays: Stay[]): Stay[] {
  if (stays.length <= LIMITS.stays) return stays;
  const keep = new Set(
    [...stays]
      .sort((a, b) => Number(b.confirmedAt !== undefined) - Number(a.confirmedAt !== undefined) || b.lastSeen - a.lastSeen)
      .slice(0, LIMITS.stays),
  );
  return stays.filter((s) => keep.has(s));
}
