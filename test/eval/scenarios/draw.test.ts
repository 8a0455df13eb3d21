import { describe, expect, it } from 'vitest';
import { drawScenario, PARAMS } from '../../../eval/scenarios/draw.js';
import { sampleTimes } from '../../../eval/scenarios/observe.js';

const SEEDS = Array.from({ length: 500 }, (_, i) => i + 1);

describe('drawScenario', () => {
  it('is deterministic: the same seed is the same scenario', () => {
    expect(drawScenario(42)).toEqual(drawScenario(42));
    expect(drawScenario(42)).not.toEqual(drawScenario(43));
  });

  it('over 500 seeds, draws every value of every parameter many times', () => {
    const drawn = SEEDS.map(drawScenario);
    const values = (p: (typeof PARAMS)[number]) => new Map([...new Set(drawn.map((d) => d.params[p]))].map((v) => [v, drawn.filter((d) => d.params[p] === v).length]));
    expect([...values('interval').keys()].sort()).toEqual(['10s', '2s', '5s']);
    expect([...values('traffic').keys()].sort()).toEqual(['crawling', 'parked', 'passing', 'queueing', 'short', 'two in turn']);
    expect([...values('occlusion').keys()].sort()).toEqual(['detected', 'none', 'undetected']);
    expect([...values('cars').keys()].sort()).toEqual(['different', 'look-alike', 'one at a time']);
    for (const p of PARAMS) for (const [v, n] of values(p)) expect(n, `${p} = ${v}`).toBeGreaterThanOrEqual(10);
  });

  it('expects only stays that are decidable at any sampling rate, and samples every interval from the phase', () => {
    for (const d of SEEDS.map(drawScenario)) {
      // Seen for at least the dwell even when the first and last samples fall a whole interval inside the stay.
      for (const x of d.expect) expect(x.leftS - x.firstSeenS - 2 * d.everyS, `seed ${d.seed}`).toBeGreaterThanOrEqual(d.dwellS);
      expect(d.scenario.durationS).toBeGreaterThan(Math.max(0, ...d.expect.map((x) => x.leftS)));
      const times = sampleTimes(d.scenario.durationS, d.everyS, d.phaseS);
      expect(times[0]).toBe(d.phaseS);
      times.slice(1).forEach((t, i) => expect(t - times[i]!).toBeCloseTo(d.everyS, 6));
    }
  });

  it('never queues the same photograph twice in a row (the same car to any camera)', () => {
    for (const d of SEEDS.map(drawScenario).filter((x) => x.params.traffic === 'queueing')) {
      const cars = d.scenario.actors.map((a) => a.sprite).filter((x) => typeof x === 'string');
      cars.slice(1).forEach((c, i) => expect(c, `seed ${d.seed}`).not.toBe(cars[i]));
    }
  });

  it('lets the zone be watched before anything comes: no vehicle or occluder has started moving at the first sample', () => {
    for (const d of SEEDS.map(drawScenario)) {
      // Only the street's own loudspeaker box stands from time 0 (it is the reference scene: background).
      const early = d.scenario.actors.filter((a) => a.path[0]!.t <= d.phaseS && a.path[a.path.length - 1]!.t < 1e5);
      expect(early, `seed ${d.seed}`).toEqual([]);
      for (const x of d.expect) expect(x.firstSeenS, `seed ${d.seed}`).toBeGreaterThan(d.phaseS);
    }
  });
});
