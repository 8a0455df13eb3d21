import { rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load.js';
import { createDetector } from '../../detector/detector.js';
import { replayFile } from '../../pipeline/replay.js';
import { ensureSampleVideo, SAMPLE_SCENE, SAMPLE_TRUTH } from '../../sample/scene.js';
import { MODELS_DIR } from '../support/paths.js';
import { scenarioDir } from '../support/scenario.js';

/**
 * What `npm start` shows: the sample video composed from the real media, judged through the real detector
 * by the camera and zone of examples/weisu.yaml exactly as written, gives the one true incident (the car
 * on the hard shoulder) and nothing else: no passing vehicle, nothing standing in the street.
 */
const dir = scenarioDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the sample scene of npm start', () => {
  it('gives exactly the parked car as an incident, first seen when it stopped, its stay never ended while it stood', async () => {
    const video = join(dir, 'sample.mp4');
    expect(await ensureSampleVideo(video)).toEqual({ path: video, built: true });
    const mtime = statSync(video).mtimeMs;
    // Built once: a second start reuses the video composed from the same scene.
    expect(await ensureSampleVideo(video)).toEqual({ path: video, built: false });
    expect(statSync(video).mtimeMs).toBe(mtime);

    const cfg = loadConfig(resolve(import.meta.dirname, '../../examples/weisu.yaml'));
    const camera = cfg.cameras[0]!;
    const dwellS = camera.zones[0]!.kind === 'no_parking' ? camera.zones[0]!.dwell / 1000 : NaN;
    const detector = await createDetector({ modelsDir: MODELS_DIR, model: cfg.detector.model, threads: 1, scoreThreshold: cfg.detector.score_threshold });
    const startAt = Date.UTC(2026, 11, 3, 2, 0, 0);
    try {
      const { events } = await replayFile(video, { camera, detector, startAt, everyMs: camera.sample_every });
      const s = (ms: number) => (ms - startAt) / 1000;
      const confirmed = events.filter((e) => e.type === 'confirmed');
      expect(confirmed.map((e) => e.zoneId)).toEqual(['kerb']);
      const c = confirmed[0]!;
      expect(Math.abs(s(c.firstSeen) - SAMPLE_TRUTH.stoppedS)).toBeLessThanOrEqual(4);
      expect(s(c.confirmedAt) - s(c.firstSeen)).toBeGreaterThanOrEqual(dwellS);
      // Within the few minutes a newcomer waits: well before the car leaves, inside the first loop.
      expect(s(c.confirmedAt)).toBeLessThan(SAMPLE_TRUTH.leftS);
      // One stay, never cut short while the car stands there: when the rules end it (after their
      // clear_grace, which may reach past the end of the loop), it is at the car's departure.
      for (const e of events.filter((x) => x.type === 'cleared' && x.incidentId === c.incidentId)) {
        expect(Math.abs(s(e.lastSeen) - SAMPLE_TRUTH.leftS)).toBeLessThanOrEqual(4);
      }
      expect(SAMPLE_SCENE.durationS).toBeGreaterThan(SAMPLE_TRUTH.leftS);
    } finally {
      await detector.close();
    }
  }, 600_000);
});
