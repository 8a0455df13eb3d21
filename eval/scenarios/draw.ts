import { parkedCar, passingVehicle, prng, STREET, type Actor, type Scenario, type SpriteName, type SpriteSource } from '../../sample/compose.js';

/**
 * The generated parking scenarios: one seed → one street scene with known truth, every parameter drawn at
 * random (traffic kind, occlusion kind and length, sampling interval and phase, light, the IR greyscale
 * switch, jitter, compression, which cars). Pure and deterministic: the same seed is the same scenario, so
 * a failing bucket can be replayed one scenario at a time (`npm run eval -- --seed S --count 1`).
 */

/** Why a scenario is in a bucket: one value per parameter, as printed in the eval's tables. */
export type Params = Record<Param, string>;
export const PARAMS = ['interval', 'traffic', 'cars', 'occlusion', 'occlusion length', 'lighting', 'greyscale', 'jitter', 'compression', 'spot', 'dwell', 'background look-alike'] as const;
export type Param = (typeof PARAMS)[number];

export interface DrawnScenario {
  seed: number;
  scenario: Scenario;
  /** Zone fields over the suite's defaults (no_parking over STREET.zone). */
  zone: { polygon: [number, number][]; dwell: string };
  dwellS: number;
  /** Seconds of media between samples, and when the first one is taken. */
  everyS: number;
  phaseS: number;
  /** The stays a careful operator would ticket: the vehicle arrives (stands) at `firstSeenS`, drives off at `leftS`. */
  expect: { firstSeenS: number; leftS: number }[];
  params: Params;
}

/**
 * Things a detector does not know, cut from real photographs (litter/, MIT): a stretch of brick wall with a
 * window (a board or a van side carried past) and a pile of rubbish bags on a cart. Checked by the eval's
 * own test: the detector finds no vehicle in them.
 */
export const UNDETECTED_OCCLUDERS: SpriteSource[] = [
  { image: 'litter/input5_frame273.jpg', box: [0, 0, 380, 560] },
  { image: 'litter/input5_frame273.jpg', box: [120, 470, 1240, 980] },
];

/**
 * The street's own roadside loudspeaker box (road_cars_1s.jpg), the kind of thing a detector has called
 * "bus 67 %": set in the zone before any vehicle comes and never leaving, it is background, never a stay.
 */
const LOUDSPEAKER_BOX: SpriteSource = { image: 'street/road_cars_1s.jpg', box: [88, 132, 178, 240] };

/** Cars that look alike to a mean-colour look (white, silver, grey) and one that does not (red). */
const ALIKE: SpriteName[] = ['whiteCar', 'silverCar', 'greyCar'];
const CARS: SpriteName[] = ['redCar', ...ALIKE];
const TRAFFIC = ['parked', 'parked', 'parked', 'short', 'passing', 'crawling', 'queueing', 'two in turn', 'two in turn'] as const;

type Spot = { x: number; y: number; w: number };

