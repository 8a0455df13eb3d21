import { describe, expect, it } from 'vitest';
import type { BBox, Detection } from '../../../core/types.js';
import { car, frame, run, shift, T0, zone } from '../fixtures.js';

/**
 * The same street sampled every 2, 5 or 10 s, at any phase, gives the same incidents. Each scene is what
 * the detector would report at any instant `t` (seconds); it is sampled as a camera schedule would sample
 * it, and the incidents are compared with the truth. Scenes keep a margin of one sampling interval
 * around each decision (a stay 40 s long against a 30 s dwell): sampling cannot show more than it sees.
 */

type Look = [number, number, number];
const RED: Look = [0.607, 0.246, 0.347];
const GREY: Look = [0.34, 0.35, 0.42];
const SPOT: BBox = [400, 450, 600, 600];
// The default reference scene: the zone is first watched before any vehicle came (the scenes begin empty).
const kerb = zone({ dwell: '30s', reference_scene: true });

const seen = (box: BBox, look: Look, label = 'car'): Detection => ({ ...car(box, 0.8, label), appearance: look });

interface Truth {
  /** When each expected incident's vehicle arrived (s): the first sighting lies within one interval after (two when the detector flickers). */
  arrivals: number[];
}

/** Samples `scene` every `every` s from `phase` for `duration` s; `miss(k)` drops the vehicles of sample k (detector flicker). */
function sample(scene: (t: number) => Detection[], every: number, phase: number, duration: number, miss: (k: number) => boolean = () => false) {
  const out = [];
  for (let k = 0, t = phase; t < duration; k++, t = phase + k * every) {
    const items = miss(k) ? scene(t).filter((d) => d.label !== 'car') : scene(t);
    out.push(frame(T0 + Math.round(t * 1000), items));
  }
  return out;
}

const RATES = [2, 5, 10];
const PHASES = [0, 0.7, 1.9, 4.3, 9.1];

function expectIncidents(scene: (t: number) => Detection[], duration: number, truth: Truth, miss?: (k: number) => boolean) {
  for (const every of RATES) {
    for (const phase of PHASES.filter((p) => p < every)) {
      const { events } = run([kerb], sample(scene, every, phase, duration, miss));
      const confirmed = events.filter((e) => e.type === 'confirmed');
      const at = `every ${every} s, phase ${phase} s`;
      expect(confirmed.length, at).toBe(truth.arrivals.length);
      confirmed.forEach((e, i) => {
        const first = (e.firstSeen - T0) / 1000;
        expect(first, at).toBeGreaterThanOrEqual(truth.arrivals[i]!);
        expect(first, at).toBeLessThan(truth.arrivals[i]! + (miss ? 2 : 1) * every);
        expect(e.confirmedAt - e.firstSeen, at).toBeGreaterThanOrEqual(30_000);
      });
    }
  }
}

describe('parking in time: the same incidents at 2, 5 and 10 s sampling, any phase', () => {
  it('a car parked 40 s in a 30 s zone, hidden 5 s in the middle by something the detector does not see: one ticket', () => {
    const scene = (t: number) => (t >= 10 && t < 50 && !(t >= 27 && t < 32) ? [seen(SPOT, RED)] : []);
    expectIncidents(scene, 80, { arrivals: [10] });
  });

  it('a car the detector misses in one sample of three: one ticket', () => {
    const scene = (t: number) => (t >= 10 && t < 70 ? [seen(shift(SPOT, 2), RED)] : []);
    expectIncidents(scene, 90, { arrivals: [10] }, (k) => k % 3 === 1);
  });

  it('a bus standing in front of the parked car for a minute: one ticket', () => {
    const bus: BBox = [330, 400, 700, 700];
    const scene = (t: number) => (t >= 10 && t < 130 ? (t >= 40 && t < 100 ? [seen(bus, GREY, 'bus')] : [seen(SPOT, RED)]) : []);
    expectIncidents(scene, 150, { arrivals: [10] });
  });

  it('a bus the detector sees standing in front of the car for 25 s (its box over the car\'s, lower in the picture): one ticket', () => {
    // The bus stands in the lane before the spot: it meets the ground lower than the car and covers it whole.
    const bus: BBox = [360, 420, 640, 640];
    // Seen standing (twice at any rate) before it is hidden: one sighting shows no stay worth keeping.
    const scene = (t: number) => (t >= 10 && t < 80 ? (t >= 35 && t < 60 ? [seen(bus, GREY, 'bus')] : [seen(SPOT, RED)]) : []);
    expectIncidents(scene, 100, { arrivals: [10] });
  });

  it('a car hidden for 60 s by something the detector does not see (its spot looks empty), back where it stood looking as it did: one ticket', () => {
    const scene = (t: number) => (t >= 10 && t < 120 && !(t >= 35 && t < 95) ? [seen(shift(SPOT, t % 3), RED)] : []);
    expectIncidents(scene, 140, { arrivals: [10] });
  });

  it('an IR camera switching to greyscale mid-stay (no colour, so no look, from then on): one ticket', () => {
    const scene = (t: number) => (t >= 10 && t < 60 ? [t < 30 ? seen(SPOT, RED) : car(shift(SPOT, 1))] : []);
    expectIncidents(scene, 80, { arrivals: [10] });
  });

  it('one car leaves and another parks in its place 8 s later: two tickets', () => {
    const scene = (t: number) => (t >= 10 && t < 60 ? [seen(SPOT, RED)] : t >= 68 && t < 120 ? [seen(shift(SPOT, 6, -3), GREY)] : []);
    expectIncidents(scene, 140, { arrivals: [10, 68] });
  });

  it('a queue at a light (each car stands 20 s, then drives off and the next stops there): no ticket', () => {
    // The first car arrives after the zone is first watched at every phase (a car standing at that sample is the street).
    const scene = (t: number) => {
      const c = Math.floor((t - 10) / 26);
      const s = t - 10 - c * 26;
      if (t < 10) return [];
      const look = c % 2 ? GREY : RED;
      // Stands for 20 s, then drives off down the lane over 4 s (and the next arrives 2 s later).
      return s < 20 ? [seen(shift(SPOT, (c % 3) * 8), look)] : s < 24 ? [seen(shift(SPOT, (s - 20) * 120, (s - 20) * 60), look)] : [];
    };
    expectIncidents(scene, 204, { arrivals: [] });
  });

  it('a car crawling along the kerb: no ticket', () => {
    const scene = (t: number) => [seen(shift([150, 450, 350, 600], t * 5), GREY)];
    expectIncidents(scene, 150, { arrivals: [] });
  });
});
