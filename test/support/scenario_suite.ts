import type { RuleEvent } from '../../core/types.js';
import type { Detector } from '../../detector/detector.js';
import { replayFile } from '../../pipeline/replay.js';
import { zoneSchema } from '../../rules/schema.js';
import { buildScenario, parkedCar, passingVehicle, STREET, type Scenario } from './scenario.js';

/**
 * The parking scenario suite: each case is a scenario video, the zone it is judged against, and the
 * incidents a careful operator would expect (first seen at about `firstSeenS` of media time). The test
 * suite runs the core cases; the eval runs them all and scores precision and recall.
 */
export interface SuiteCase {
  scenario: Scenario;
  /** Zone fields over the defaults (id kerb, kind no_parking, the street's zone, dwell 20s). */
  zone?: Record<string, unknown>;
  /** Epoch ms of media time 0 (schedules). Default: Thursday 2026-11-26 10:00 in Shanghai. */
  startAt?: number;
  /** When each expected vehicle arrives and drives off (seconds of media time). */
  expect: { firstSeenS: number; leftS: number }[];
  /** Seconds of media per sample (default 1). */
  everyS?: number;
  /** Part of the test suite (the rest run in the eval only). */
  core?: boolean;
}

export const DWELL_S = 20;
/** Thursday 2026-11-26 10:00 Asia/Shanghai. */
export const THURSDAY_10AM = Date.UTC(2026, 10, 26, 2, 0, 0);
/** Saturday 2026-11-28 10:00 Asia/Shanghai. */
export const SATURDAY_10AM = Date.UTC(2026, 10, 28, 2, 0, 0);
/** A first sighting within this of the expected time is the expected incident. */
export const TOLERANCE_S = 4;

const [SPOT, FAR_SPOT] = STREET.spots as [(typeof STREET.spots)[0], (typeof STREET.spots)[0]];
/** The lane through the zone (traffic that passes the spot) and one beside it. */
const ZONE_LANE = { x: 0.85, w: 0.2 };
const OTHER_LANE = { x: 0.45, w: 0.2 };