export function drawScenario(seed: number): DrawnScenario {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const between = (a: number, b: number) => a + r() * (b - a);
  const whole = (a: number, b: number) => Math.round(between(a, b));

  const everyS = pick([2, 5, 10]);
  const phaseS = +between(0, everyS).toFixed(1);
  const dwellS = pick([20, 30]);
  const traffic = pick(TRAFFIC);
  const mirror = r() < 0.3;
  const far = r() < 0.3;
  const base = STREET.spots[far ? 1 : 0]!;
  const spot: Spot = { ...base, x: mirror ? 1 - base.x : base.x, w: base.w * between(0.92, 1.08) };
  const jitter = pick([0.5, 2, 4]);
  const quality = pick([90, 60, 35]);
  const lighting = pick(['steady', 'steady', 'dusk', 'cloud'] as const);
  const grey = r() < 0.25;
  const lookAlike = r() < 0.2;

  // Drawn first (behind everything), away from the parking spot.
  const actors: Actor[] = [];
  if (lookAlike) {
    const at = far ? { x: 0.92, y: 0.95 } : { x: 0.7, y: 0.64 };
    actors.push({ sprite: LOUDSPEAKER_BOX, jitter: 0.5, flip: mirror, path: [{ t: 0, x: mirror ? 1 - at.x : at.x, y: at.y, w: 0.07 }, { t: 1e6, x: mirror ? 1 - at.x : at.x, y: at.y, w: 0.07 }] });
  }
  const expect: DrawnScenario['expect'] = [];
  // Occlusion (of the first stay, when there is one): drawn first, so the stay is long enough to hold it.
  const hides = r() < 0.6;
  const hiddenBy = r() < 0.5 ? ('detected' as const) : ('undetected' as const);
  // A vehicle standing in front for the dwell would be a stay of its own: detected occluders stop for less.
  const hiddenS = whole(2, hiddenBy === 'detected' ? dwellS - 8 : 30);
  /** A stay seen for the dwell even when its first and last samples fall a whole interval inside it, and long enough to be hidden in. */
  const stayS = (extra: number) => Math.max(dwellS + 2 * everyS + 5, hiddenS + 12) + whole(0, extra);
  let occlusion: 'none' | 'detected' | 'undetected' = 'none';
  let occlusionS = 0;
  const carName = pick(CARS);
  let cars = 'one at a time';
  let end: number;
  /** When something stands in front of the stay at `spot` from `from` for `occlusionS` (drawn below). */
  let stayForOcclusion: [number, number] | undefined;
  const car = (name: SpriteName, from: number, to: number, at = spot) => ({ ...parkedCar(name, at, from, to, { jitter }), flip: mirror });

  if (traffic === 'parked' || traffic === 'short') {
    const from = whole(2, 8);
    const stay = traffic === 'parked' ? stayS(20) : whole(3, dwellS - 10);
    actors.push(car(carName, from, from + stay));
    if (traffic === 'parked') {
      expect.push({ firstSeenS: from, leftS: from + stay });
      stayForOcclusion = [from, from + stay];
    }
    end = from + stay + 6;
  } else if (traffic === 'two in turn') {
    const alike = r() < 0.5;
    const first = alike ? pick(ALIKE) : pick(CARS);
    const others = (alike ? ALIKE : CARS).filter((c) => c !== first && (alike || c === 'redCar' || first === 'redCar'));
    const second = pick(others.length ? others : ALIKE.filter((c) => c !== first));
    cars = alike ? 'look-alike' : 'different';
    const a1 = whole(2, 6);
    const l1 = stayS(15);
    const gap = whole(0, 15);
    const a2 = a1 + l1 + 3 + gap;
    const l2 = stayS(15);
    actors.push(car(first, a1, a1 + l1), car(second, a2, a2 + l2, { ...spot, w: spot.w * between(0.95, 1.05) }));
    expect.push({ firstSeenS: a1, leftS: a1 + l1 }, { firstSeenS: a2, leftS: a2 + l2 });
    stayForOcclusion = [a1, a1 + l1];
    end = a2 + l2 + 6;
  } else if (traffic === 'passing') {
    const n = whole(3, 6);
    let t = 1;
    for (let i = 0; i < n; i++) {
      const lane = { x: mirror ? 1 - 0.85 : 0.85, w: 0.2 };
      actors.push({ ...passingVehicle(pick(CARS), lane, t, whole(3, 7)), flip: mirror });
      t += whole(4, 9);
    }
    end = t + 8;
  } else if (traffic === 'crawling') {
    // Bumper to bumper along the shoulder: always moving, a few pixels per second, never standing.
    const span = whole(dwellS + 10, dwellS + 40);
    const x = (v: number) => (mirror ? 1 - v : v);
    actors.push({ sprite: carName, jitter, flip: mirror, path: [{ t: 2, x: x(0.7), y: 0.6, w: 0.12 }, { t: 2 + span, x: x(0.93), y: 0.98, w: 0.24 }] });
    end = span + 6;
  } else {
    // Queueing at a light: cars in turn stop at the spot, each for less than the dwell, and drive on. Two
    // in a row are never the same photograph: the same car twice at the same stop line, its swap between
    // two samples, is one car standing to any camera (no truth a sampled rule could reach).
    let t = 0;
    let last: SpriteName | undefined;
    for (let i = whole(2, 3); i > 0; i--) {
      const stop = whole(5, dwellS - 8);
      last = pick(CARS.filter((c) => c !== last));
      actors.push({
        sprite: last,
        flip: mirror,
        jitter,
        path: [
          { t, x: mirror ? 0.3 : 0.7, y: 0.58, w: spot.w * 0.5 },
          { t: t + 3, ...spot },
          { t: t + 3 + stop, ...spot },
          { t: t + 6 + stop, x: mirror ? 0.1 : 0.9, y: 1.3, w: spot.w * 1.5 },
        ],
      });
      t += 4 + stop;
    }
    end = t + 8;
  }

  if (stayForOcclusion && hides) {
    const [from, to] = stayForOcclusion;
    occlusion = hiddenBy;
    occlusionS = hiddenS;
    const at = whole(from + 5, to - occlusionS - 5);
    actors.push(occluder(occlusion, spot, at, occlusionS, mirror));
  }

  // The zone is watched before anything comes: what stands in it at the first sample is its reference
  // scene (the street), so every vehicle starts moving after that sample (the phase is below one interval).
  const lead = everyS + 1;
  const moving = actors.map((a) => (a.sprite === LOUDSPEAKER_BOX ? a : { ...a, path: a.path.map((p) => ({ ...p, t: p.t + lead })) }));
  const truth = expect.map((x) => ({ firstSeenS: x.firstSeenS + lead, leftS: x.leftS + lead }));
  end += lead;

  const light: Scenario['light'] =
    lighting === 'dusk'
      ? [{ t: 0, v: 1 }, { t: end * 0.2, v: 1 }, { t: end, v: between(0.35, 0.6) }]
      : lighting === 'cloud'
        ? [{ t: 0, v: 1 }, { t: end * 0.3, v: 1 }, { t: end * 0.4, v: between(0.45, 0.7) }, { t: end * 0.6, v: 1 }]
        : undefined;
  const greyscaleFrom = grey ? whole(end * 0.2, end * 0.7) : undefined;
  const scenario: Scenario = { name: `g${seed}`, durationS: end, width: 640, actors: moving, mirror, seed, quality, ...(light ? { light } : {}), ...(greyscaleFrom !== undefined ? { greyscaleFrom } : {}) };
  const zone = { polygon: mirror ? STREET.zone.map(([x, y]) => [1 - x, y] as [number, number]).reverse() : STREET.zone, dwell: `${dwellS}s` };
  const params: Params = {
    interval: `${everyS}s`,
    traffic,
    cars,
    occlusion,
    'occlusion length': occlusion === 'none' ? '-' : occlusionS <= 5 ? '≤5s' : occlusionS <= 15 ? '6–15s' : '16–30s',
    lighting,
    greyscale: grey ? 'switches' : 'colour',
    jitter: `${jitter}px`,
    compression: `q${quality}`,
    spot: `${far ? 'far' : 'near'}${mirror ? ' mirrored' : ''}`,
    dwell: `${dwellS}s`,
    'background look-alike': lookAlike ? 'in zone' : 'none',
  };
  return { seed, scenario, zone, dwellS, everyS, phaseS, expect: truth, params };
}

/**
 * Something standing in front of the spot for `seconds`: a vehicle stopping in the lane beside it (the
 * detector sees it) or a thing it does not know, moved in from the side and away again in a second.
 */
function occluder(kind: 'detected' | 'undetected', spot: Spot, at: number, seconds: number, mirror: boolean): Actor {
  const side = mirror ? -1 : 1;
  // Nearer the camera than the car: lower in the picture and a little larger.
  const which = kind === 'detected' ? -1 : at % UNDETECTED_OCCLUDERS.length;
  const sprite = which < 0 ? ('bus' as const) : UNDETECTED_OCCLUDERS[which]!;
  // Widths that make each occluder (by its shape) about as tall as the car or taller: the car is hidden, not framed.
  const width = [1.6, 1, 2.2][which + 1]!;
  const front = { x: spot.x - side * spot.w * 0.1, y: Math.min(1.02, spot.y + 0.05), w: spot.w * width };
  const off = { ...front, x: front.x - side * 0.5 };
  return { sprite, path: [{ t: at - 1, ...off }, { t: at, ...front }, { t: at + seconds, ...front }, { t: at + seconds + 1, ...off }] };
}
