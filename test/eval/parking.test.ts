import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDetector, type Detector } from '../../detector/detector.js';
import { evalParking, sweepParking } from '../../eval/parking.js';
import { PARAMS, UNDETECTED_OCCLUDERS } from '../../eval/scenarios/draw.js';
import { observe, sampleTimes } from '../../eval/scenarios/observe.js';
import { precision, recall } from '../../eval/scenarios/report.js';
import { observeSuite, START_AT } from '../../eval/scenarios/suite.js';
import { STREET } from '../support/scenario.js';
import { MODELS_DIR } from '../support/paths.js';

/**
 * The eval itself works, on 10 generated scenarios through the real detector and rules (`npm run eval`
 * runs 500): every sample observed, every scenario in one bucket per parameter, a rule that never tickets
 * scored as missing every stay, and the cache giving back exactly what was observed.
 */
let detector: Detector;
const cacheDir = mkdtempSync(join(tmpdir(), 'weisu-eval-test-'));
beforeAll(async () => {
  detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
});
afterAll(async () => {
  await detector?.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('npm run eval on 10 scenarios', () => {
  let result: Awaited<ReturnType<typeof evalParking>>;
  beforeAll(async () => {
    result = await evalParking(detector, { seed: 1, count: 10, cacheDir });
  }, 600_000);

  it('observes every sample of every scenario and counts the vehicles standing in the zone', () => {
    expect(result.runs).toHaveLength(10);
    for (const { drawn, observation } of result.runs) {
      expect(observation.detections.map((d) => d.ts)).toEqual(sampleTimes(drawn.scenario.durationS, drawn.everyS, drawn.phaseS).map((t) => START_AT + Math.round(t * 1000)));
    }
    const { zoneVehicles, zoneFound } = result.score.overall;
    expect(zoneVehicles).toBeGreaterThan(0);
    expect(zoneFound / zoneVehicles).toBeGreaterThan(0.9);
  });

  it('puts each scenario in exactly one bucket of every parameter', () => {
    for (const p of PARAMS) expect([...result.score.buckets.get(p)!.values()].reduce((n, t) => n + t.scenarios, 0)).toBe(10);
    const stays = result.runs.reduce((n, r) => n + r.drawn.expect.length, 0);
    expect(stays).toBeGreaterThan(0);
    expect(result.score.overall.tp + result.score.overall.fn).toBe(stays);
  });

  it('scores the rules: some stays found by the defaults, none by a rule that never tickets', () => {
    expect(recall(result.score.overall)).toBeGreaterThan(0);
    expect(precision(result.score.overall)).toBeGreaterThan(0);
    const [never] = sweepParking(result.runs, [{ name: 'dwell 1h', zone: { dwell: '1h' } }]);
    expect(never).toEqual(['dwell 1h', '1.000', '0.000', expect.stringMatching(/recall 0\.000$/)]);
  });

  it('gives back from the cache exactly what was observed, without the detector', async () => {
    const seen: boolean[] = [];
    const again = await observeSuite(1, 10, detector, { cacheDir, progress: (_i, _r, cached) => seen.push(cached) });
    expect(seen).toEqual(Array(10).fill(true));
    expect(again.map((r) => r.observation)).toEqual(result.runs.map((r) => r.observation));
  });
});

describe("the generator's undetected occluders", () => {
  it('are not seen as vehicles by the detector (they hide a car without the rule knowing why)', async () => {
    const [spot] = STREET.spots;
    for (const sprite of UNDETECTED_OCCLUDERS) {
      const scenario = { name: 'occluder', durationS: 1, actors: [{ sprite, path: [{ t: 0, ...spot! }, { t: 1, ...spot! }] }] };
      const { detections } = await observe(scenario, STREET.zone, [0], detector, 0);
      // Where it stands (bottom-centre at the spot, spot-wide): no vehicle box on it.
      const vehicles = detections[0]!.items.filter((d) => d.category === 'vehicle' && d.box[3] > 0.5 * 540);
      expect(vehicles.map((v) => v.label), sprite.image).toEqual([]);
    }
  }, 120_000);
});
