import { describe, expect, it } from 'vitest';
import type { BBox, RuleEvent } from '../../core/types.js';
import { boxIou } from '../../core/geometry.js';
import { eligible } from '../../rules/parking/vehicles.js';
import type { NoParkingZone } from '../../rules/schema.js';
import { car, H, run, seconds, shift, T0, W, zone } from './fixtures.js';

const SPOT: BBox = [400, 450, 600, 600];
const kerb = zone({ dwell: '30s' });

const confirmed = (events: RuleEvent[]) => events.filter((e) => e.type === 'confirmed');

describe('no_parking: a vehicle that stays', () => {
  it('confirms once when the dwell is reached, with first seen and confirmed at the right samples, then clears after the grace', () => {
    // Parked from sample 5 to 59, then gone.
    const { events } = run([kerb], seconds(100, (i) => (i >= 5 && i < 60 ? [car(SPOT)] : [])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared']);
    const [c, cl] = events;
    expect(c!.firstSeen).toBe(T0 + 5_000);
    expect(c!.confirmedAt).toBe(T0 + 35_000);
    expect(c!.incidentId).toBe(`cam-1:kerb:${T0 + 5_000}`);
    expect(c!.subject).toMatchObject({ label: 'car', box: SPOT });
    expect(cl!.incidentId).toBe(c!.incidentId);
    expect(cl!.lastSeen).toBe(T0 + 59_000);
    // Default grace: the spot seen empty for 30 s after the last sighting.
    expect(cl!.ts).toBe(T0 + 89_000);
  });

  it('files nothing for a vehicle that leaves before the dwell', () => {
    expect(run([kerb], seconds(60, (i) => (i >= 5 && i < 30 ? [car(SPOT)] : []))).events).toEqual([]);
  });

  it('tolerates detector jitter of a few pixels and score wobble', () => {
    const jitter = (i: number) => ((i * 7919) % 9) - 4;
    const { events } = run([kerb], seconds(45, (i) => [car(shift(SPOT, jitter(i), jitter(i + 3)), 0.5 + (i % 3) * 0.15)]));
    expect(confirmed(events)).toHaveLength(1);
  });

  it('survives short detector misses (fewer samples than the grace)', () => {
    const { events } = run([kerb], seconds(45, (i) => (i % 10 === 4 || i % 10 === 5 ? [] : [car(SPOT)])));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]!.firstSeen).toBe(T0);
  });
});

describe('no_parking: vehicles that do not park', () => {
  it('ignores traffic driving through the zone', () => {
    const { events } = run([kerb], seconds(120, (i) => [car(shift([0, 450, 200, 600], (i % 40) * 30))]));
    expect(events).toEqual([]);
  });

  it('ignores a car crawling in a queue (the box does not stay where it stopped)', () => {
    // 6 px per second: a car length (200 px) in half a minute, the whole zone over the test.
    const { events } = run([kerb], seconds(120, (i) => [car(shift([150, 450, 350, 600], i * 6))]));
    expect(events).toEqual([]);
  });

  it('ignores a car creeping slowly (5 px a second: its average position lags, where it stopped does not)', () => {
    const { events } = run([zone({ dwell: '20s' })], seconds(120, (i) => [car(shift([150, 450, 350, 600], i * 5))]));
    expect(events).toEqual([]);
  });

  it('ignores a car stopped for a red light shorter than the dwell, repeatedly', () => {
    // Each car drives off (tracked as it goes) and the next one stops in its place.
    const { events } = run([kerb], seconds(120, (i) => (i % 40 < 25 ? [car(SPOT)] : [car(shift(SPOT, ((i % 40) - 24) * 40))])));
    expect(events).toEqual([]);
  });
});

