import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../core/types.js';
import { createDetector, type Detector } from '../../detector/detector.js';
import { replayFrames } from '../../pipeline/replay.js';
import { eligible } from '../../rules/parking/vehicles.js';
import { zoneSchema, type NoParkingZone } from '../../rules/schema.js';
import { readFileFrames } from '../../streams/file_frames.js';
import { media, MODELS_DIR } from '../support/paths.js';

/**
 * Real moving traffic through the real detector and rules: the road clip (cars streaming down the near lanes
 * towards the camera, one taking the place of the one ahead every second or two) played in a loop for a
 * minute, judged against a no-parking zone over those lanes. Nothing there parks: no incident, at the sample
 * spacings cameras use.
 */
const CLIP_STEP_MS = 250;
const zone = zoneSchema.parse({
  id: 'lanes',
  kind: 'no_parking',
  polygon: [[0.15, 0.62], [0.95, 0.62], [0.95, 0.98], [0.15, 0.98]],
  dwell: '8s',
}) as NoParkingZone;
const camera = { id: 'road', timezone: 'Asia/Shanghai', zones: [zone] };

let detector: Detector;
let clip: Frame[] = [];
beforeAll(async () => {
  detector = await createDetector({ modelsDir: MODELS_DIR, model: 'yolox-nano-coco-416', threads: 1 });
  const { input } = detector.manifest;
  const frames = readFileFrames(media('video/video_road_cars_9s.mp4'), { cameraId: camera.id, everyMs: CLIP_STEP_MS, inferenceLongSide: Math.max(input.width, input.height) });
  for await (const f of frames) clip.push(f);
}, 120_000);
afterAll(async () => {
  await detector?.close();
});

/**
 * The clip looped for `totalMs`, sampled every `everyMs` (media time runs on; the picture starts over). The
 * last frame is left out of the loop so that a pass is not a whole number of seconds: each pass is sampled at
 * other moments of the clip, as a camera would see ever new cars.
 */
async function* looped(everyMs: number, totalMs: number): AsyncIterable<Frame> {
  for (let t = 0; t < totalMs; t += everyMs) yield { ...clip[Math.floor(t / CLIP_STEP_MS) % (clip.length - 1)]!, ts: t };
}

describe('no_parking on real moving traffic (road clip, real detector)', () => {
  it('sees cars in the zone in most of the clip (the test is not vacuous)', async () => {
    const found = await detector.run(clip);
    const busy = found.filter((d) => d.items.some((x) => eligible(x, zone, { width: d.width, height: d.height }))).length;
    expect(busy / clip.length).toBeGreaterThan(0.5);
  }, 120_000);

  for (const everyS of [1, 2]) {
    it(`files no incident over a minute of traffic sampled every ${everyS} s`, async () => {
      const { events, samples } = await replayFrames(looped(everyS * 1000, 60_000), { camera, detector });
      expect(samples).toBe(60 / everyS);
      expect(events.filter((e) => e.type === 'confirmed')).toEqual([]);
    }, 180_000);
  }
});