export const SUITE: SuiteCase[] = [
  { core: true, scenario: { name: 'parked-long', durationS: 45, actors: [parkedCar('redCar', SPOT, 4, 38)] }, expect: [{ firstSeenS: 4, leftS: 38 }] },
  { core: true, scenario: { name: 'parked-short', durationS: 30, actors: [parkedCar('redCar', SPOT, 4, 16)] }, expect: [] },
  {
    core: true,
    scenario: {
      name: 'driving-through',
      durationS: 40,
      actors: [0, 6, 12, 18, 24, 30].map((t, i) => passingVehicle((['redCar', 'whiteCar', 'greyCar', 'silverCar'] as const)[i % 4]!, i % 3 === 2 ? OTHER_LANE : ZONE_LANE, t + 1, 4 + (i % 3))),
    },
    expect: [],
  },
  {
    core: true,
    scenario: { name: 'occluded', durationS: 50, actors: [parkedCar('redCar', SPOT, 4, 44), passingVehicle('bus', { x: 0.8, w: 0.45 }, 18, 6)] },
    expect: [{ firstSeenS: 4, leftS: 44 }],
  },
  {
    core: true,
    scenario: { name: 'two-cars', durationS: 70, actors: [parkedCar('redCar', SPOT, 3, 30), parkedCar('silverCar', SPOT, 37, 64)] },
    expect: [{ firstSeenS: 3, leftS: 30 }, { firstSeenS: 37, leftS: 64 }],
  },
  {
    core: true,
    scenario: { name: 'outside-schedule', durationS: 45, actors: [parkedCar('redCar', SPOT, 4, 38)] },
    zone: { schedule: { windows: ['mon-fri 07:00-19:00'] } },
    startAt: SATURDAY_10AM,
    expect: [],
  },
  {
    core: true,
    scenario: { name: 'inside-schedule', durationS: 45, actors: [parkedCar('redCar', SPOT, 4, 38)] },
    zone: { schedule: { windows: ['mon-fri 07:00-19:00'] } },
    expect: [{ firstSeenS: 4, leftS: 38 }],
  },
  {
    core: true,
    scenario: { name: 'dusk', durationS: 60, actors: [parkedCar('redCar', SPOT, 4, 54)], light: [{ t: 0, v: 1 }, { t: 8, v: 1 }, { t: 56, v: 0.45 }] },
    expect: [{ firstSeenS: 4, leftS: 54 }],
  },
  // Eval only: more places, vehicles and kinds of traffic.
  { scenario: { name: 'far-spot', durationS: 45, actors: [parkedCar('whiteCar', FAR_SPOT, 5, 38)] }, expect: [{ firstSeenS: 5, leftS: 38 }] },
  { scenario: { name: 'mirrored-street', durationS: 45, mirror: true, actors: [parkedCar('greyCar', { ...SPOT, x: 1 - SPOT.x }, 4, 38)] }, zone: { polygon: STREET.zone.map(([x, y]) => [1 - x, y]).reverse() }, expect: [{ firstSeenS: 4, leftS: 38 }] },
  { scenario: { name: 'shaky-camera', durationS: 45, actors: [{ ...parkedCar('silverCar', SPOT, 4, 38), jitter: 5 }] }, expect: [{ firstSeenS: 4, leftS: 38 }] },
  {
    scenario: {
      name: 'crawling',
      durationS: 50,
      actors: [{ sprite: 'redCar', path: [{ t: 2, x: 0.7, y: 0.6, w: 0.12 }, { t: 48, x: 0.93, y: 0.98, w: 0.24 }] }],
    },
    expect: [],
  },
  {
    scenario: {
      name: 'red-light',
      durationS: 50,
      actors: [0, 24].map((t) => ({
        sprite: 'greyCar' as const,
        path: [
          { t, x: 0.7, y: 0.58, w: 0.1 },
          { t: t + 3, x: SPOT.x, y: SPOT.y, w: SPOT.w },
          { t: t + 15, x: SPOT.x, y: SPOT.y, w: SPOT.w },
          { t: t + 18, x: 0.9, y: 1.3, w: 0.3 },
        ],
      })),
    },
    expect: [],
  },
  {
    scenario: {
      name: 'pedestrians',
      durationS: 45,
      actors: [
        parkedCar('silverCar', SPOT, 4, 38),
        { sprite: 'person', path: [{ t: 12, x: 0.66, y: 0.97, w: 0.06 }, { t: 22, x: 1.02, y: 0.97, w: 0.06 }] },
        { sprite: 'person', flip: true, path: [{ t: 24, x: 1.02, y: 0.9, w: 0.05 }, { t: 32, x: 0.7, y: 0.9, w: 0.05 }] },
      ],
    },
    expect: [{ firstSeenS: 4, leftS: 38 }],
  },
  {
    scenario: { name: 'night-falls', durationS: 50, actors: [parkedCar('greyCar', SPOT, 4, 44)], light: [{ t: 0, v: 1 }, { t: 6, v: 1 }, { t: 48, v: 0.2 }] },
    expect: [{ firstSeenS: 4, leftS: 44 }],
  },
  {
    // Sampled every 3 s: the spot is empty for less than the grace (3 samples) between the two cars.
    scenario: { name: 'quick-swap-sparse', durationS: 70, actors: [parkedCar('redCar', SPOT, 3, 30, { approachS: 2 }), parkedCar('whiteCar', { ...SPOT, w: 0.19 }, 34, 64, { approachS: 2 })] },
    everyS: 3,
    expect: [{ firstSeenS: 3, leftS: 30 }, { firstSeenS: 34, leftS: 64 }],
  },
  {
    scenario: { name: 'busy-lane-beside', durationS: 60, actors: [parkedCar('greyCar', SPOT, 4, 52), ...[6, 14, 22, 30, 38].map((t) => passingVehicle('whiteCar', OTHER_LANE, t, 5))] },
    expect: [{ firstSeenS: 4, leftS: 52 }],
  },
];

export function suiteZone(c: SuiteCase) {
  return zoneSchema.parse({ id: 'kerb', kind: 'no_parking', polygon: STREET.zone, dwell: `${DWELL_S}s`, ...c.zone });
}

export interface CaseResult {
  name: string;
  expected: SuiteCase['expect'];
  /** Confirmed incidents in media seconds; `lastSeenS` when cleared before the video ended. */
  confirmed: { firstSeenS: number; confirmedAtS: number; lastSeenS?: number }[];
  events: RuleEvent[];
  truePositives: number;
}

/** Builds the video, replays it through the real detector and the rules, and matches incidents to the truth. */
export async function runCase(c: SuiteCase, detector: Detector, dir?: string): Promise<CaseResult> {
  const video = await buildScenario(c.scenario, dir);
  const startAt = c.startAt ?? THURSDAY_10AM;
  const camera = { id: 'scenario', timezone: 'Asia/Shanghai', zones: [suiteZone(c)] };
  const { events } = await replayFile(video, { camera, detector, startAt, everyMs: (c.everyS ?? 1) * 1000 });
  const s = (ms: number) => (ms - startAt) / 1000;
  const confirmed = events
    .filter((e) => e.type === 'confirmed')
    .map((e) => {
      const cleared = events.find((x) => x.type === 'cleared' && x.incidentId === e.incidentId);
      return { firstSeenS: s(e.firstSeen), confirmedAtS: s(e.confirmedAt), ...(cleared ? { lastSeenS: s(cleared.lastSeen) } : {}) };
    });
  // Each expected incident can be matched by one confirmed incident at most.
  const free = [...confirmed];
  let truePositives = 0;
  for (const x of c.expect) {
    const i = free.findIndex((e) => Math.abs(e.firstSeenS - x.firstSeenS) <= TOLERANCE_S);
    if (i >= 0) {
      free.splice(i, 1);
      truePositives++;
    }
  }
  return { name: c.scenario.name, expected: c.expect, confirmed, events, truePositives };
}
