import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildScenario, parkedCar, passingVehicle, STREET, type Scenario } from './compose.js';

/**
 * The sample camera of `npm start`: composed from the real media (a real car cut from a real photograph,
 * standing on the hard shoulder of a real street), so a newcomer sees weisu find a true incident within
 * minutes. The truth is known: one car stands in the no-parking zone from 0:10 to 3:30 of every loop;
 * traffic only passes in the lane beside the zone, and nothing that stands still in the street (the
 * roadside box on the left) is inside it.
 */
const [SPOT] = STREET.spots as [(typeof STREET.spots)[0]];
const LANE_BESIDE = { x: 0.45, w: 0.2 };

export const SAMPLE_SCENE: Scenario = {
  name: 'sample-street',
  durationS: 240,
  fps: 1,
  actors: [
    parkedCar('redCar', SPOT, 10, 210),
    // One vehicle every 20 s in the lane beside the zone (no zone is drawn over moving traffic).
    ...Array.from({ length: 11 }, (_, i) => passingVehicle((['whiteCar', 'greyCar', 'silverCar'] as const)[i % 3]!, LANE_BESIDE, 5 + i * 20, 5 + (i % 2))),
  ],
};

/** What a careful operator sees in each loop: seconds of the video when the car stops and leaves. */
export const SAMPLE_TRUTH = { stoppedS: 10, leftS: 210 };

/** The zone drawn where the car stands (examples/weisu.yaml draws this one). */
export const SAMPLE_ZONE = STREET.zone;

/**
 * Builds the sample video at `path` unless the one there was built from this very scene (a sidecar
 * records it), so `npm start` pays for composing only once per data dir.
 */
export async function ensureSampleVideo(path: string, onFrame?: (done: number, total: number) => void): Promise<{ path: string; built: boolean }> {
  const stamp = `${path}.scene.json`;
  const want = JSON.stringify(SAMPLE_SCENE);
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return { path, built: false };
  const work = `${path}.building`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  try {
    const video = await buildScenario(SAMPLE_SCENE, work, onFrame);
    mkdirSync(dirname(path), { recursive: true });
    // Renamed into place whole: a serve started meanwhile never reads half a video.
    renameSync(video, path);
    writeFileSync(stamp, want);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return { path, built: true };
}

/** Where `weisu sample` puts the video: inside the data dir, never in the repository. */
export function sampleVideoPath(dataDir: string): string {
  return join(dataDir, 'sample', `${SAMPLE_SCENE.name}.mp4`);
}