describe('no_parking: a stream of different cars through one spot', () => {
  // Moving traffic in the near lane, as YOLOX boxes it on video_road_cars_9s.mp4: cars come down the lane
  // towards the camera at about 80 px right and 125 px down a second, growing as they near, one every 1.5–3 s;
  // most of them dark grey (looks within the same-car tolerance of each other), now and then a white or red one.
  const lane = zone({ polygon: [[0.15, 0.62], [0.95, 0.62], [0.95, 0.98], [0.15, 0.98]], dwell: '8s' });
  const GREYS: [number, number, number][] = [[0.34, 0.35, 0.42], [0.36, 0.36, 0.42], [0.335, 0.344, 0.416], [0.39, 0.41, 0.49]];
  const cars = Array.from({ length: 60 }, (_, k) => ({
    enters: k * 2.2 + (((k * 7919) % 7) - 3) * 0.25,
    speed: 0.85 + ((k * 104729) % 5) * 0.08,
    look: k % 7 === 3 ? ([0.79, 0.78, 0.8] as [number, number, number]) : k % 11 === 5 ? ([0.62, 0.27, 0.37] as [number, number, number]) : GREYS[k % 4]!,
  }));
  /** The cars on the road at `t` s: a box sliding down the lane (clipped at the frame's bottom), with its look. */
  const traffic = (t: number) =>
    cars.flatMap(({ enters, speed, look }) => {
      const s = (t - enters) * speed;
      if (s < 0 || s > 4) return [];
      const box: BBox = [420 + 80 * s, 300 + 125 * s, 610 + 95 * s, 450 + 150 * s];
      if (box[1] >= H) return [];
      return [{ ...car([box[0], box[1], box[2], Math.min(box[3], H)], 0.85), appearance: look }];
    });

  for (const everyS of [0.5, 1, 2]) {
    it(`files nothing for moving traffic sampled every ${everyS} s, however often a car stands where another stood`, () => {
      const samples = seconds(Math.round(120 / everyS), (i) => traffic(i * everyS), T0, everyS * 1000);
      // Some car stands where a parked one would (IoU ≥ 0.5 with one spot) in a quarter of the samples or more: not vacuous.
      const spot: BBox = [540, 488, 753, 675];
      const busy = samples.filter((d) => d.items.some((x) => boxIou(x.box, spot) >= 0.5)).length;
      expect(busy / samples.length).toBeGreaterThan(0.25);
      expect(run([lane], samples).events).toEqual([]);
    });
  }

  it('still files the car that parks in that lane while the stream flows past beside it', () => {
    const parked: BBox = [200, 470, 400, 620];
    const grey = { ...car(parked), appearance: GREYS[0]! };
    const { events } = run([lane], seconds(40, (i) => [...traffic(i).filter((d) => d.box[0] > 430), grey]));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]).toMatchObject({ firstSeen: T0, confirmedAt: T0 + 8_000 });
  });
});

describe('no_parking: occlusion, turnover, duplicates', () => {
  it('keeps the dwell through a bus passing in front for several samples', () => {
    const bus = (i: number) => car([200 + (i - 20) * 50, 380, 760 + (i - 20) * 50, 700], 0.9, 'bus');
    const { events } = run([kerb], seconds(50, (i) => (i >= 20 && i < 28 ? [bus(i)] : [car(SPOT)])));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]!.firstSeen).toBe(T0);
    expect(events[0]!.confirmedAt).toBe(T0 + 30_000);
  });

  it('keeps the stay of a car seen once, hidden 30 s by something the detector does not see, and back exactly where it stood', () => {
    // Sampled every 5 s: one sighting, six empty samples, then the same box (detector jitter) for 20 s. With
    // one gap it needs more than two sightings: confirmed at the second one after the gap.
    const { events } = run([kerb], seconds(12, (i) => (i === 0 || i >= 7 ? [car(shift(SPOT, i % 2))] : []), T0, 5000));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]).toMatchObject({ firstSeen: T0, confirmedAt: T0 + 40_000 });
  });

  it('does not take a static false detection over the spot (there while the car was too) for something hiding it', () => {
    // A box over the whole road (wheels outside the zone), as YOLOX-nano draws on an empty road: now and
    // then while the car stands there, all the time once the road is empty.
    const ghost = car([50, 150, 1250, 700], 0.4, 'car');
    const samples = seconds(100, (i) => {
      const parked = i < 40;
      const g = !parked || i % 4 < 2 ? [ghost] : [];
      return (parked ? [car(SPOT)] : []).concat(g);
    });
    // The spot is seen empty once the car has left, not hidden: its incident is cleared after the grace.
    const { events } = run([zone({ dwell: '30s', clear_grace: '5s' })], samples);
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared']);
    expect(events[1]!.ts).toBe(T0 + 44_000);
  });

  it('does not believe a still box many times the car over the spot once it is empty (YOLOX on an empty road)', () => {
    const road = car([50, 150, 1250, 690], 0.45, 'car');
    const b: BBox = [405, 448, 607, 602];
    // Car A until 40 s; the empty road then shows the ghost; car B, grey where A was red, parks in the same place at 46 s.
    const a = { ...car(SPOT), appearance: [0.607, 0.246, 0.347] as [number, number, number] };
    const other = { ...car(b), appearance: [0.34, 0.35, 0.42] as [number, number, number] };
    const { events } = run([zone({ dwell: '30s', clear_grace: '3s' })], seconds(100, (i) => (i < 40 ? [a] : i < 46 ? [road] : [other, road])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
    expect(events[1]!.ts).toBeLessThanOrEqual(T0 + 43_000);
    expect(events[2]!.firstSeen).toBe(T0 + 46_000);
  });

  it('still believes a stopped bus of plausible size in front of the car', () => {
    const bus = car([330, 400, 700, 700], 0.9, 'bus');
    const { events } = run([kerb], seconds(60, (i) => (i >= 20 && i < 40 ? [bus] : [car(SPOT)])));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
  });

  it('a new car taking the spot after the first leaves is a new incident, even within the grace', () => {
    const b: BBox = [410, 445, 615, 605];
    const red = { ...car(SPOT), appearance: [0.607, 0.246, 0.347] as [number, number, number] };
    const grey = { ...car(b), appearance: [0.34, 0.35, 0.42] as [number, number, number] };
    const { events } = run([kerb], seconds(100, (i) => (i < 40 ? [red] : i >= 45 ? [grey] : [])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
    expect(events[0]!.incidentId).not.toBe(events[2]!.incidentId);
    expect(events[2]!.firstSeen).toBe(T0 + 45_000);
  });

  it('tells a different car taking the spot between two samples from the same car seen again after a miss', () => {
    // Measured on the scenario videos: the red car, the other car, the red car at dusk.
    const red: [number, number, number] = [0.607, 0.246, 0.347];
    const other: [number, number, number] = [0.632, 0.322, 0.43];
    const redAtDusk: [number, number, number] = [0.349, 0.145, 0.203];
    const look = (box: BBox, appearance: [number, number, number]) => ({ ...car(box), appearance });
    // Sampled every 10 s with a 3-sample grace: A leaves after 50 s, B is there two samples later.
    const swap = seconds(15, (i) => (i < 5 ? [look(SPOT, red)] : i < 7 ? [] : [look(shift(SPOT, 4), other)]), T0, 10_000);
    const z = zone({ dwell: '30s' });
    const { events } = run([z], swap);
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
    expect(events[2]!.firstSeen).toBe(T0 + 70_000);
    // The same car missed for two samples, darker when seen again: one stay.
    const again = seconds(15, (i) => (i < 5 ? [look(SPOT, red)] : i < 7 ? [] : [look(SPOT, redAtDusk)]), T0, 10_000);
    expect(run([z], again).events.map((e) => e.type)).toEqual(['confirmed']);
    // Without looks (a detector pipeline that gives none) the grace alone decides: one stay.
    const blind = seconds(15, (i) => (i < 5 ? [car(SPOT)] : i < 7 ? [] : [car(shift(SPOT, 4))]), T0, 10_000);
    expect(run([z], blind).events.map((e) => e.type)).toEqual(['confirmed']);
  });

  it('counts the departing car, still tracked as it drives off, as gone rather than hiding its own spot', () => {
    const { events } = run([kerb], seconds(60, (i) => (i < 40 ? [car(SPOT)] : i < 44 ? [car(shift(SPOT, (i - 39) * 60))] : [])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared']);
    expect(events[1]!.ts).toBeLessThanOrEqual(T0 + 43_000);
  });

  it('files one incident for a car partly hidden for a while (its box shrinks to the visible part)', () => {
    const part: BBox = [400, 450, 480, 600];
    const { events } = run([kerb], seconds(70, (i) => [car(i >= 10 && i < 40 ? part : SPOT)]));
    expect(events.map((e) => e.type)).toEqual(['confirmed']);
    expect(events[0]).toMatchObject({ firstSeen: T0, confirmedAt: T0 + 40_000 });
  });

  it('files one incident for a truck whose cab is also reported as a car', () => {
    const { events } = run([kerb], seconds(40, () => [car([300, 350, 700, 600], 0.8, 'truck'), car([320, 360, 450, 480], 0.6, 'car')]));
    expect(confirmed(events)).toHaveLength(1);
    expect(confirmed(events)[0]!.subject.label).toBe('truck');
  });

  it('files one incident for a vehicle reported twice under two labels', () => {
    const { events } = run([kerb], seconds(40, () => [car(SPOT, 0.7, 'truck'), car(shift(SPOT, 3), 0.6, 'car')]));
    expect(confirmed(events)).toHaveLength(1);
  });

  it('files two incidents, with distinct ids, for two cars parked side by side at the same moment', () => {
    const { events } = run([kerb], seconds(40, () => [car(SPOT), car([700, 450, 900, 600])]));
    const ids = confirmed(events).map((e) => e.incidentId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it('ends a stay hidden for longer than max_hidden, and re-confirms only after a full new dwell', () => {
    const z = zone({ dwell: '30s', max_hidden: '20s' });
    const truck = car([300, 380, 800, 700], 0.9, 'truck');
    const { events } = run([z], seconds(130, (i) => (i >= 40 && i < 70 ? [truck] : [car(SPOT)])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
  });
});

describe('no_parking: cooldown per spot', () => {
  it('holds back a new incident in the same spot until the cooldown has passed', () => {
    const z = zone({ dwell: '10s', cooldown: '60s', clear_grace: '5s' });
    // A red car, then a grey one in the same spot (the same car back would continue its stay).
    const red = { ...car(SPOT), appearance: [0.607, 0.246, 0.347] as [number, number, number] };
    const grey = { ...car(SPOT), appearance: [0.34, 0.35, 0.42] as [number, number, number] };
    const { events } = run([z], seconds(150, (i) => (i < 20 ? [red] : i >= 30 && i < 140 ? [grey] : [])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed', 'cleared']);
    const cleared = events[1]!.ts;
    expect(events[2]!.confirmedAt).toBeGreaterThanOrEqual(cleared + 60_000);
    expect(events[2]!.firstSeen).toBe(T0 + 30_000);
  });

  it('does not hold back a different spot', () => {
    const z = zone({ dwell: '10s', cooldown: '60s', clear_grace: '5s' });
    const { events } = run([z], seconds(60, (i) => (i < 20 ? [car(SPOT)] : i >= 30 ? [car([800, 450, 1000, 600])] : [])));
    expect(events.map((e) => e.type)).toEqual(['confirmed', 'cleared', 'confirmed']);
    expect(events[2]!.confirmedAt).toBe(T0 + 40_000);
  });
});

describe('no_parking: clear_grace as a duration', () => {
  it('waits for the vehicle to be gone that long', () => {
    const z = zone({ clear_grace: '10s' });
    const { events } = run([z], seconds(60, (i) => (i < 40 ? [car(SPOT)] : [])));
    expect(events[1]).toMatchObject({ type: 'cleared', ts: T0 + 49_000, lastSeen: T0 + 39_000 });
  });
});

describe('no_parking: which detections count', () => {
  const frameSize = { width: W, height: H };
  const z = zone({}) as NoParkingZone;

  it('counts vehicle classes only, above the score and size limits', () => {
    expect(eligible(car(SPOT), z, frameSize)).toBe(true);
    expect(eligible(car(SPOT, 0.8, 'person'), z, frameSize)).toBe(false);
    expect(eligible(car(SPOT, 0.2), z, frameSize)).toBe(false);
    expect(eligible(car([400, 590, 408, 600]), z, frameSize)).toBe(false);
  });

  it('tests presence at the bottom centre by default, or by overlap when configured', () => {
    // Box mostly above the zone with its wheels just inside.
    const tall: BBox = [400, 100, 600, 400];
    expect(eligible(car(tall), z, frameSize)).toBe(true);
    const byOverlap = zone({ presence: 'overlap', min_overlap: 0.5 }) as NoParkingZone;
    expect(eligible(car(tall), byOverlap, frameSize)).toBe(false);
    expect(eligible(car(SPOT), byOverlap, frameSize)).toBe(true);
    // Wheels below the zone's lower edge but most of the box inside.
    const overhang: BBox = [400, 500, 600, 700];
    expect(eligible(car(overhang), z, frameSize)).toBe(false);
    expect(eligible(car(overhang), byOverlap, frameSize)).toBe(true);
  });

  it('accepts a weisu category as a class', () => {
    const z2 = zone({ classes: ['vehicle'] }) as NoParkingZone;
    expect(eligible(car(SPOT, 0.8, 'truck'), z2, frameSize)).toBe(true);
  });
});

describe('no_parking: schedule', () => {
  // T0 is Thursday 10:00 in Shanghai.
  it('files nothing outside the schedule', () => {
    const z = zone({ schedule: { windows: ['mon-fri 12:00-19:00'] } });
    expect(run([z], seconds(90, () => [car(SPOT)])).events).toEqual([]);
  });

  it('counts the dwell from the start of the window for a vehicle already parked, keeping its first sighting', () => {
    // Parked from 09:59:00; the sign applies from 10:00:00.
    const z = zone({ dwell: '30s', schedule: { windows: ['thu 10:00-11:00'] } });
    const { events } = run([z], seconds(120, () => [car(SPOT)], T0 - 60_000));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ firstSeen: T0 - 60_000, confirmedAt: T0 + 30_000 });
  });

  it('does not confirm on an excepted date', () => {
    const z = zone({ schedule: { windows: ['daily 00:00-24:00'], except: ['2026-11-26'] } });
    expect(run([z], seconds(90, () => [car(SPOT)])).events).toEqual([]);
  });
});
